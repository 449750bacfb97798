import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const desktop = readFileSync(path.join(root, 'resources/fvm.desktop'), 'utf8');
const builder = readFileSync(path.join(root, 'electron-builder.yml'), 'utf8');

function desktopKey(key: string): string {
  return new RegExp(`^${key}=(.*)$`, 'm').exec(desktop)?.[1] ?? '';
}

describe('desktop integration', () => {
  it('registers the installer MIME types in both the .desktop file and electron-builder', () => {
    const fromDesktop = desktopKey('MimeType').split(';').filter(Boolean);
    const block = /mimeTypes:\n((?:\s+- .*\n)+)/.exec(builder)?.[1] ?? '';
    const fromBuilder = block
      .split('\n')
      .map((l) => l.trim().replace(/^- /, ''))
      .filter(Boolean);
    expect(fromBuilder).toEqual(fromDesktop);
    for (const type of ['application/x-shellscript', 'application/vnd.appimage', 'application/vnd.debian.binary-package', 'application/x-msi', 'application/x-ms-dos-executable']) {
      expect(fromDesktop).toContain(type);
    }
  });

  it('offers "Open in a new FVM VM" through --open-in-new-vm', () => {
    expect(desktopKey('Actions')).toBe('open-in-new-vm;');
    expect(desktop).toMatch(/\[Desktop Action open-in-new-vm\]\nName=Open in a new FVM VM\nExec=fvm-desktop --open-in-new-vm %f/);
    expect(builder).toContain('Exec: fvm-desktop --open-in-new-vm %f');
  });

  it('ships the icons it names', () => {
    for (const size of [16, 32, 48, 64, 128, 256, 512]) expect(existsSync(path.join(root, `resources/icons/${size}x${size}.png`))).toBe(true);
    expect(existsSync(path.join(root, 'resources/icons/fvm.svg'))).toBe(true);
  });
});
