/**
 * Shared helpers of the engine figures (P1–P6): a throwaway FVM world inside ctx.tmp, running
 * a command in a VM with its output captured, timing child processes, and tree removal.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchContext, Figure } from '../figure.js';
import { figure } from '../figure.js';
import { openEngine, type Engine } from '../../src/fvm-core/engine.js';
import type { VmPaths } from '../../src/fvm-core/repository.js';
import { readState } from '../../src/fvm-core/vm-state.js';
import { joinVm } from '../../src/fvm-core/join.js';
import { sanitizedEnv } from '../../src/fvm-core/sanitize.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const FVM_CLI = path.join(ROOT, 'bin/fvm.js');
export const IS_ROOT = process.getuid?.() === 0;

/** A repository and a $HOME of their own, both under ctx.tmp (so on one file system). */
export interface World {
  readonly engine: Engine;
  readonly tmp: string;
  readonly home: string;
  readonly fvmHome: string;
  /** The environment for a child `fvm` CLI process. */
  readonly env: NodeJS.ProcessEnv;
  paths(name: string): VmPaths;
  /** Stops every VM of this repository that still runs. */
  close(): Promise<void>;
}

/**
 * Opens the world. The engine reads $HOME through os.homedir() (extra roots, mount plan), so
 * process.env is switched for the duration of the figure; the runner restores it afterwards.
 */
export function openWorld(ctx: BenchContext): World {
  const home = path.join(ctx.tmp, 'home');
  const fvmHome = path.join(ctx.tmp, 'fvm');
  fs.mkdirSync(home, { recursive: true, mode: 0o755 });
  process.env.HOME = home;
  process.env.FVM_HOME = fvmHome;
  process.env.FVM_LINGER_SECONDS = '0';
  // Launch tracing adds execs inside the VM's init: never part of a measurement.
  delete process.env.FVM_TRACE;
  const engine = openEngine({ home: fvmHome, lingerSeconds: 0 });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C',
    FVM_HOME: fvmHome,
    FVM_LINGER_SECONDS: '0',
  };
  return {
    engine,
    tmp: ctx.tmp,
    home,
    fvmHome,
    env,
    paths: (name) => engine.repo.paths(engine.repo.find(name).id),
    close: async () => {
      for (const m of engine.repo.list()) {
        if (readState(engine.repo.paths(m.id)).state === 'stopped') continue;
        try {
          await engine.stop(m.name);
        } catch (err) {
          ctx.log(`warning: cannot stop VM '${m.name}': ${(err as Error).message}`);
        }
      }
    },
  };
}

export async function createVm(w: World, name: string): Promise<void> {
  await w.engine.invoke('vm:create', { name, network: 'none' });
}

export interface Output {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

let ioCounter = 0;

/**
 * Runs a command in the VM through the engine's join path: ensureRunning (starts the VM if it
 * is stopped), then joinVm, as engine.runAttached does, minus its terminal relay. The program's
 * stdout and stderr are host files opened here: the descriptors are passed in, so what it
 * writes reaches the host directly, never the VM's upper tree.
 */
export async function runInVm(w: World, name: string, command: readonly string[], cwd = w.home): Promise<Output> {
  const base = path.join(w.tmp, `.io-${process.pid}-${++ioCounter}`);
  const rt = await w.engine.ensureRunning(name);
  const env = sanitizedEnv(process.env, name, process.getuid?.() ?? 0);
  const outFd = fs.openSync(`${base}.out`, 'w', 0o600);
  const errFd = fs.openSync(`${base}.err`, 'w', 0o600);
  let status: number;
  try {
    status = await exitOf(joinVm(rt, { command, cwd, env, stdio: ['ignore', outFd, errFd] }));
  } finally {
    fs.closeSync(outFd);
    fs.closeSync(errFd);
  }
  const stdout = fs.readFileSync(`${base}.out`, 'utf8');
  const stderr = fs.readFileSync(`${base}.err`, 'utf8');
  fs.rmSync(`${base}.out`, { force: true });
  fs.rmSync(`${base}.err`, { force: true });
  return { status, stdout, stderr };
}

/** runInVm for `sh -c SCRIPT ARGS…`; throws with the program's stderr unless it exits 0. */
export async function shInVm(w: World, name: string, script: string, args: readonly string[] = []): Promise<string> {
  const r = await runInVm(w, name, ['/bin/sh', '-c', script, 'fvm-bench', ...args]);
  if (r.status !== 0) throw new Error(`in VM '${name}': sh exited ${r.status}: ${r.stderr.trim().slice(-600)}`);
  return r.stdout;
}

/** Resolves with the exit status of a child process (128+n for a signal). */
export function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('error', reject);
    child.once('exit', (code, sig) => resolve(code ?? (sig ? 128 + (sigNum(sig) ?? 1) : 1)));
  });
}

