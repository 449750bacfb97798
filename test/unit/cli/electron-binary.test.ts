import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findAppRoot, findElectron } from '../../../src/cli/electron-binary.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'fvm-app-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function fakeElectron(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'electron');
  writeFileSync(file, '#!/bin/sh\n');
  chmodSync(file, 0o755);
  return file;
}

const display = { DISPLAY: ':0' };

describe('findElectron', () => {
  it('says why when the electron package ships no binary', () => {
    const found = findElectron(root, display, 1000);
    expect(found.kind).toBe('missing');
    expect(found).toMatchObject({ reason: expect.stringContaining('no Electron binary') });
  });

  it('finds node_modules/electron/dist/electron', () => {
    const file = fakeElectron(path.join(root, 'node_modules/electron/dist'));
    expect(findElectron(root, display, 1000)).toEqual({ kind: 'found', path: file });
  });

  it('prefers ELECTRON_OVERRIDE_DIST_PATH', () => {
    fakeElectron(path.join(root, 'node_modules/electron/dist'));
    const file = fakeElectron(path.join(root, 'custom'));
    expect(findElectron(root, { ...display, ELECTRON_OVERRIDE_DIST_PATH: path.join(root, 'custom') }, 1000)).toEqual({ kind: 'found', path: file });
  });

  it('needs a display, and will not run as root', () => {
    fakeElectron(path.join(root, 'node_modules/electron/dist'));
    expect(findElectron(root, {}, 1000)).toMatchObject({ kind: 'missing', reason: expect.stringContaining('no display') });
    expect(findElectron(root, display, 0)).toMatchObject({ kind: 'missing', reason: expect.stringContaining('root') });
  });
});

describe('findAppRoot', () => {
  it('walks up to the directory holding out/renderer/index.html', () => {
    mkdirSync(path.join(root, 'out/renderer'), { recursive: true });
    writeFileSync(path.join(root, 'out/renderer/index.html'), '');
    mkdirSync(path.join(root, 'dist'));
    expect(findAppRoot(path.join(root, 'dist'))).toBe(root);
    expect(findAppRoot(os.tmpdir())).toBeNull();
  });
});
