/**
 * Which wineservers run, inside a VM or on the host, and for which prefix.
 *
 * A prefix's registry lives in its wineserver's memory; the .reg files are consistent only after
 * the server exits, and an edit made under a running server is overwritten at its next save
 * (research/wine.md §3). A server names its directory `server-<dev>-<ino>` (hex) after the
 * prefix directory it serves, and runs with that directory as its cwd, which is how a host
 * server is matched to a host prefix here.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProcessInfo } from '../../shared/types.js';
import { listPids, readCmdline } from '../proc.js';

/** A wineserver process of a VM and the prefix it serves (as the VM names it). */
export interface VmWineServer {
  readonly pid: number;
  readonly prefix: string;
}

function isWineserver(cmd: string): boolean {
  const exe = path.basename(cmd.split(' ')[0] ?? '');
  return exe === 'wineserver' || exe === 'wineserver64' || exe === 'wineserver32';
}

/** The environment of a process, or null when it cannot be read. */
function readEnviron(pid: number): Map<string, string> | null {
  try {
    const env = new Map<string, string>();
    for (const entry of fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
    }
    return env;
  } catch {
    return null;
  }
}

/**
 * The wineservers among a VM's processes, with their prefix: WINEPREFIX from the server's
 * environment, else Wine's default `$HOME/.wine` (`fallbackHome` when even HOME is unreadable).
 */
export function vmWineServers(processes: readonly ProcessInfo[], fallbackHome: string): VmWineServer[] {
  const out: VmWineServer[] = [];
  for (const proc of processes) {
    if (!isWineserver(proc.cmd)) continue;
    const env = readEnviron(proc.pid);
    const explicit = env?.get('WINEPREFIX');
    const prefix = explicit && path.isAbsolute(explicit) ? path.resolve(explicit) : path.join(env?.get('HOME') ?? fallbackHome, '.wine');
    out.push({ pid: proc.pid, prefix });
  }
  return out;
}

/** The directory name a wineserver uses for the prefix directory with this stat. */
export function serverDirName(st: fs.Stats): string {
  return `server-${BigInt(st.dev).toString(16)}-${BigInt(st.ino).toString(16)}`;
}

/**
 * Host pids of wineservers running for this host prefix (processes of other users are not
 * readable and not counted: their servers cannot hold this user's prefix anyway).
 */
export function hostWineServers(prefixPath: string): number[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(prefixPath);
  } catch {
    return [];
  }
  const want = serverDirName(st);
  const out: number[] = [];
  for (const pid of listPids()) {
    let comm: string;
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (!comm.startsWith('wineserver')) continue;
    try {
      if (path.basename(fs.readlinkSync(`/proc/${pid}/cwd`)) === want) out.push(pid);
    } catch {
      // not ours to read, or gone
    }
  }
  return out;
}

/** The command line of a process, for messages. */
export function describePid(pid: number): string {
  return `${readCmdline(pid) || 'wineserver'} (pid ${pid})`;
}
