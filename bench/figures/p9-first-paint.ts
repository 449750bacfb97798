/**
 * P9: first paint of a 100,000-entry diff (quick: 10,000) in Chromium, against the floor of any
 * front end: the engine producing that same diff as the JSON document it sends. The ratio is
 * what the app adds (socket, decoding, store, React, layout and paint) to the work it cannot
 * avoid; a list that rendered every row, or re-sorted and copied the diff, would show here. The
 * first paint of a 100-entry diff is measured too and quoted in the note.
 *
 * The app is what a user gets: the built renderer served by `fvm ui --web` (a child process,
 * the real engine behind it) in Debian's Chromium, driven by Playwright. One page serves every
 * measurement, as one window serves a user: the VM is selected on its Processes tab (after
 * another VM, so its changes are not loaded yet), then, inside the page, the clock starts as the
 * Changes tab is clicked and stops after the first frame that holds rows has been painted (the first change
 * row in the DOM, then requestAnimationFrame, then a message task: that task runs once the frame
 * is out). The time covers the engine's diff, the answer over the socket, the store and React.
 *
 * The VMs are made as in P6: the VM creates its directory, then the files are written straight
 * into the stopped VM's upper tree, which is what the VM would have produced, only faster.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { BenchContext, FigureModule } from '../figure.js';
import { figure, median } from '../figure.js';
import { upperPathOf } from '../../src/redirect/host-path.js';
import { createVm, FVM_CLI, interleave, ms, openWorld, ROOT, shInVm, spread, who, type World } from '../lib/fvm-bench.js';

const PER_DIR = 1000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A stopped VM whose diff has `files` new files (plus the few directories that hold them). */
async function vmWithFiles(w: World, name: string, files: number): Promise<void> {
  const data = path.join(w.tmp, `paint-${name}`);
  await createVm(w, name);
  await shInVm(w, name, 'set -e; mkdir -p "$1"', [data]);
  await w.engine.stop(name);
  const upper = upperPathOf(w.paths(name).fs, data);
  if (!fs.existsSync(upper)) throw new Error(`the VM's mkdir did not land in ${upper}`);
  for (let d = 0; d * PER_DIR < files; d++) {
    const dir = path.join(upper, `d${d}`);
    fs.mkdirSync(dir);
    const n = Math.min(PER_DIR, files - d * PER_DIR);
    for (let i = 0; i < n; i++) fs.closeSync(fs.openSync(path.join(dir, `f${i}`), 'w', 0o644));
  }
}

/** `fvm ui --web` on a free port, in the world's repository; resolves with its URL. */
async function startUi(w: World): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [FVM_CLI, 'ui', '--web', '--port', '0'], { cwd: ROOT, env: w.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fvm ui --web printed no URL within 30 s:\n${log}`)), 30_000);
    child.stdout?.on('data', () => {
      const m = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fvm ui --web exited with ${code}:\n${log}`));
    });
  });
  return { url, child };
}

async function stopUi(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await gone;
  clearTimeout(timer);
}

// The page scripts are strings: a function would go through tsx's transform, which may add
// helpers (`__name`) that do not exist in the page.

/** Notes when a large message (the diff) reaches the page, before the app's own listener runs. */
const MARK_BIG_MESSAGES = `(() => {
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (typeof e.data === 'string' && e.data.length > 4096) window.__bigMessageAt = performance.now();
      });
    }
  };
})()`;

/** Clicks the Changes tab and resolves once the first frame with a change row has been painted. */
const TIME_FIRST_PAINT = `new Promise((resolve, reject) => {
  window.__bigMessageAt = undefined;
  const t0 = performance.now();
  const timer = setTimeout(() => reject(new Error('no change row within 120 s')), 120000);
  const observer = new MutationObserver(() => {
    if (!document.querySelector('.change-row')) return;
    observer.disconnect();
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        clearTimeout(timer);
        resolve({ total: performance.now() - t0, socketAt: window.__bigMessageAt ?? t0, t0 });
      };
      channel.port2.postMessage(null);
    });
  });
  observer.observe(document.body, { childList: true, subtree: true });
  document.getElementById('tab-changes').click();
})`;

interface Paint {
  /** Click on the Changes tab to the first painted frame with rows. */
  readonly total: number;
  /** The diff's answer arriving on the socket to that frame: the browser's own part. */
  readonly browser: number;
  readonly rows: string;
}

