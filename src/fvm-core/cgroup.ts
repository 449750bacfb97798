/**
 * cgroup v2 for a VM, where this user may create one: `cgroup.freeze` suspends every process
 * of the VM in a few ms, and forks cannot race it (launcher.md Q4). Elsewhere the engine falls
 * back to a repeated SIGSTOP sweep.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readMountsSync } from '../redirect/mountinfo.js';

let mountMemo: string | null | undefined;

/** Where cgroup2 is mounted (read once: a process does not see it move). */
function cgroup2Mount(): string | null {
  if (mountMemo === undefined) mountMemo = readMountsSync().find((e) => e.fsType === 'cgroup2')?.mountPoint ?? null;
  return mountMemo;
}

/** This process's own cgroup2 directory, or null. */
function ownCgroupDir(): string | null {
  const mnt = cgroup2Mount();
  if (!mnt) return null;
  try {
    const own = /^0::(.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
    return own === undefined ? null : path.join(mnt, own);
  } catch {
    return null;
  }
}

function writable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The parent under which this user may create VM cgroups, or null. */
export function cgroupParent(): string | null {
  if (process.env.FVM_NO_CGROUP === '1') return null;
  const mnt = cgroup2Mount();
  if (!mnt) return null;
  if (process.getuid?.() === 0) {
    const base = path.join(mnt, 'fvm');
    try {
      fs.mkdirSync(base, { recursive: true });
      return base;
    } catch {
      return null;
    }
  }
  // A plain user: only a delegated cgroup of its own (systemd's user@UID.service delegates one).
  const dir = ownCgroupDir();
  if (!dir) return null;
  return writable(dir) && writable(path.join(dir, 'cgroup.procs')) ? dir : null;
}

/**
 * Creates the VM's cgroup and returns its path, or null when freezing must use signals.
 *
 * Named after the VM's directory, not its id: ids are per repository, and two repositories
 * (two users, a test's temporary one) must never share a cgroup, whose kill ends them all.
 */
export function prepareCgroup(vmDir: string): string | null {
  const parent = cgroupParent();
  if (!parent) return null;
  const tag = crypto.createHash('sha256').update(path.resolve(vmDir)).digest('hex').slice(0, 16);
  const dir = path.join(parent, `fvm-${tag}`);
  sweepEmptyCgroups(parent, dir);
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch {
    return null;
  }
  return fs.existsSync(path.join(dir, 'cgroup.freeze')) ? dir : null;
}

/**
 * Removes the empty cgroups of VMs that are gone. A stop cannot always remove its own (a zombie
 * may still count as a member for a moment); rmdir only ever succeeds on an empty cgroup. A
 * young one is left alone: another launch (of this repository or another) has just made it and
 * its init is not in it yet.
 */
function sweepEmptyCgroups(parent: string, keep: string): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(parent).filter((n) => n.startsWith('fvm-'));
  } catch {
    return;
  }
  const now = Date.now();
  for (const n of names) {
    const d = path.join(parent, n);
    if (d === keep) continue;
    try {
      if (now - fs.statSync(d).mtimeMs < SWEEP_MIN_AGE_MS) continue;
    } catch {
      continue;
    }
    removeCgroup(d);
  }
}

/** Longer than any launch takes to move its init into the cgroup it made. */
const SWEEP_MIN_AGE_MS = 5 * 60_000;

/**
 * Runs `spawn` with this process inside the VM's cgroup, so that the child it forks starts
 * there (a child is born in its parent's cgroup) and so does everything that child starts, with
 * no window in which it could fork outside. This process moves back right after: two writes to
 * cgroup.procs instead of a shell that moves itself, then execs. Returns null, having run
 * nothing, where this process cannot move there and back (or the VM is frozen: entering it
 * would freeze us too).
 */
export function spawnInCgroup<T>(vmCgroup: string, spawn: () => T): T | null {
  const home = ownCgroupDir();
  if (!home || home === vmCgroup || !writable(path.join(home, 'cgroup.procs'))) return null;
  try {
    if (fs.readFileSync(path.join(vmCgroup, 'cgroup.freeze'), 'utf8').trim() !== '0') return null;
    fs.writeFileSync(path.join(vmCgroup, 'cgroup.procs'), String(process.pid));
  } catch {
    return null;
  }
  try {
    return spawn();
  } finally {
    // Staying would make this process a member of the VM: frozen with it, killed with it.
    fs.writeFileSync(path.join(home, 'cgroup.procs'), String(process.pid));
  }
}

export function removeCgroup(dir: string | null): void {
  if (!dir) return;
  try {
    fs.rmdirSync(dir);
  } catch {
    // still populated (a process lingers) or gone already: harmless, retried at the next stop
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Freezes (1) or thaws (0) the cgroup and waits until the kernel reports it done. */
export async function setFrozen(dir: string, frozen: boolean): Promise<void> {
  fs.writeFileSync(path.join(dir, 'cgroup.freeze'), frozen ? '1' : '0');
  const want = `frozen ${frozen ? 1 : 0}`;
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (fs.readFileSync(path.join(dir, 'cgroup.events'), 'utf8').includes(want)) return;
    await sleep(2);
  }
}

export function cgroupPids(dir: string): number[] {
  try {
    return fs
      .readFileSync(path.join(dir, 'cgroup.procs'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
