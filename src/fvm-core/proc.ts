/** Reading /proc: process identity that survives pid reuse, and namespace membership. */
import fs from 'node:fs';

export interface ProcStat {
  readonly pid: number;
  readonly comm: string;
  readonly state: string;
  readonly ppid: number;
  /** Clock ticks since boot: with the pid, an identity that a reused pid cannot fake. */
  readonly startTime: number;
}

export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm may hold spaces and parentheses: it ends at the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const rest = text.slice(close + 2).split(' ');
  return { pid, comm, state: rest[0], ppid: Number(rest[1]), startTime: Number(rest[19]) };
}

let bootIdMemo: string | undefined;

/** This boot's id (read once: no process outlives its boot). */
export function readBootId(): string {
  if (bootIdMemo !== undefined) return bootIdMemo;
  try {
    bootIdMemo = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
  return bootIdMemo;
}

/** The namespace a process is in, e.g. `pid:[4026532])`, or null. */
export function readNs(pid: number | 'self', ns: string): string | null {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/${ns}`);
  } catch {
    return null;
  }
}

export function listPids(): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c >= 48 && c <= 57) out.push(Number(name));
  }
  return out;
}

/** Host pids of every process whose PID namespace is `pidNs`. */
export function pidsInNamespace(pidNs: string): number[] {
  return listPids().filter((pid) => readNs(pid, 'pid') === pidNs);
}

export function readCmdline(pid: number): string {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const words = raw.split('\0').filter((w, i, a) => w !== '' || i < a.length - 1);
    return words.join(' ').trim() || `[${readProcStat(pid)?.comm ?? '?'}]`;
  } catch {
    return '';
  }
}

/** The pid inside the innermost PID namespace (last field of NSpid). */
export function readNsPid(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /^NSpid:\s+(.+)$/m.exec(status);
    if (!m) return pid;
    const f = m[1].trim().split(/\s+/);
    return Number(f[f.length - 1]);
  } catch {
    return pid;
  }
}

export function isAlive(pid: number, startTime: number): boolean {
  const st = readProcStat(pid);
  return st !== null && st.startTime === startTime && st.state !== 'Z';
}
