/**
 * The whole app against the real engine in browser mode: create a VM, run a script that writes
 * files, watch the changes arrive, commit one of them, suspend and resume, copy, delete.
 * Every screen is saved to test-results/screenshots/.
 *
 *   npx playwright test            (builds first; FVM_E2E_SKIP_BUILD=1 to reuse the build)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { startUi } from './fvm-ui.js';
import type { RunningUi } from './fvm-ui.js';

const root = path.resolve(import.meta.dirname, '../..');
const shots = path.join(root, 'test-results/screenshots');
// The script writes here on the host's view; /var/tmp is one of the VM's copy-on-write roots
// even for a plain user (DESIGN.md §1), so nothing reaches the host before the commit.
const targetParent = process.env.FVM_E2E_TARGET_PARENT ?? '/var/tmp';

let ui: RunningUi;
let target: string;
let shot = 0;

async function snap(page: Page, name: string): Promise<void> {
  shot++;
  await page.screenshot({ path: path.join(shots, `${String(shot).padStart(2, '0')}-${name}.png`) });
}

test.beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  target = mkdtempSync(path.join(targetParent, 'fvm-e2e-'));
  ui = await startUi();
});

test.afterAll(async () => {
  await ui?.stop();
  if (target) rmSync(target, { recursive: true, force: true });
});

test('a VM from creation to deletion', async ({ page }) => {
  const browserErrors: string[] = [];
  page.on('pageerror', (e) => browserErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') browserErrors.push(m.text());
  });
  const vmRow = (name: string) => page.getByRole('button', { name: new RegExp(`^${name} `) });
  const statePill = page.locator('.detail-title .state-pill');
  const changeBox = (file: string) => page.getByRole('checkbox', { name: path.join(target, file), exact: true });

  await test.step('the empty state', async () => {
    await page.goto(ui.url);
    await expect(page.getByRole('heading', { name: 'No VMs yet' })).toBeVisible();
    await snap(page, 'empty');
  });

  await test.step('create a VM', async () => {
    await page.getByRole('button', { name: 'Create your first VM' }).click();
    const dialog = page.getByRole('dialog', { name: 'New VM' });
    await expect(dialog.getByLabel('Name')).toBeFocused();
    await dialog.getByLabel('Name').fill('e2e-vm');
    // No network: the test needs none, and slirp4netns may be missing.
    await dialog.getByLabel('Network', { exact: true }).selectOption('none');
    await snap(page, 'create-dialog');
    await dialog.getByLabel('Name').press('Enter');
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('heading', { level: 1, name: 'e2e-vm' })).toBeVisible();
    await expect(vmRow('e2e-vm')).toHaveAttribute('aria-current', 'true');
    await expect(statePill).toHaveText('Stopped');
    await snap(page, 'vm-created');
  });

  await test.step('run a script that writes files and watch the changes arrive', async () => {
    await page.getByRole('tab', { name: /^Changes/ }).click();
    await expect(page.getByRole('button', { name: 'Refresh diff' })).toBeEnabled();
    await snap(page, 'changes-before');
    await page.getByRole('button', { name: 'Run…', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Run in e2e-vm' });
    await dialog.getByRole('textbox', { name: 'Command' }).fill(`for i in 1 2 3; do echo "line $i" > ${target}/file-$i.txt; sleep 1; done; echo wrote 3 files`);
    await snap(page, 'run-dialog');
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await expect(dialog).toBeHidden();
    // No click on "Refresh diff": the rows must come by themselves.
    for (const file of ['file-1.txt', 'file-2.txt', 'file-3.txt']) await expect(changeBox(file)).toBeVisible({ timeout: 60_000 });
    await snap(page, 'changes-live');
    expect(existsSync(path.join(target, 'file-1.txt'))).toBe(false);
  });

  await test.step('the process tree and the output', async () => {
    await page.getByRole('tab', { name: /^Processes/ }).click();
    await expect(page.getByLabel('Program output')).toContainText('wrote 3 files', { timeout: 60_000 });
    await expect(page.getByLabel('Recently exited')).toContainText('exit 0');
    await snap(page, 'processes');
  });

  await test.step('commit one file, and only that one, to the host', async () => {
    await page.getByRole('tab', { name: /^Changes/ }).click();
    await changeBox('file-2.txt').check();
    await expect(page.locator('.changes-footer')).toContainText('1 checked');
    await page.getByRole('button', { name: /^Commit 1 checked/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Commit 1 change to the host' });
    await expect(dialog).toContainText(path.join(target, 'file-2.txt'));
    await snap(page, 'commit-dialog');
    await dialog.getByRole('button', { name: 'Commit to host' }).click();
    await expect(dialog).toBeHidden({ timeout: 60_000 });
    await expect(page.getByRole('status').filter({ hasText: 'Committed to the host' })).toBeVisible();
    expect(readFileSync(path.join(target, 'file-2.txt'), 'utf8')).toBe('line 2\n');
    expect(existsSync(path.join(target, 'file-1.txt'))).toBe(false);
    expect(existsSync(path.join(target, 'file-3.txt'))).toBe(false);
    await expect(changeBox('file-1.txt')).toBeVisible();
    await expect.soft(changeBox('file-2.txt')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Undo commit' })).toBeEnabled();
    await snap(page, 'after-commit');
  });

  await test.step('the settings', async () => {
    await page.getByRole('tab', { name: 'Settings' }).click();
    await expect(page.getByRole('tabpanel')).toContainText('None: loopback only');
    await snap(page, 'settings');
  });

  await test.step('suspend and resume', async () => {
    await page.getByRole('button', { name: 'Run…', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Run in e2e-vm' });
    await dialog.getByRole('textbox', { name: 'Command' }).fill('sleep 300');
    await dialog.getByRole('textbox', { name: 'Command' }).press('Enter');
    await expect(dialog).toBeHidden();
    await expect(statePill).toHaveText('Running');
    await expect(page.locator('.proc-table')).toContainText('sleep 300');
    await page.getByRole('button', { name: 'Suspend' }).click();
    await expect(statePill).toHaveText('Suspended');
    await expect(vmRow('e2e-vm')).toContainText('Suspended');
    await snap(page, 'suspended');
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect(statePill).toHaveText('Running');
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(statePill).toHaveText('Stopped', { timeout: 60_000 });
  });

  await test.step('copy', async () => {
    await page.getByRole('button', { name: 'Copy…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Copy e2e-vm' });
    await dialog.getByLabel('Name of the copy').fill('e2e-copy');
    await snap(page, 'copy-dialog');
    await dialog.getByRole('button', { name: 'Copy', exact: true }).click();
    await expect(dialog).toBeHidden({ timeout: 60_000 });
    await expect(page.getByRole('heading', { level: 1, name: 'e2e-copy' })).toBeVisible();
    await expect(vmRow('e2e-copy')).toBeVisible();
    await page.getByRole('tab', { name: /^Changes/ }).click();
    // The copy holds the VM's uncommitted changes.
    await expect(changeBox('file-1.txt')).toBeVisible();
    await snap(page, 'copy');
  });

  await test.step('delete both', async () => {
    await page.getByRole('button', { name: 'Delete…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete e2e-copy?' });
    await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
    await snap(page, 'delete-dialog');
    await dialog.getByRole('button', { name: 'Delete VM' }).click();
    await expect(dialog).toBeHidden({ timeout: 60_000 });
    await expect(vmRow('e2e-copy')).toHaveCount(0);

    await vmRow('e2e-vm').click();
    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('dialog', { name: 'Delete e2e-vm?' }).getByRole('button', { name: 'Delete VM' }).click();
    await expect(page.getByRole('heading', { name: 'No VMs yet' })).toBeVisible({ timeout: 60_000 });
    // Deleting a VM never touches the host: the committed file stays.
    expect(readFileSync(path.join(target, 'file-2.txt'), 'utf8')).toBe('line 2\n');
    await snap(page, 'deleted');
  });

  expect(browserErrors).toEqual([]);
});

test('Escape closes a dialog and the keyboard reaches every control', async ({ page }) => {
  await page.goto(ui.url);
  await page.getByRole('button', { name: 'New VM' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'New VM' });
  await expect(dialog.getByLabel('Name')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('radio', { name: 'Default' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('button', { name: 'New VM' })).toBeFocused();
});
