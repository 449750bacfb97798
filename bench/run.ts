/**
 * The bench runner (`npm run bench`, through scripts/bench.mjs).
 *
 *   --quick          smaller sizes and fewer repetitions (the whole run stays under 2 minutes)
 *   --json           one JSON document {"figures":[…]} instead of the table
 *   --only P1,P3     only the modules that produce these figures (P1 also selects P1b)
 *   --list           print the figure ids each module declares and exit
 *
 * Every module in bench/figures/*.ts exporting a FigureModule (default or named export) runs in
 * turn, in this process, with a fresh temporary directory (removed afterwards, after a last
 * sweep that stops any VM a figure left running in it) and with process.env restored after it.
 * Progress goes to stderr. The exit status is 0 when targets are missed (the bench reports, it
 * does not judge) and 1 when a figure crashed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchContext, Figure, FigureModule } from './figure.js';
import { stopVmsUnder } from './lib/cleanup.js';

interface Args {
  quick: boolean;
  json: boolean;
  list: boolean;
  only: string[] | null;
  resultFile: string | null;
}

const USAGE = 'usage: npm run bench -- [--quick] [--json] [--only P1,P3] [--list]';

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { quick: false, json: false, list: false, only: null, resultFile: null };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    const value = (name: string): string => {
      if (x.startsWith(`${name}=`)) return x.slice(name.length + 1);
      const v = argv[++i];
      if (v === undefined) usage(`${name} needs a value`);
      return v;
    };
    if (x === '--quick') a.quick = true;
    else if (x === '--json') a.json = true;
    else if (x === '--list') a.list = true;
    else if (x === '--only' || x.startsWith('--only=')) {
      a.only = value('--only')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    } else if (x === '--result-file' || x.startsWith('--result-file=')) a.resultFile = value('--result-file');
    else if (x === '--help' || x === '-h') {
      process.stderr.write(`${USAGE}\n`);
      process.exit(0);
    } else usage(`unknown argument ${x}`);
  }
  return a;
}

function usage(msg: string): never {
  process.stderr.write(`bench: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

/** `P1` selects P1 and its variants (P1b), never P10. */
export function selects(want: string, id: string): boolean {
  const w = want.toLowerCase();
  const i = id.toLowerCase();
  return i === w || (i.startsWith(w) && /^[a-z]+$/.test(i.slice(w.length)));
}

function isFigureModule(v: unknown): v is FigureModule {
  if (!v || typeof v !== 'object') return false;
  const m = v as Partial<FigureModule>;
  return Array.isArray(m.ids) && m.ids.every((x) => typeof x === 'string') && typeof m.run === 'function';
}

interface Loaded {
  readonly file: string;
  readonly mod: FigureModule;
}

async function discover(dir: string): Promise<Loaded[]> {
  const out: Loaded[] = [];
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.endsWith('.test.ts'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true })); // p2 before p10
  for (const f of files) {
    const exports = (await import(pathToFileURL(path.join(dir, f)).href)) as Record<string, unknown>;
    const seen = new Set<unknown>();
    for (const v of Object.values(exports)) {
      if (isFigureModule(v) && !seen.has(v)) {
        seen.add(v);
        out.push({ file: f, mod: v });
      }
    }
  }
  return out;
}

function isFigure(f: unknown): f is Figure {
  if (!f || typeof f !== 'object') return false;
  const x = f as Record<string, unknown>;
  return (
    typeof x.id === 'string' &&
    typeof x.value === 'number' &&
    typeof x.baseline === 'number' &&
    typeof x.ratio === 'number' &&
    typeof x.unit === 'string' &&
    typeof x.note === 'string' &&
    typeof x.target === 'string' &&
    typeof x.pass === 'boolean'
  );
}

function restoreEnv(saved: NodeJS.ProcessEnv): void {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  for (const [k, v] of Object.entries(saved)) if (v !== undefined) process.env[k] = v;
}

function removeTmp(dir: string, log: (m: string) => void): void {
  // Overlay workdirs are left mode 000 by the kernel, and mirrored upper roots 0555.
  spawnSync('/bin/chmod', ['-R', 'u+rwx', dir], { stdio: 'ignore' });
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch (err) {
    log(`warning: cannot remove ${dir}: ${(err as Error).message}`);
  }
}

function stamp(): string {
  return new Date().toISOString().slice(11, 19);
}

function num(n: number, digits: number): number | null {
  if (!Number.isFinite(n)) return null;
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1000) return n.toFixed(0);
  if (a >= 100) return n.toFixed(1);
  if (a >= 1) return n.toFixed(2);
  if (a === 0) return '0';
  return n.toPrecision(3);
}

function table(figs: readonly Figure[], errors: readonly Crash[]): string {
  const head = ['id', 'value', 'baseline', 'ratio', 'unit', 'target', 'pass', 'note'];
  const rows = figs.map((f) => [f.id, fmt(f.value), fmt(f.baseline), Number.isFinite(f.ratio) ? f.ratio.toFixed(3) : String(f.ratio), f.unit, f.target, f.pass ? 'PASS' : 'FAIL', f.note]);
  const widths = head.map((h, i) => (i === head.length - 1 ? 0 : Math.max(h.length, ...rows.map((r) => r[i].length))));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : i >= 1 && i <= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...rows.map(line)];
  for (const e of errors) out.push(`CRASHED ${e.module}: ${e.message}`);
  return `${out.join('\n')}\n`;
}

