/**
 * P1: starting a program (`true`) in a running VM through the engine's join path, against a
 * raw nsenter into the same VM. P1b: the same through the whole `fvm run` CLI, against
 * `node -e 0` plus the raw nsenter (what any Node CLI would pay at the least).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FigureModule } from '../figure.js';
import { figure, median } from '../figure.js';
import { joinVm, nsenterArgs } from '../../src/fvm-core/join.js';
import { readLiveRuntime } from '../../src/fvm-core/runtime.js';
import { sanitizedEnv } from '../../src/fvm-core/sanitize.js';
import { findTool } from '../../src/fvm-core/tools.js';
import { createVm, exitOf, FVM_CLI, interleave, ms, openWorld, ROOT, spread, who } from '../lib/fvm-bench.js';

const VM = 'join';

/** Newest mtime of the files below `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop() as string;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  }
  return newest;
}

/** The CLI bundle must be the engine under test: rebuild it when src/ is newer (if we may). */
function cliFreshness(log: (m: string) => void): string {
  const bundle = path.join(ROOT, 'dist/cli.js');
  const bundleTime = fs.existsSync(bundle) ? fs.statSync(bundle).mtimeMs : 0;
  if (bundleTime >= newestMtime(path.join(ROOT, 'src'))) return '';
  try {
    fs.accessSync(ROOT, fs.constants.W_OK);
  } catch {
    if (!bundleTime) throw new Error('dist/cli.js is missing and this user cannot build it: run `node scripts/build.mjs --cli-only` first');
    return ' (dist/cli.js is older than src/ and this user cannot rebuild it)';
  }
  log('dist/cli.js is older than src/: node scripts/build.mjs --cli-only');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--cli-only'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building the CLI failed: ${r.stderr}`);
  return '';
}

export const p1: FigureModule = {
  ids: ['P1', 'P1b'],
  async run(ctx) {
    const w = openWorld(ctx);
    try {
      await createVm(w, VM);
      await w.engine.ensureRunning(VM);
      const p = w.paths(VM);
      const env = sanitizedEnv(process.env, VM, process.getuid?.() ?? 0);
      const rt0 = readLiveRuntime(p);
      if (!rt0) throw new Error('the VM did not stay up');
      const nsenter = findTool('nsenter') ?? '/usr/bin/nsenter';
      const rawArgs = ['-t', String(rt0.initPid), '-U', '-m', '-p', '-i', '-u', ...(rt0.network !== 'host' ? ['-n'] : []), '--preserve-credentials', '--wdns=/', '--', 'true'];
      const engineArgs = nsenterArgs(rt0, w.home, ['true']);

      // The engine's join, as runAttached does it minus the VM lock: read the live runtime,
      // joinVm (fd sweep, cgroup entry when there is one, nsenter, cd wrapper), await the exit.
      const engineJoin = async () => {
        const t0 = performance.now();
        const rt = readLiveRuntime(p);
        if (!rt) throw new Error(`VM '${VM}' is not running`);
        const code = await exitOf(joinVm(rt, { command: ['true'], cwd: w.home, env, stdio: 'ignore' }));
        const t = performance.now() - t0;
        if (code !== 0) throw new Error(`engine join: true exited ${code}`);
        return t;
      };
      const rawJoin = async () => {
        const t0 = performance.now();
        const code = await exitOf(spawn(nsenter, rawArgs, { stdio: 'ignore', env }));
        const t = performance.now() - t0;
        if (code !== 0) throw new Error(`raw nsenter: true exited ${code}`);
        return t;
      };

      const n = ctx.quick ? 15 : 40;
      ctx.log(`P1: ${n} engine joins and ${n} raw nsenters, interleaved`);
      await interleave(3, engineJoin, rawJoin); // warm-up
      const j = await interleave(n, engineJoin, rawJoin);
      const eng = median(j.a);
      const raw = median(j.b);
      // The chain as joinVm builds it: what nsenter execs, and who puts it in the VM's cgroup.
      const execs = engineArgs.slice(engineArgs.indexOf('--') + 1);
      const steps = ['nsenter'];
      if (execs[0] === '/usr/bin/setpriv') steps.push('setpriv');
      if (execs.includes('/bin/sh')) steps.push('/bin/sh cd-wrapper');
      steps.push('true');
      const chain = `${rt0.cgroup ? "Node enters the VM's cgroup around the spawn (a /bin/sh does where it cannot) → " : ''}${steps.join(' → ')}`;
      const fig1 = figure(
        'P1',
        eng,
        raw,
        'ms',
        { op: '<=', limit: 1.2 },
        `median of ${n}, interleaved, in-process (no Node startup), as ${who()}: value = readLiveRuntime + joinVm(true) until exit ` +
          `[${chain}; engine nsenter args: ${engineArgs.slice(0, engineArgs.indexOf('--')).join(' ')}] (${spread(j.a)}); ` +
          `baseline = Node spawn of \`nsenter ${rawArgs.join(' ')}\` until exit (${spread(j.b)})`,
      );

      const stale = cliFreshness(ctx.log);
      const m = ctx.quick ? 3 : 7;
      ctx.log(`P1b: ${m} × \`fvm run ${VM} -- true\` and \`node -e 0\`, interleaved`);
      const cliRun = async () => {
        const t0 = performance.now();
        const code = await exitOf(spawn(process.execPath, [FVM_CLI, 'run', VM, '--', 'true'], { stdio: 'ignore', env: w.env, cwd: w.home }));
        const t = performance.now() - t0;
        if (code !== 0) throw new Error(`fvm run exited ${code}`);
        return t;
      };
      const nodeRun = async () => {
        const t0 = performance.now();
        const code = await exitOf(spawn(process.execPath, ['-e', '0'], { stdio: 'ignore', env: w.env, cwd: w.home }));
        const t = performance.now() - t0;
        if (code !== 0) throw new Error(`node -e 0 exited ${code}`);
        return t;
      };
      await interleave(1, cliRun, nodeRun); // warm-up
      const c = await interleave(m, cliRun, nodeRun);
      const cli = median(c.a);
      const node = median(c.b);
      const fig1b = figure(
        'P1b',
        cli,
        node + raw,
        'ms',
        { op: '<=', limit: 1.2 },
        `median of ${m}, interleaved: value = whole CLI \`node bin/fvm.js run ${VM} -- true\` into the running VM (${spread(c.a)})${stale}; ` +
          `baseline = median \`node -e 0\` (${ms(node)}, ${spread(c.b)}) + median raw nsenter from P1 (${ms(raw)}); so the CLI's own cost is ${ms(cli - node)} over a bare Node start`,
      );
      return [fig1, fig1b];
    } finally {
      await w.close();
    }
  },
};
