/**
 * Suspend and resume: cgroup v2 freeze where the VM has a cgroup, else a SIGSTOP sweep repeated
 * until a pass finds no process it has not stopped (a stopped process cannot fork, so it ends).
 */
import type { Runtime } from './runtime.js';
import { pidsInNamespace, readProcStat } from './proc.js';
import { setFrozen } from './cgroup.js';
import { hostParentsOfJoined } from './processes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // exited meanwhile
  }
}

export async function suspendVm(rt: Runtime): Promise<void> {
  if (rt.cgroup) {
    await setFrozen(rt.cgroup, true);
    return;
  }
  const stopped = new Set<number>();
  for (let pass = 0; pass < 1000; pass++) {
    let fresh = 0;
    for (const pid of pidsInNamespace(rt.pidNs)) {
      if (stopped.has(pid)) continue;
      signal(pid, 'SIGSTOP');
      stopped.add(pid);
      fresh++;
    }
    if (fresh === 0) break;
  }
  // Wait until every one is really in state T (the stop is asynchronous).
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    let busy = false;
    for (const pid of pidsInNamespace(rt.pidNs)) {
      const st = readProcStat(pid);
      if (st && !'TtZX'.includes(st.state)) {
        busy = true;
        signal(pid, 'SIGSTOP');
      }
    }
    if (!busy) return;
    await sleep(5);
  }
}

export async function resumeVm(rt: Runtime): Promise<void> {
  if (rt.cgroup) {
    await setFrozen(rt.cgroup, false);
  } else {
    for (const pid of pidsInNamespace(rt.pidNs)) signal(pid, 'SIGCONT');
  }
  // nsenter copies its child's stop onto itself (waitpid WUNTRACED); left stopped, it could not
  // reap its child and the VM's init would hang at teardown (launcher.md Q4).
  for (const pid of hostParentsOfJoined(rt)) signal(pid, 'SIGCONT');
}

/** Live (non-zombie) processes of a PID namespace: a zombie is dead, it only awaits its reaper. */
function livePids(pidNs: string): number[] {
  return pidsInNamespace(pidNs).filter((pid) => {
    const st = readProcStat(pid);
    return st !== null && st.state !== 'Z' && st.state !== 'X';
  });
}

/**
 * Kills every process of the VM: SIGKILL to its init ends the whole PID namespace. The init
 * goes first, so that unshare (its parent) reaps it at once; cgroup.kill then takes stragglers.
 */
export async function killVm(rt: Runtime): Promise<void> {
  const init = readProcStat(rt.initPid);
  if (init && init.startTime === rt.initStart) signal(rt.initPid, 'SIGKILL');
  if (rt.cgroup) {
    try {
      const fs = await import('node:fs');
      fs.writeFileSync(`${rt.cgroup}/cgroup.kill`, '1');
    } catch {
      // kernels before 5.14 have no cgroup.kill; the init kill suffices
    }
  }
  const un = readProcStat(rt.unsharePid);
  if (un && un.comm === 'unshare') signal(rt.unsharePid, 'SIGKILL');
  // A frozen or stopped task still dies of SIGKILL; thaw anyway so nothing waits on it.
  for (const pid of hostParentsOfJoined(rt)) signal(pid, 'SIGCONT');
  if (rt.slirpPid) {
    const s = readProcStat(rt.slirpPid);
    if (s && s.startTime === rt.slirpStart) signal(rt.slirpPid, 'SIGKILL');
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (livePids(rt.pidNs).length === 0) return;
    await sleep(5);
  }
}
