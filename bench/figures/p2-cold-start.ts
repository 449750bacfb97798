/**
 * P2: cold start of a VM through the engine (ensureRunning: baseline update, mount plan in
 * Node, host dirs, fvm-launch.sh, unshare, fvm-init.sh until it reports "ready"), against a
 * bare unshare running resources/fvm-init.sh itself on the same plan.sh until the same "ready".
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FigureModule } from '../figure.js';
import { figure, median } from '../figure.js';
import { readProcStat } from '../../src/fvm-core/proc.js';
import { findTool, resourcesDir } from '../../src/fvm-core/tools.js';
import { createVm, exitOf, interleave, ms, openWorld, spread, who } from '../lib/fvm-bench.js';

const VM = 'cold';
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

async function waitGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const st = readProcStat(pid);
    if (!st || st.state === 'Z') return;
    await sleep(5);
  }
  throw new Error(`process ${pid} did not end within ${timeoutMs} ms`);
}

export const p2: FigureModule = {
  ids: ['P2'],
  async run(ctx) {
    const w = openWorld(ctx);
    const bare = new Set<ChildProcess>();
    const bareInits = new Set<number>();
    try {
      await createVm(w, VM);
      const p = w.paths(VM);
      const bareRun = path.join(ctx.tmp, 'bare-run');
      const bareRoot = path.join(ctx.tmp, 'bare-root');
      fs.mkdirSync(bareRun, { mode: 0o700 });
      fs.mkdirSync(bareRoot, { mode: 0o700 });

      const unshare = findTool('unshare') ?? '/usr/bin/unshare';
      const init = path.join(resourcesDir(), 'fvm-init.sh');
      const nsFlags = ['--user', '--map-current-user', '--keep-caps', '--mount', '--pid', '--fork', '--kill-child', '--propagation', 'private', '--ipc', '--uts', '--net'];
      const bareArgs = [...nsFlags, '--', '/bin/sh', init, bareRun, bareRoot, 'none', '-', '0'];
      const status = path.join(bareRun, 'status');

      // The plan lists host mounts and, when /tmp holds mount points, every entry of /tmp: the
      // bare runs use the plan of the engine's latest start, so it is never more than a pair old.
      const takePlan = () => fs.copyFileSync(path.join(p.run, 'plan.sh'), path.join(bareRun, 'plan.sh'));
      const stops: number[] = [];
      const engineStart = async () => {
        const t0 = performance.now();
        await w.engine.ensureRunning(VM);
        const t1 = performance.now();
        takePlan();
        await w.engine.stop(VM);
        stops.push(performance.now() - t1);
        return t1 - t0;
      };

      // fvm-init.sh appends "pid N" and then "ready" to RUN/status. Here that is a FIFO read
      // from before the spawn, so "ready" is seen the moment it is written (no polling).
      const bareStart = async () => {
        fs.rmSync(status, { force: true });
        spawnSync('/usr/bin/mkfifo', ['-m', '600', status]);
        let text = '';
        let opened = false;
        const reader = fs.createReadStream(status, { encoding: 'utf8' });
        reader.on('open', () => (opened = true));
        let stderr = '';
        const t0 = performance.now();
        const child = spawn(unshare, bareArgs, { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } });
        bare.add(child);
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        let initPid = 0;
        try {
          return await new Promise<number>((resolve, reject) => {
            reader.on('data', (d: string | Buffer) => {
              text += d.toString();
              const pm = /^pid (\d+)$/m.exec(text);
              if (pm) {
                initPid = Number(pm[1]);
                bareInits.add(initPid);
              }
              if (/^ready$/m.test(text)) resolve(performance.now() - t0);
            });
            reader.on('error', reject);
            child.once('exit', (code) => reject(new Error(`bare unshare + fvm-init.sh exited ${code} before ready: ${stderr.trim().slice(-600)}`)));
          });
        } finally {
          if (child.exitCode === null) child.kill('SIGKILL'); // --kill-child: the init dies with it
          await exitOf(child);
          bare.delete(child);
          if (initPid) {
            await waitGone(initPid, 10_000); // its mounts are gone once it is
            bareInits.delete(initPid);
          }
          if (!opened) {
            // The init never opened the FIFO: unblock the pending open before dropping it.
            try {
              fs.closeSync(fs.openSync(status, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
            } catch {
              // no reader left
            }
          }
          reader.destroy();
        }
      };

      // A launch that fails (on a busy shared machine, host mounts under /tmp come and go between
      // plan and mount) is not a timing: it is retried, with a fresh plan, and counted in the note.
      const failures: string[] = [];
      const retried = (what: string, fn: () => Promise<number>) => async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await fn();
          } catch (err) {
            const msg = `${what}: ${(err as Error).message.replace(/\s+/g, ' ').slice(0, 240)}`;
            failures.push(msg);
            ctx.log(`launch failed (attempt ${attempt}): ${msg}`);
            if (attempt >= 3) throw err;
            await w.close();
            if (what === 'bare') {
              await w.engine.ensureRunning(VM); // untimed: a fresh plan for the bare run
              takePlan();
              await w.engine.stop(VM);
            }
          }
        }
      };

      const n = ctx.quick ? 3 : 7;
      ctx.log(`P2: ${n} engine cold starts and ${n} bare starts, interleaved (each followed by an untimed stop)`);
      // Warm-ups: the first engine start creates the upper roots and the first plan (and warms
      // the page cache for the same tools the bare runs exec); --quick skips the bare one.
      await retried('engine', engineStart)();
      if (!ctx.quick) await retried('bare', bareStart)();
      const planOps = fs.readFileSync(path.join(bareRun, 'plan.sh'), 'utf8').split('\n').filter((l) => l.startsWith('fvm_')).length;
      const r = await interleave(n, retried('engine', engineStart), retried('bare', bareStart));
      const eng = median(r.a);
      const base = median(r.b);
      return [
        figure(
          'P2',
          eng,
          base,
          'ms',
          { op: '<=', limit: 1.2 },
          `median of ${n}, interleaved, as ${who()}, network none: value = engine.ensureRunning() of a stopped VM until it returns ` +
            `(baseline fingerprints, mount plan in Node, host dirs, fvm-launch.sh${process.getuid?.() === 0 ? ' with its full-uid-map handshake' : ''}, ` +
            `unshare, fvm-init.sh applying the ~${planOps} ops of run/plan.sh, pivot_root, "ready" seen by the engine's 3 ms status poll) (${spread(r.a)}); ` +
            `baseline = bare \`unshare ${nsFlags.join(' ')} -- sh resources/fvm-init.sh\` on a copy of the same run/plan.sh and the same upper dirs, ` +
            `from spawn until "ready" arrives through a FIFO (${spread(r.b)}); stop excluded from both (engine.stop, untimed, took median ${ms(median(stops))})` +
            (failures.length ? `; ${failures.length} failed launch(es) retried, first: ${failures[0]}` : ''),
        ),
      ];
    } finally {
      for (const c of bare) if (c.exitCode === null) c.kill('SIGKILL');
      for (const pid of bareInits) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await w.close();
    }
  },
};
