/**
 * The whole app against the real engine in browser mode: create a VM, run a script that writes
 * files, watch the changes arrive, commit one of them, suspend and resume, copy, delete; and in
 * a $HOME with a Wine prefix, edit a VM's Windows registry and commit one key of it.
 * Every screen is saved to test-results/screenshots/.
 *
 *   npx playwright test            (builds first; FVM_E2E_SKIP_BUILD=1 to reuse the build)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
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
    // It also plants an autostart entry in the VM's $HOME, for the Report tab to flag.
    await dialog
      .getByRole('textbox', { name: 'Command' })
      .fill(
        `mkdir -p ~/.config/autostart && printf '[Desktop Entry]\\nType=Application\\nName=Evil\\nExec=/bin/true --evil\\n' > ~/.config/autostart/evil.desktop; ` +
          `for i in 1 2 3; do echo "line $i" > ${target}/file-$i.txt; sleep 1; done; echo wrote 3 files`,
      );
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

  await test.step('the report flags the autostart entry', async () => {
    // From the Changes tab with the keyboard: the tabs are one tab stop, arrows move between them.
    await page.getByRole('tab', { name: /^Changes/ }).click();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByRole('tab', { name: /^Registry/ })).toBeFocused();
    await page.keyboard.press('ArrowRight');
    const reportTab = page.getByRole('tab', { name: /^Report/ });
    await expect(reportTab).toBeFocused();
    await expect(reportTab).toHaveAttribute('aria-selected', 'true');
    const card = page.getByRole('listitem', { name: 'Autostart entry' });
    await expect(card).toBeVisible({ timeout: 60_000 });
    await expect(card).toContainText('High');
    await expect(card).toContainText(path.join(os.homedir(), '.config/autostart/evil.desktop'));
    await expect(card).toContainText('Exec=/bin/true --evil');
    await expect(page.getByRole('region', { name: 'Summary' })).toContainText('Largest files');
    await snap(page, 'report');
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

/** Wine's three hive files, small but in the format Wine writes them (roots as in test/fixtures/wine-reg/). */
const HIVES: Readonly<Record<string, string>> = {
  'system.reg': String.raw`WINE REGISTRY Version 2
;; All keys relative to REGISTRY\\Machine

#arch=win64

[Software\\Wine] 1795500171
#time=1dd7bd970246428
"Version"="e2e"

[System\\CurrentControlSet\\Control\\Session Manager\\Environment] 1795500171
#time=1dd7bd970246428
"windir"="C:\\windows"
`,
  'user.reg': String.raw`WINE REGISTRY Version 2
;; All keys relative to REGISTRY\\User\\S-1-5-21-0-0-0-1000

#arch=win64

[Control Panel\\Desktop] 1795500166
#time=1dd7bd96d6dd322
"Wallpaper"=""

[Software\\Wine\\Debug] 1795500166
#time=1dd7bd96d6dd322
"RelayExclude"="ntdll.RtlEnterCriticalSection"
`,
  'userdef.reg': String.raw`WINE REGISTRY Version 2
;; All keys relative to REGISTRY\\User\\.Default

#arch=win64

[Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Shell Folders] 1795500170
#time=1dd7bd96fe307d0
"AppData"="C:\\users\\root\\AppData\\Roaming"
`,
};