/** The app in a fresh page, with the large-message mark in place. */
async function openApp(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript(MARK_BIG_MESSAGES);
  await page.goto(url);
  await page.getByRole('button', { name: /^idle / }).waitFor();
  return page;
}

/**
 * Selects `vm` on its Processes tab (through the idle VM, so its changes are never already
 * loaded), then times the Changes tab's first paint of rows inside the page.
 */
async function firstPaint(page: Page, vm: string): Promise<Paint> {
  for (const name of ['idle', vm]) {
    await page.getByRole('button', { name: new RegExp(`^${name} `) }).click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await page.locator('#tab-processes').click();
  }
  await page.locator('#tab-processes[aria-selected="true"]').waitFor();
  const timing = (await page.evaluate(TIME_FIRST_PAINT)) as { total: number; socketAt: number; t0: number };
  const rows = (await page.locator('.changes-footer > .muted').textContent()) ?? '';
  return { total: timing.total, browser: timing.total - (timing.socketAt - timing.t0), rows: rows.trim() };
}

export const p9: FigureModule = {
  ids: ['P9'],
  async run(ctx: BenchContext) {
    if (!fs.existsSync(path.join(ROOT, 'out/renderer/index.html')) || !fs.existsSync(path.join(ROOT, 'dist/cli.js'))) {
      throw new Error('P9 drives the built app: run `npm run build` first');
    }
    const files = ctx.quick ? 10_000 : 100_000;
    const small = 100;
    const reps = ctx.quick ? 2 : 5;
    const w = openWorld(ctx);
    let ui: { url: string; child: ChildProcess } | null = null;
    let browser: Browser | null = null;
    try {
      ctx.log(`P9: a VM with ${files} new files and one with ${small}, written into their upper trees`);
      await vmWithFiles(w, 'big', files);
      await vmWithFiles(w, 'small', small);
      await createVm(w, 'idle');
      ctx.log('P9: starting fvm ui --web and Chromium');
      ui = await startUi(w);
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
      });
      const page = await openApp(browser, ui.url);
      const seen: Record<string, Paint[]> = { big: [], small: [] };
      const measure = (vm: string) => async () => {
        const p = await firstPaint(page, vm);
        seen[vm].push(p);
        return p.total;
      };
      // The floor: the engine's diff of the same VM, serialized as the browser bridge sends it.
      const engineDiff = async () => {
        const t0 = performance.now();
        const doc = JSON.stringify(await w.engine.invoke('vm:diff', { name: 'big' }));
        if (doc.length < files * 20) throw new Error('the engine diff of the big VM is too short');
        return performance.now() - t0;
      };
      ctx.log(`P9: 1 warm-up + ${reps} × first paint and engine diff, interleaved; then the ${small}-file VM`);
      await interleave(1, measure('big'), engineDiff);
      seen.big = [];
      const r = await interleave(reps, measure('big'), engineDiff);
      const smallPaint: number[] = [];
      for (let i = 0; i < reps; i++) smallPaint.push(await measure('small')());
      const shown = seen.big[0]?.rows ?? '';
      if (Number(/([\d,]+) changes?\b/.exec(shown)?.[1].replace(/,/g, '') ?? 0) < files) {
        throw new Error(`the Changes tab of the big VM shows "${shown}", expected at least ${files} changes`);
      }
      const browserPart = median(seen.big.map((p) => p.browser));
      return [
        figure(
          'P9',
          median(r.a),
          median(r.b),
          'ms',
          { op: '<=', limit: 1.5 },
          `median of ${reps}, interleaved, after a warm-up, as ${who()}, fvm ui --web + Debian Chromium (headless, Playwright), one page: ` +
            `value = click on the Changes tab to the first painted frame with rows, VM with ${files} new files (${shown}) (${spread(r.a)}; ` +
            `of which ${ms(browserPart)} in the browser, from the diff's arrival on the socket); ` +
            `baseline = the engine's vm:diff of that VM as a JSON document, in process (${spread(r.b)}); ` +
            `first paint of a ${small}-file VM: ${ms(median(smallPaint))}`,
        ),
      ];
    } finally {
      await browser?.close().catch(() => undefined);
      if (ui) await stopUi(ui.child);
      await w.close();
    }
  },
};