/** One line on how busy the machine was: the figures are only as good as a quiet machine. */
function machineLine(): string {
  let load = '';
  let pressure = '';
  try {
    load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    load = '?';
  }
  try {
    const m = /^some avg10=([\d.]+) avg60=([\d.]+) avg300=([\d.]+)/m.exec(fs.readFileSync('/proc/pressure/cpu', 'utf8'));
    if (m) pressure = `, CPU pressure (some) avg10 ${m[1]}% avg60 ${m[2]}% avg300 ${m[3]}%`;
  } catch {
    // no PSI on this kernel
  }
  return `machine: ${os.cpus().length} CPUs, load average ${load}${pressure}`;
}

interface Crash {
  module: string;
  message: string;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const figuresDir = path.join(import.meta.dirname, 'figures');
  const modules = await discover(figuresDir);
  if (args.list) {
    for (const m of modules) process.stderr.write(`${m.file}: ${m.mod.ids.join(', ')}\n`);
    writeResult(args, '');
    return;
  }
  if (args.only) {
    const known = modules.flatMap((m) => m.mod.ids);
    const unknown = args.only.filter((w) => !known.some((id) => selects(w, id)));
    if (unknown.length) usage(`no module produces ${unknown.join(', ')} (known: ${known.join(', ')})`);
  }
  const chosen = args.only ? modules.filter((m) => m.mod.ids.some((id) => args.only?.some((w) => selects(w, id)))) : modules;
  const figures: Figure[] = [];
  const errors: Crash[] = [];
  const started = performance.now();
  const say = (m: string) => process.stderr.write(`[bench ${stamp()}] ${m}\n`);
  let active: { tmp: string; file: string } | null = null;
  let finishing = false;

  /** Writes what was measured so far and ends the process (after a signal, a hang or a stray error). */
  const abort = async (why: string, code: number) => {
    if (finishing) return;
    finishing = true;
    say(`aborting: ${why}`);
    if (active) {
      errors.push({ module: active.file, message: why });
      await stopVmsUnder(active.tmp, say).catch(() => undefined);
      removeTmp(active.tmp, say);
    }
    writeResult(args, render(args, figures, errors));
    process.exit(code);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void abort(`interrupted by ${sig}`, 130));
  process.on('uncaughtException', (err) => void abort(`uncaught exception: ${err?.stack ?? String(err)}`, 1));
  process.on('unhandledRejection', (err) => void abort(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}`, 1));

  say(machineLine());
  // A module that never returns must not hold the bench (and its VMs) forever.
  const limitMs = (args.quick ? 300 : 1800) * 1000;
  for (const { file, mod } of chosen) {
    const name = path.basename(file, '.ts');
    const log = (m: string) => process.stderr.write(`[bench ${stamp()} ${name}] ${m}\n`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `fvm-bench-${name.replace(/[^A-Za-z0-9_-]/g, '_')}-`));
    active = { tmp, file };
    const ctx: BenchContext = { quick: args.quick, tmp, log };
    const savedEnv = { ...process.env };
    const savedCwd = process.cwd();
    const t0 = performance.now();
    log(`start (${mod.ids.join(', ')})${args.quick ? ' quick' : ''}, tmp ${tmp}`);
    const timer = setTimeout(() => void abort(`${file} did not finish within ${limitMs / 1000} s`, 1), limitMs);
    try {
      const got = await mod.run(ctx);
      if (!Array.isArray(got)) throw new Error('run() did not return an array of figures');
      for (const f of got) {
        if (!isFigure(f)) throw new Error(`run() returned a malformed figure: ${JSON.stringify(f)}`);
        if (!args.only || args.only.some((w) => selects(w, f.id))) figures.push(f);
      }
      log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    } catch (err) {
      const e = err as Error;
      errors.push({ module: file, message: e?.message ?? String(err) });
      log(`CRASHED: ${e?.stack ?? String(err)}`);
    } finally {
      clearTimeout(timer);
      process.chdir(savedCwd);
      restoreEnv(savedEnv);
      const c0 = performance.now();
      await stopVmsUnder(tmp, log).catch((err: Error) => log(`warning: cleanup sweep failed: ${err.message}`));
      const c1 = performance.now();
      removeTmp(tmp, log);
      active = null;
      log(`cleanup: VM sweep ${((c1 - c0) / 1000).toFixed(1)} s, removal ${((performance.now() - c1) / 1000).toFixed(1)} s`);
    }
  }
  say(`${figures.length} figure(s), ${errors.length} crash(es), ${((performance.now() - started) / 1000).toFixed(1)} s; ${machineLine()}`);
  finishing = true;
  writeResult(args, render(args, figures, errors));
  process.exitCode = errors.length ? 1 : 0;
}

function render(args: Args, figures: readonly Figure[], errors: readonly Crash[]): string {
  if (!args.json) return table(figures, errors);
  return `${JSON.stringify({
    figures: figures.map((f) => ({
      id: f.id,
      value: num(f.value, 3),
      baseline: num(f.baseline, 3),
      ratio: num(f.ratio, 4),
      unit: f.unit,
      note: f.note,
      target: f.target,
      pass: f.pass,
    })),
    ...(errors.length ? { errors } : {}),
  })}\n`;
}

function writeResult(args: Args, out: string): void {
  if (args.resultFile) fs.writeFileSync(args.resultFile, out);
  else process.stdout.write(out);
}

await main();
// A figure's stray handle (a child process, a timer) must not keep the bench alive.
process.exit(process.exitCode ?? 0);
