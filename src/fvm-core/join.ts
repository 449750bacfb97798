/**
 * Runs a program inside a running VM with nsenter.
 *
 * Never `nsenter --wd=DIR`: that directory is opened in the caller's mount namespace and hands
 * the program a host directory as its cwd (launcher.md Q3). Entering the mount namespace resets
 * cwd to the VM's root; a wrapper inside the VM then changes to the wanted directory.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { Runtime } from './runtime.js';
import { findTool } from './tools.js';
import { closeInheritedFds } from './sanitize.js';

export interface JoinOptions {
  readonly command: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stdio: StdioOptions;
}

const CD_WRAPPER = 'cd -- "$0" 2>/dev/null || cd -- "$HOME" 2>/dev/null || cd /; exec "$@"';

export function nsenterArgs(rt: Runtime, cwd: string, command: readonly string[]): string[] {
  const ns = ['-U', '-m', '-p', '-i', '-u'];
  if (rt.network !== 'host') ns.push('-n');
  const args = ['-t', String(rt.initPid), ...ns, '--preserve-credentials', '--wdns=/', '--'];
  if (rt.fullMap) {
    // uid 0 keeps its capabilities across exec; without CAP_SYS_ADMIN it cannot unmount the
    // masks over /proc/sys and the store (their removal would expose host sysctls to kuid 0).
    args.push('/usr/bin/setpriv', '--inh-caps=-sys_admin', '--bounding-set=-sys_admin', '--');
  }
  args.push('/bin/sh', '-c', CD_WRAPPER, cwd, ...command);
  return args;
}

/** Spawns the program in its own session (no controlling terminal: TIOCSTI cannot reach ours). */
export function joinVm(rt: Runtime, opts: JoinOptions): ChildProcess {
  closeInheritedFds();
  const nsenter = findTool('nsenter') ?? '/usr/bin/nsenter';
  const args = nsenterArgs(rt, opts.cwd, opts.command);
  if (rt.cgroup) {
    // Into the VM's cgroup before nsenter runs, so the freezer holds every joined program too.
    return spawn('/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', rt.cgroup, nsenter, ...args], {
      detached: true,
      stdio: opts.stdio,
      env: { ...opts.env },
    });
  }
  return spawn(nsenter, args, { detached: true, stdio: opts.stdio, env: { ...opts.env } });
}
