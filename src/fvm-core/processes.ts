import type { ProcessInfo } from '../shared/types.js';
import type { Runtime } from './runtime.js';
import { pidsInNamespace, readCmdline, readNsPid, readProcStat } from './proc.js';

/**
 * Every process of a VM, proved a member by its PID namespace (not by ancestry: a daemon that
 * double-forks is re-parented to the VM's init and stays in the namespace).
 *
 * A program joined from outside has a host parent (nsenter) outside the VM; it is shown as a
 * child of the VM's init so the tree has one root.
 */
/** The idle loop's own timer (resources/fvm-init.sh): not a program of the VM. */
const INIT_TICK = 'sleep 1.000';

export function listVmProcesses(vm: string, rt: Runtime): ProcessInfo[] {
  const pids = pidsInNamespace(rt.pidNs);
  const set = new Set(pids);
  const out: ProcessInfo[] = [];
  for (const pid of pids) {
    const st = readProcStat(pid);
    if (!st) continue;
    if (st.ppid === rt.initPid && st.comm === 'sleep' && readCmdline(pid) === INIT_TICK) continue;
    out.push({
      vm,
      pid,
      ppid: set.has(st.ppid) ? st.ppid : pid === rt.initPid ? st.ppid : rt.initPid,
      vmPid: readNsPid(pid),
      cmd: pid === rt.initPid ? 'fvm-init' : readCmdline(pid),
      state: st.state,
    });
  }
  return out.sort((a, b) => a.vmPid - b.vmPid);
}

/** Host-side parents (nsenter) of joined programs: they propagate stops and must be resumed too. */
export function hostParentsOfJoined(rt: Runtime): number[] {
  const pids = pidsInNamespace(rt.pidNs);
  const set = new Set(pids);
  const out = new Set<number>();
  for (const pid of pids) {
    const st = readProcStat(pid);
    if (st && !set.has(st.ppid) && pid !== rt.initPid) {
      const parent = readProcStat(st.ppid);
      if (parent && (parent.comm === 'nsenter' || parent.comm === 'sh')) out.add(st.ppid);
    }
  }
  return [...out];
}
