import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { portableCacheDir, resolveRepositoryLocation } from '../../../../src/fvm-core/bundle/repo-location.js';
import { upperTreeSupport } from '../../../../src/fvm-core/bundle/fs-capability.js';

describe('resolveRepositoryLocation', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fvm-loc-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const app = path.join(tmp, 'app');
  fs.mkdirSync(app);
  const base = { HOME: tmp, XDG_DATA_HOME: path.join(tmp, 'data'), XDG_CACHE_HOME: path.join(tmp, 'cache') };

  it('takes --home, then FVM_HOME, then the default', () => {
    expect(resolveRepositoryLocation('/x/opt', { ...base, FVM_HOME: '/x/env' }, app)).toMatchObject({ home: '/x/opt', source: 'option' });
    expect(resolveRepositoryLocation(undefined, { ...base, FVM_HOME: '/x/env' }, app)).toMatchObject({ home: '/x/env', source: 'env' });
    expect(resolveRepositoryLocation(undefined, base, app)).toMatchObject({ home: path.join(tmp, 'data/fvm'), source: 'default', bundleStore: null });
  });

  it('uses FVMRep/ beside the app when it exists, or when FVM_PORTABLE=1', () => {
    expect(resolveRepositoryLocation(undefined, { ...base, FVM_PORTABLE: '1' }, app)).toMatchObject({ home: path.join(app, 'FVMRep'), source: 'portable' });
    fs.mkdirSync(path.join(app, 'FVMRep'));
    expect(resolveRepositoryLocation(undefined, base, app)).toMatchObject({ home: path.join(app, 'FVMRep'), source: 'portable', bundleStore: null });
    // An explicit FVM_HOME still wins over a stick.
    expect(resolveRepositoryLocation(undefined, { ...base, FVM_HOME: '/x/env' }, app).source).toBe('env');
    fs.rmdirSync(path.join(app, 'FVMRep'));
  });

  it('beside $APPIMAGE for the AppImage', () => {
    const stick = path.join(tmp, 'stick');
    fs.mkdirSync(path.join(stick, 'FVMRep'), { recursive: true });
    const env = { ...base, APPIMAGE: path.join(stick, 'FVM.AppImage') };
    expect(resolveRepositoryLocation(undefined, env).home).toBe(path.join(stick, 'FVMRep'));
  });

  it('turns a repository that cannot hold upper trees into a bundle store run from a local cache', () => {
    const loc = resolveRepositoryLocation(undefined, { ...base, FVM_PORTABLE: '1', FVM_BUNDLE_STORE: '1' }, app);
    expect(loc.bundleStore).toBe(path.join(app, 'FVMRep'));
    expect(loc.home).toBe(portableCacheDir(path.join(app, 'FVMRep'), base));
    expect(loc.home.startsWith(path.join(tmp, 'cache/fvm/portable/'))).toBe(true);
    expect(resolveRepositoryLocation('/x/opt', { ...base, FVM_BUNDLE_STORE: '0' }, app).bundleStore).toBeNull();
  });
});

describe('upperTreeSupport', () => {
  it('finds that the temporary directory can hold whiteouts and opaque dirs', () => {
    const s = upperTreeSupport(os.tmpdir());
    expect(s.ok, JSON.stringify(s)).toBe(true);
  });
});