test('the Windows registry: browse, add values, commit one key to the host', async ({ page }) => {
  // A $HOME of its own with a Wine prefix in it: no wineboot needed, and the user's own ~/.wine untouched.
  const userHome = mkdtempSync(path.join(os.tmpdir(), 'fvm-e2e-wine-home-'));
  const hostUserReg = path.join(userHome, '.wine', 'user.reg');
  mkdirSync(path.dirname(hostUserReg));
  for (const [file, text] of Object.entries(HIVES)) writeFileSync(path.join(userHome, '.wine', file), text);
  const regUi = await startUi({ userHome });
  const browserErrors: string[] = [];
  page.on('pageerror', (e) => browserErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') browserErrors.push(m.text());
  });
  const panes = page.getByRole('group', { name: 'Registry view' });
  const keyBox = (key: string) => page.getByRole('checkbox', { name: key, exact: true });
  try {
    await test.step('a new VM has not changed the registry', async () => {
      await page.goto(regUi.url);
      await page.getByRole('button', { name: 'Create your first VM' }).click();
      const dialog = page.getByRole('dialog', { name: 'New VM' });
      await dialog.getByLabel('Name').fill('e2e-reg');
      await dialog.getByLabel('Network', { exact: true }).selectOption('none');
      await dialog.getByLabel('Name').press('Enter');
      await expect(page.getByRole('heading', { level: 1, name: 'e2e-reg' })).toBeVisible();
      await page.getByRole('tab', { name: /^Registry/ }).click();
      await expect(page.getByText('This VM has not changed the registry')).toBeVisible();
      await expect(page.getByRole('tabpanel')).toContainText('Windows programs run through Wine');
      await snap(page, 'registry-empty');
    });

    await test.step('browse HKCU with the keyboard', async () => {
      await panes.getByRole('button', { name: 'Browse' }).click();
      await expect(page.getByRole('textbox', { name: 'Key path' })).toHaveValue('HKCU\\Software');
      await expect(page.getByRole('option', { name: 'Wine' })).toBeVisible();
      await page.getByRole('group', { name: 'Registry root' }).getByRole('button', { name: 'HKCU' }).click();
      const top = page.getByRole('listbox', { name: 'Subkeys of HKCU' });
      await expect(top.getByRole('option', { name: 'Control Panel' })).toBeVisible();
      await top.focus();
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
      await expect(page.getByRole('navigation', { name: 'Breadcrumb' })).toContainText('Software');
      await expect(page.getByRole('textbox', { name: 'Key path' })).toHaveValue('HKCU\\Software');
      await page.getByRole('listbox', { name: 'Subkeys of HKCU\\Software' }).getByRole('option', { name: 'Wine' }).click();
      await expect(page.getByRole('listbox', { name: 'Subkeys of HKCU\\Software\\Wine' }).getByRole('option', { name: 'Debug' })).toBeVisible();
      await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('button', { name: 'Software' }).click();
      await expect(page.getByRole('textbox', { name: 'Key path' })).toHaveValue('HKCU\\Software');
      await snap(page, 'registry-browse');
    });

    await test.step('make a key and set a value in the VM', async () => {
      await page.getByRole('button', { name: 'New key' }).click();
      await page.getByLabel('New key name').fill('FvmE2E');
      await page.getByRole('button', { name: 'Create key' }).click();
      await expect(page.getByRole('textbox', { name: 'Key path' })).toHaveValue('HKCU\\Software\\FvmE2E');
      await page.getByRole('button', { name: 'Add value' }).click();
      await page.getByLabel('Value name').fill('Greeting');
      await page.getByLabel('Type', { exact: true }).selectOption('REG_SZ');
      await page.getByLabel('Data', { exact: true }).fill('hello from the VM');
      await snap(page, 'registry-value-form');
      await page.getByRole('button', { name: 'Set value' }).click();
      await expect(page.getByRole('table', { name: 'Values of HKCU\\Software\\FvmE2E' })).toContainText('hello from the VM');
      await snap(page, 'registry-browse-key');

      // A second key, typed in the path field: missing, so the view offers to make it.
      await page.getByRole('textbox', { name: 'Key path' }).fill('HKCU\\Software\\FvmOther');
      await page.getByRole('textbox', { name: 'Key path' }).press('Enter');
      await expect(page.getByRole('alert')).toContainText('REGISTRY_KEY_NOT_FOUND');
      await page.getByRole('button', { name: 'Create HKCU\\Software\\FvmOther in the VM' }).click();
      await page.getByRole('button', { name: 'Add value' }).click();
      await page.getByLabel('Value name').fill('Left');
      await page.getByLabel('Data', { exact: true }).fill('behind');
      await page.getByLabel('Data', { exact: true }).press('Enter');
      await expect(page.getByRole('table', { name: 'Values of HKCU\\Software\\FvmOther' })).toContainText('behind');
      expect(readFileSync(hostUserReg, 'utf8')).not.toContain('FvmE2E');
    });

    await test.step('see both in the registry changes and commit one', async () => {
      await panes.getByRole('button', { name: /^Changes/ }).click();
      await expect(keyBox('HKCU\\Software\\FvmE2E')).toBeVisible();
      await expect(keyBox('HKCU\\Software\\FvmOther')).toBeVisible();
      await page.getByRole('button', { name: 'Show the values of HKCU\\Software\\FvmE2E' }).click();
      await expect(page.getByRole('listbox', { name: 'Registry changes in e2e-reg' })).toContainText('hello from the VM');
      await keyBox('HKCU\\Software\\FvmE2E').check();
      await expect(page.locator('.changes-footer')).toContainText('1 checked');
      await snap(page, 'registry-changes');
      await page.getByRole('button', { name: /^Commit 1 selected key/ }).click();
      const dialog = page.getByRole('dialog', { name: 'Commit 1 registry key to the host' });
      await expect(dialog).toContainText('HKCU\\Software\\FvmE2E');
      await snap(page, 'registry-commit-dialog');
      await dialog.getByRole('button', { name: 'Commit to host' }).click();
      await expect(dialog).toBeHidden({ timeout: 60_000 });
      await expect(page.locator('.reg-committed')).toContainText('Committed to the host');
      const host = readFileSync(hostUserReg, 'utf8');
      expect(host).toContain('[Software\\\\FvmE2E]');
      expect(host).toContain('"Greeting"="hello from the VM"');
      expect(host).not.toContain('FvmOther');
      await expect(keyBox('HKCU\\Software\\FvmE2E')).toHaveCount(0);
      await expect(keyBox('HKCU\\Software\\FvmOther')).toBeVisible();
      await expect(page.getByRole('button', { name: 'Undo commit' })).toBeEnabled();
      await snap(page, 'registry-committed');
    });

    await test.step('delete the other key in the VM', async () => {
      await panes.getByRole('button', { name: 'Browse' }).click();
      await page.getByRole('textbox', { name: 'Key path' }).fill('HKCU\\Software\\FvmOther');
      await page.getByRole('textbox', { name: 'Key path' }).press('Enter');
      await page.getByRole('button', { name: 'Delete key…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete this key?' });
      await expect(dialog).toContainText('HKCU\\Software\\FvmOther');
      await dialog.getByRole('button', { name: 'Delete key' }).click();
      await expect(dialog).toBeHidden();
      await expect(page.getByRole('textbox', { name: 'Key path' })).toHaveValue('HKCU\\Software');
      await panes.getByRole('button', { name: /^Changes/ }).click();
      await expect(page.getByText('This VM has not changed the registry')).toBeVisible();
    });

    await test.step('delete the VM; the committed key stays on the host', async () => {
      await page.getByRole('button', { name: 'Delete…' }).click();
      await page.getByRole('dialog', { name: 'Delete e2e-reg?' }).getByRole('button', { name: 'Delete VM' }).click();
      await expect(page.getByRole('heading', { name: 'No VMs yet' })).toBeVisible({ timeout: 60_000 });
      expect(readFileSync(hostUserReg, 'utf8')).toContain('"Greeting"="hello from the VM"');
    });
    expect(browserErrors).toEqual([]);
  } finally {
    await regUi.stop();
    rmSync(userHome, { recursive: true, force: true });
  }
});
