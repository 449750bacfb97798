/**
 * Probes for the isolation tests: Python programs run inside a VM through the real CLI, host
 * helper processes the tests start (and kill by pid), and tool checks that fail loudly.
 *
 * Every probe prints one line `RESULT <json>` on stdout; everything else it prints is ignored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FvmResult, Sandbox } from './sandbox.js';

/** Debian's own interpreter by absolute path: root's PATH here starts with pyenv shims. */
export const PY = '/usr/bin/python3';

/** Python prelude: `attempt(fn)` returns 'ok' or the errno name (or 'timeout'). */
export const PY_PRELUDE = `
import errno, json, os, socket, sys
def attempt(fn):
    try:
        r = fn()
        return 'ok' if r is None or r is True else r
    except socket.timeout:
        return 'timeout'
    except OSError as e:
        return errno.errorcode.get(e.errno, 'errno%s' % e.errno) if e.errno else type(e).__name__
def result(obj):
    sys.stdout.write('RESULT ' + json.dumps(obj) + '\\n')
    sys.stdout.flush()
`;

export interface ProbeResult<T> extends FvmResult {
  readonly result: T;
}

/** Finds the `RESULT {...}` line (a pty turns \n into \r\n, hence the trim). */
export function parseResult<T>(stdout: string, what: string): T {
  const line = stdout
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .reverse()
    .find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`${what} printed no RESULT line:\n${stdout}`);
  return JSON.parse(line.slice('RESULT '.length)) as T;
}

/** Runs Python code (after the prelude) inside the VM; argv after the code are sys.argv[1:]. */
export function runPy<T = Record<string, unknown>>(
  sb: Sandbox,
  vm: string,
  code: string,
  args: readonly string[] = [],
  opts: { env?: Record<string, string>; runArgs?: readonly string[]; input?: string } = {},
): ProbeResult<T> {
  const r = sb.fvm(['run', vm, ...(opts.runArgs ?? []), '--', PY, '-c', PY_PRELUDE + code, ...args], { env: opts.env, input: opts.input });
  if (r.status !== 0) throw new Error(`probe in VM '${vm}' exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return { ...r, result: parseResult<T>(r.stdout, `probe in VM '${vm}'`) };
}

/** Runs a shell script inside the VM and returns its `key=value` lines (later keys win). */
export function runSh(sb: Sandbox, vm: string, script: string, opts: { env?: Record<string, string> } = {}): FvmResult & { kv: Record<string, string> } {
  const r = sb.fvm(['run', vm, '--', '/bin/sh', '-c', script], opts);
  const kv: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const m = /^([A-Za-z0-9_.-]+)=(.*)$/.exec(line);
    if (m) kv[m[1]] = m[2];
  }
  return { ...r, kv };
}

/** The absolute path of a tool, or a thrown error that says which Debian package to install. */
export function requireTool(name: string, pkg: string): string {
  for (const dir of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  throw new Error(`${name} is not installed: these tests need it (apt-get install ${pkg}; CI must install it in .ci/run)`);
}

/**
 * Host processes a test starts: each is killed by its pid at the end. `started` resolves once
 * the process printed a line matching `ready` (or at once without one).
 */
export class HostProcs {
  private readonly procs: ChildProcess[] = [];

  start(cmd: string, args: readonly string[], ready?: RegExp, env: NodeJS.ProcessEnv = process.env): Promise<{ proc: ChildProcess; output: () => string }> {
    const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.procs.push(proc);
    let out = '';
    proc.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')));
    proc.stderr?.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const output = () => out;
    if (!ready) return Promise.resolve({ proc, output });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${cmd} did not get ready within 10 s:\n${out}`)), 10_000);
      const check = () => {
        if (ready.test(out)) {
          clearTimeout(timer);
          resolve({ proc, output });
        }
      };
      proc.stdout?.on('data', check);
      proc.stderr?.on('data', check);
      proc.on('exit', (code, sig) => {
        clearTimeout(timer);
        reject(new Error(`${cmd} exited (${code ?? sig}) before it was ready:\n${out}`));
      });
    });
  }

  killAll(): void {
    for (const p of this.procs) {
      if (p.pid && p.exitCode === null && p.signalCode === null) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }
}

/** Host-side state letter of a process (R, S, T, Z, ...) from /proc/PID/stat, or null if gone. */
export function procState(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

/** The VM's upper tree as a host path: where a write to `hostPath` inside the VM must land. */
export function upperOf(sb: Sandbox, vm: string, hostPath: string): string {
  const info = sb.json<{ path: string }>(['info', vm]);
  return path.join(info.path, 'fs', hostPath);
}

/** The private network needs slirp4netns and a usable /dev/net/tun; say so instead of launching. */
export function requirePrivateNetwork(): void {
  const uid = process.getuid?.() ?? 0;
  requireTool('slirp4netns', 'slirp4netns');
  try {
    fs.closeSync(fs.openSync('/dev/net/tun', 'r+'));
  } catch (err) {
    let mode = 'missing';
    try {
      const st = fs.statSync('/dev/net/tun');
      mode = `mode ${(st.mode & 0o777).toString(8)}, owner uid ${st.uid}`;
    } catch {
      // missing
    }
    throw new Error(
      `the private network cannot work for uid ${uid}: /dev/net/tun cannot be opened (${(err as Error).message}; ${mode}). ` +
        'slirp4netns opens it inside the VM\'s user namespace; Debian\'s udev makes it 0666 (crw-rw-rw-). ' +
        'Fix the machine (CI: chmod 0666 /dev/net/tun in .ci/run), not the test.',
    );
  }
}