function sigNum(sig: NodeJS.Signals): number | undefined {
  return os.constants.signals[sig];
}

/** Spawns a host command and waits for it (stdout collected when `collect`), failing on a non-zero exit. */
export async function host(cmd: string, args: readonly string[], opts: SpawnOptions & { collect?: boolean } = {}): Promise<{ ms: number; stdout: string }> {
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', opts.collect ? 'pipe' : 'ignore', 'pipe'], ...opts });
  const chunks: Buffer[] = [];
  let err = '';
  child.stdout?.on('data', (d: Buffer) => chunks.push(d));
  child.stderr?.on('data', (d: Buffer) => {
    if (err.length < 4000) err += d.toString('utf8');
  });
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  const code = await exitOf(child);
  if (opts.collect) await closed;
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ').slice(0, 200)}: exit ${code}: ${err.trim().slice(-600)}`);
  return { ms, stdout: Buffer.concat(chunks).toString('utf8') };
}

/** Flushes dirty pages so that one measurement does not pay for the previous one's writeback. */
export function syncDisks(): void {
  spawnSync('/bin/sync', [], { stdio: 'ignore' });
}

/** Removes a tree whatever its modes (overlay workdirs are 000, mirrored upper roots 0555). */
export function removeTree(dir: string): void {
  if (!fs.existsSync(dir)) return;
  spawnSync('/bin/chmod', ['-R', 'u+rwx', dir], { stdio: 'ignore' });
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Runs `a` and `b` `n` times each, alternating which goes first (ABBA…), so that a drift in the
 * machine's load hits both sides alike. Returns the timings in ms.
 */
export async function interleave(n: number, a: () => Promise<number>, b: () => Promise<number>): Promise<{ a: number[]; b: number[] }> {
  const out = { a: [] as number[], b: [] as number[] };
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      out.a.push(await a());
      out.b.push(await b());
    } else {
      out.b.push(await b());
      out.a.push(await a());
    }
  }
  return out;
}

export function ms(x: number): string {
  if (x >= 1000) return `${(x / 1000).toFixed(2)} s`;
  if (x >= 100) return `${x.toFixed(0)} ms`;
  if (x >= 10) return `${x.toFixed(1)} ms`;
  return `${x.toFixed(2)} ms`;
}

/** min–max of a series, for the note. */
export function spread(xs: readonly number[]): string {
  return `${ms(Math.min(...xs))}–${ms(Math.max(...xs))}`;
}

/**
 * A figure whose target is a speed-up (`baseline / value >= limit`): value and baseline keep
 * their meaning (the engine's time, the reference's time) and ratio is baseline / value.
 */
export function speedupFigure(id: string, value: number, baseline: number, unit: string, limit: number, note: string): Figure {
  const base = figure(id, value, baseline, unit, { op: '>=', limit }, note);
  const ratio = value === 0 ? Number.POSITIVE_INFINITY : baseline / value;
  return { ...base, ratio, pass: ratio >= limit };
}

export function mib(bytes: number): string {
  return bytes >= 1 << 30 ? `${(bytes / (1 << 30)).toFixed(2)} GiB` : `${(bytes / (1 << 20)).toFixed(0)} MiB`;
}

export function who(): string {
  return IS_ROOT ? 'root (engine maps every uid)' : `uid ${process.getuid?.()} (unprivileged)`;
}
