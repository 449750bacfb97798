import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ensurePrefix, findPrefix, hostHiveMatcher, loadPrefixes, relocatePrefixes } from '../../../../src/fvm-core/registry/wine-prefixes.js';
import { vmPaths } from '../../../../src/fvm-core/repository.js';
import type { FvmError } from '../../../../src/shared/errors.js';

describe('the prefixes a VM follows', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fvm-prefixes-'));
  const p = vmPaths(root, 'vm1');
  afterEach(() => fs.rmSync(p.dir, { recursive: true, force: true }));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('records each prefix once, with ids never reused', () => {
    expect(loadPrefixes(p)).toEqual([]);
    const a = ensurePrefix(p, '/home/u/.wine/');
    const b = ensurePrefix(p, '/home/u/games');
    expect(ensurePrefix(p, '/home/u/.wine')).toEqual(a);
    expect([a.id, b.id]).toEqual(['p1', 'p2']);
    expect(findPrefix(p, '/home/u/games')).toEqual(b);
    expect(findPrefix(p, '/elsewhere')).toBeUndefined();
  });

  it('matches only the hives the host has', () => {
    const prefix = path.join(root, 'pfx');
    fs.mkdirSync(prefix, { recursive: true });
    fs.writeFileSync(path.join(prefix, 'user.reg'), '');
    const match = hostHiveMatcher([{ id: 'p1', path: prefix }]);
    expect(match(path.join(prefix, 'user.reg'))).toBe(true);
    expect(match(path.join(prefix, 'system.reg'))).toBe(false);
    expect(match(path.join(prefix, 'drive_c'))).toBe(false);
  });

  it('moves prefix paths with an import and drops the stamps of the other file system', () => {
    ensurePrefix(p, '/home/old/.wine');
    fs.mkdirSync(path.join(p.registry, 'p1'));
    fs.writeFileSync(path.join(p.registry, 'p1', 'stamp.json'), '{}');
    relocatePrefixes(p.registry, (h) => h.replace('/home/old', '/home/new'));
    expect(loadPrefixes(p)).toEqual([{ id: 'p1', path: '/home/new/.wine' }]);
    expect(fs.existsSync(path.join(p.registry, 'p1', 'stamp.json'))).toBe(false);
  });

  it('refuses a prefix list it did not write, with a hint', () => {
    fs.mkdirSync(p.registry, { recursive: true });
    fs.writeFileSync(path.join(p.registry, 'prefixes.json'), '{"version":1,"prefixes":[{"id":"../x","path":"rel"}]}');
    let err: FvmError | undefined;
    try {
      loadPrefixes(p);
    } catch (e) {
      err = e as FvmError;
    }
    expect(err?.code).toBe('REPOSITORY_CORRUPT');
    expect(err?.hint).toMatch(/delete it/);
  });
});
