/**
 * Screenshots of the built renderer against a fake in-memory engine, for looking at the UI
 * without namespaces or an Electron binary:
 *
 *   npx electron-vite build && npx tsx test/visual/preview.ts [outDir]
 *
 * It drives the real browser bridge and web server; only the engine is fake. It also times the
 * Changes tab with 100,000 rows. The e2e suite (test/e2e) drives the real engine instead.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Page } from 'playwright-core';
import { startWebServer } from '../../src/cli/web-server.js';
import type { Change, ChangeKind } from '../../src/shared/types.js';
import { FakeEngine } from '../helpers/fake-engine.js';

const root = path.resolve(import.meta.dirname, '../..');
const outDir = path.resolve(process.argv[2] ?? path.join(root, 'test-results/preview'));
mkdirSync(outDir, { recursive: true });

function manyChanges(n: number): Change[] {
  const kinds: ChangeKind[] = ['added', 'added', 'modified', 'deleted'];
  const out: Change[] = [];
  for (let i = 0; i < n; i++) {
    const kind = kinds[i % kinds.length];
    out.push({
      kind,
      path: `/home/user/.local/lib/node_modules/pkg-${Math.floor(i / 100)}/dist/chunk-${i % 100}.js`,
      type: 'file',
      size: kind === 'deleted' ? 0 : 1000 + ((i * 7919) % 90000),
    });
  }
  return out;
}

function demoEngine(): FakeEngine {
  const engine = new FakeEngine({ stepMs: 120 });
  const node = engine.addVm('try-nodejs', { state: 'running', initPid: 51230, sizeBytes: 184_320_000, processCount: 4 }, manyChanges(100_000));
  node.processes = [
    { vm: 'try-nodejs', pid: 51230, ppid: 51229, vmPid: 1, cmd: 'fvm-init', state: 'S' },
    { vm: 'try-nodejs', pid: 51244, ppid: 51230, vmPid: 2, cmd: '/bin/sh -c curl -fsSL https://example.org/install.sh | sh', state: 'S' },
    { vm: 'try-nodejs', pid: 51245, ppid: 51244, vmPid: 3, cmd: 'curl -fsSL https://example.org/install.sh', state: 'S' },
    { vm: 'try-nodejs', pid: 51246, ppid: 51244, vmPid: 4, cmd: 'sh', state: 'R' },
    { vm: 'try-nodejs', pid: 51302, ppid: 51246, vmPid: 5, cmd: 'npm install -g some-cli', state: 'R' },
  ];
  engine.addVm('notepad-msi', { state: 'suspended', initPid: 50110, sizeBytes: 512_000_000, processCount: 2, commits: 1, config: { network: 'none', preset: 'untrusted', hostname: 'sandbox', rules: [{ mode: 'hidden', path: '/home/user/Documents' }, { mode: 'ro', path: '/etc' }] } }, [
    { kind: 'added', path: '/home/user/.wine/drive_c/Program Files/Notepad++/notepad++.exe', type: 'file', size: 4_200_000 },
    { kind: 'modified', path: '/home/user/.wine/user.reg', type: 'file', size: 88_000 },
  ]);
  engine.addVm('clean', { sizeBytes: 0 });
  return engine;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(150);
  await page.screenshot({ path: path.join(outDir, `${name}.png`) });
  console.log(`  ${name}.png`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const errors: string[] = [];
try {
  // 1. The empty state, on an engine with no VMs.
  {
    const engine = new FakeEngine();
    const server = await startWebServer(engine, { staticDir: path.join(root, 'out/renderer') });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    await page.getByText('No VMs yet').waitFor();
    await shot(page, '01-empty');
    await page.getByRole('button', { name: 'Create your first VM' }).click();
    await page.getByLabel('Name').fill('Bad name!');
    await page.getByRole('button', { name: 'Create VM' }).click();
    await shot(page, '02-create-invalid');
    await page.close();
    await server.close();
  }

  // 2. A populated engine.
  const engine = demoEngine();
  const server = await startWebServer(engine, { staticDir: path.join(root, 'out/renderer') });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.getByRole('button', { name: /^try-nodejs/ }).click();
  await page.getByRole('tab', { name: /Processes/ }).waitFor();
  await shot(page, '03-processes');

  let t = Date.now();
  await page.getByRole('tab', { name: /Changes/ }).click();
  await page.getByRole('checkbox', { name: /chunk-0\.js$/ }).first().waitFor();
  console.log(`  changes tab with 100,000 rows shown in ${Date.now() - t} ms`);
  const domRows = await page.locator('.vrow').count();
  console.log(`  rows in the DOM: ${domRows}`);
  await page.getByRole('checkbox', { name: '/home/user/.local/lib/node_modules/pkg-0/dist/chunk-1.js' }).check();
  await page.getByRole('checkbox', { name: '/home/user/.local/lib/node_modules/pkg-0/dist/chunk-4.js' }).check();
  await shot(page, '04-changes-100k');
  t = Date.now();
  await page.locator('.vlist').evaluate((el) => {
    el.scrollTop = el.scrollHeight / 2;
  });
  await page.getByText('chunk-0.js').first().waitFor();
  console.log(`  scrolled to the middle in ${Date.now() - t} ms`);
  t = Date.now();
  await page.getByLabel('Filter paths').fill('pkg-999/');
  await page.getByText('100 of 100,000 changes').waitFor();
  console.log(`  filtered 100,000 rows in ${Date.now() - t} ms`);
  await shot(page, '05-changes-filtered');
  await page.getByLabel('Filter paths').fill('');

  await page.getByRole('button', { name: /Commit 2 checked/ }).click();
  await shot(page, '06-commit-dialog');
  await page.getByLabel(/Stop the VM first/).uncheck();
  await page.getByRole('button', { name: 'Commit to host' }).click();
  await page.getByText('VM_RUNNING').waitFor();
  await shot(page, '06b-commit-error');
  await page.keyboard.press('Escape');

  await page.getByRole('tab', { name: 'Settings' }).click();
  await shot(page, '07-settings');

  await page.getByRole('button', { name: /^notepad-msi/ }).click();
  await page.getByRole('tab', { name: 'Settings' }).click();
  await shot(page, '08-settings-untrusted');

  await page.getByRole('button', { name: /^clean/ }).click();
  await page.getByRole('tab', { name: /Changes/ }).click();
  await page.getByText('No changes').waitFor();
  await page.getByRole('button', { name: 'Run…' }).click();
  await page.getByRole('textbox', { name: 'Command' }).fill('echo hello && touch ~/x');
  await shot(page, '09-run-dialog');
  await page.getByText('Program or installer', { exact: true }).click();
  await page.getByLabel('File').fill('/home/user/Downloads/Notepad++ Setup.msi');
  await shot(page, '10-run-dialog-msi');
  await page.getByText('Command line', { exact: true }).click();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.getByText('file-3.txt').waitFor();
  await shot(page, '11-live-changes');
  await page.getByRole('tab', { name: /Processes/ }).click();
  await page.getByText('warning: this is only a fake engine').waitFor();
  await shot(page, '12-after-run');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.getByRole('button', { name: /^try-nodejs/ }).click();
  await page.getByRole('tab', { name: /Changes/ }).click();
  await page.getByRole('checkbox', { name: /chunk-0\.js$/ }).first().waitFor();
  await shot(page, '12b-dark');
  await page.emulateMedia({ colorScheme: 'light' });

  engine.addVm('stopped-one');
  await page.getByRole('button', { name: 'Refresh the VM list' }).click();
  await page.getByRole('button', { name: /^stopped-one/ }).click();
  await page.getByRole('button', { name: 'Copy…' }).click();
  await page.getByLabel('Name of the copy').fill('clean');
  await page.getByRole('button', { name: 'Copy', exact: true }).click();
  await shot(page, '13-copy-error');
  await page.getByLabel('Name of the copy').fill('stopped-one-copy');
  await page.getByRole('button', { name: 'Copy', exact: true }).click();
  await page.getByRole('button', { name: /^stopped-one-copy/ }).waitFor();
  await page.getByRole('button', { name: 'Delete…' }).click();
  await shot(page, '14-delete-confirm');
  await page.getByRole('button', { name: 'Delete VM' }).click();
  await page.getByText('Deleted stopped-one-copy').waitFor();
  await shot(page, '15-after-delete');
  await page.close();
  await server.close();
} finally {
  await browser.close();
}
if (errors.length > 0) {
  console.error(`browser errors:\n${errors.join('\n')}`);
  process.exitCode = 1;
}
console.log(`screenshots in ${outDir}`);
