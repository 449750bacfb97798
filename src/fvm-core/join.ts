/**
 * Runs a program inside a running VM with nsenter.
 *
 * Never `nsenter --wd=DIR`: that directory is opened in the caller's mount namespace and hands
 * the program a host directory as its cwd (launcher.md Q3). `--wdns=DIR` opens it after
 * entering the VM's mount namespace; it is used when DIR is a plain directory in the VM's view,
 * else a wrapper shell inside the VM changes to it (or to $HOME, or /) as `cd` would.
 *
 * Every step between the caller and the program costs an exec, and a join should cost little
 * more than nsenter itself: the cgroup is entered from here (see spawnInCgroup), not by a shell.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Runtime } from './runtime.js';
import { findTool } from './tools.js';
import { closeInheritedFds } from './sanitize.js';
import { spawnInCgroup } from './cgroup.js';

export interface JoinOptions {
  readonly command: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly stdio: StdioOptions;
}

const CD_WRAPPER = 'cd -- "$0" 2>/dev/null || cd -- "$HOME" 2>/dev/null || cd /; exec "$@"';

/**
 * Whether `dir` is, in the VM's view, a directory this user may enter, reached without a
 * symlink. Seen from outside through /proc/INIT/root, an absolute symlink would resolve against
 * the host's root, not the VM's: a symlink anywhere on the way sends the cwd through the
 * wrapper, which resolves it inside. Only decides how the cwd is set, never what is reachable:
 * nsenter's --wdns changes directory inside the VM either way.
 */
function plainDirInVm(initPid: number, dir: string): boolean {
  if (!path.isAbsolute(dir) || path.normalize(dir) !== dir) return false;
  let p = `/proc/${initPid}/root`;
  try {
    for (const part of dir.split('/')) {
      if (!part) continue;
      p += `/${part}`;
      if (fs.lstatSync(p, { throwIfNoEntry: false })?.isDirectory() !== true) return false;
    }
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false; // /proc/INIT/root not ours to look into, or not searchable
  }
}

export function nsenterArgs(rt: Runtime, cwd: string, command: readonly string[]): string[] {
  const ns = ['-U', '-m', '-p', '-i', '-u'];
  if (rt.network !== 'host') ns.push('-n');
  const direct = plainDirInVm(rt.initPid, cwd);
  const args = ['-t', String(rt.initPid), ...ns, '--preserve-credentials', `--wdns=${direct ? cwd : '/'}`, '--'];
  if (rt.fullMap && !rt.nestedUserns) {
    // uid 0 keeps its capabilities across exec; without CAP_SYS_ADMIN it cannot unmount the
    // masks over /proc/sys and the store (their removal would expose host sysctls to kuid 0).
    // In a VM with a nested user namespace (fvm-init.sh) its capabilities reach no mount.
    args.push('/usr/bin/setpriv', '--inh-caps=-sys_admin', '--bounding-set=-sys_admin', '--');
  }
  if (!direct) args.push('/bin/sh', '-c', CD_WRAPPER, cwd);
  args.push(...command);
  return args;
}

/** Spawns the program in its own session (no controlling terminal: TIOCSTI cannot reach ours). */
export function joinVm(rt: Runtime, opts: JoinOptions): ChildProcess {
  closeInheritedFds();
  const nsenter = findTool('nsenter') ?? '/usr/bin/nsenter';
  const args = nsenterArgs(rt, opts.cwd, opts.command);
  const start = () => spawn(nsenter, args, { detached: true, stdio: opts.stdio, env: { ...opts.env } });
  if (!rt.cgroup) return start();
  // Into the VM's cgroup before nsenter forks, so the freezer holds every joined program too.
  const child = spawnInCgroup(rt.cgroup, start);
  if (child) return child;
  return spawn('/bin/sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', rt.cgroup, nsenter, ...args], {
    detached: true,
    stdio: opts.stdio,
    env: { ...opts.env },
  });
}
