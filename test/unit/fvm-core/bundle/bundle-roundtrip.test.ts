import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planExport } from '../../../../src/fvm-core/bundle/export-plan.js';
import { writeBundle } from '../../../../src/fvm-core/bundle/bundle-writer.js';
import { readBundle } from '../../../../src/fvm-core/bundle/bundle-reader.js';
import { bundleSource } from '../../../../src/fvm-core/bundle/source-info.js';
import { vmPaths } from '../../../../src/fvm-core/repository.js';
import { makeWhiteout } from '../../../../src/fvm-core/tree-ops.js';
import { setOpaque } from '../../../../src/redirect/xattr.js';
import { EMPTY_DELETION_LOG, forgeBundle, treeOf } from '../../../helpers/bundle-forge.js';

const config = { network: 'none', preset: 'default', rules: [], hostname: null } as const;

describe('bundle writer and reader', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fvm-bundle-unit-'));
  const p = vmPaths(path.join(tmp, 'repo'), 'vm1');
  const up = (h: string) => path.join(p.fs, h);
  const big = crypto.randomBytes(3 * 1024 * 1024 + 17);
  let n = 0;
  const staging = () => {
    const d = path.join(tmp, `stage-${++n}`);
    fs.mkdirSync(path.join(d, 'fs'), { recursive: true });
    fs.mkdirSync(path.join(d, 'registry'));
    return { fsDir: path.join(d, 'fs'), registryDir: path.join(d, 'registry') };
  };

  beforeAll(() => {
    fs.mkdirSync(up('/home/u/dir'), { recursive: true });
    fs.mkdirSync(up('/home/u/cache'));
    fs.writeFileSync(up('/home/u/a.txt'), 'hello\n', { mode: 0o640 });
    fs.chmodSync(up('/home/u/a.txt'), 0o640);
    fs.writeFileSync(up('/home/u/dir/big.bin'), big);
    fs.chmodSync(up('/home/u/dir'), 0o750);
    fs.symlinkSync('/home/u/a.txt', up('/home/u/link'));
    makeWhiteout(up('/home/u/gone'));
    setOpaque(up('/home/u/cache'), true);
    fs.mkdirSync(p.registry, { recursive: true });
    fs.writeFileSync(path.join(p.registry, 'user.reg'), 'FVM REGISTRY DELTA Version 1\n');
    fs.writeFileSync(p.manifest, JSON.stringify({ id: 'vm1', name: 'v', layers: [] }));
  });
  afterAll(() => {
    execFileSync('/bin/chmod', ['-R', 'u+rwx', tmp]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('round-trips the tree, symlinks, modes, deletions and the registry, verified by sha256', async () => {
    const plan = planExport(p);
    expect(plan.deletions).toBe(2);
    const file = path.join(tmp, 'v.fvm');
    const progress: number[] = [];
    const w = await writeBundle({ file, plan, source: bundleSource('/home/u'), vm: { name: 'v', created: 'x', config }, onProgress: (d) => progress.push(d) });
    expect(w.bytes).toBe(fs.statSync(file).size);
    expect(progress.at(-1)).toBe(plan.bytes);
    expect(fs.readdirSync(tmp).filter((x) => x.endsWith('.partial'))).toEqual([]);
    const s = staging();
    const r = await readBundle(file, s);
    expect(r.manifest.vm.name).toBe('v');
    expect(r.manifest.source.home).toBe('/home/u');
    expect(r.deletions).toEqual([
      { kind: 'opaque', path: '/home/u/cache' },
      { kind: 'whiteout', path: '/home/u/gone' },
    ]);
    expect(r.symlinks).toEqual(['/home/u/link']);
    expect(fs.readFileSync(path.join(s.fsDir, 'home/u/dir/big.bin')).equals(big)).toBe(true);
    expect(fs.statSync(path.join(s.fsDir, 'home/u/a.txt')).mode & 0o7777).toBe(0o640);
    expect(fs.readlinkSync(path.join(s.fsDir, 'home/u/link'))).toBe('/home/u/a.txt');
    expect(r.treeDirs.find((d) => d.path === '/home/u/dir')?.mode).toBe(0o750);
    // Whiteouts travel as data only: nothing but the log names /home/u/gone.
    expect(fs.existsSync(path.join(s.fsDir, 'home/u/gone'))).toBe(false);
    expect(fs.readFileSync(path.join(s.registryDir, 'user.reg'), 'utf8')).toMatch(/^FVM REGISTRY DELTA/);
  });

  it('flattens shared layers: the merged view, with whiteouts hiding lower entries', async () => {
    const layer = path.join(p.dir, '..', '..', 'layers', 'layer7', 'fs');
    fs.mkdirSync(path.join(layer, 'home/u'), { recursive: true });
    fs.writeFileSync(path.join(layer, 'home/u/from-layer.txt'), 'layer\n');
    fs.writeFileSync(path.join(layer, 'home/u/hidden.txt'), 'hidden\n');
    makeWhiteout(up('/home/u/hidden.txt'));
    fs.writeFileSync(p.manifest, JSON.stringify({ id: 'vm1', name: 'v', layers: ['layer7'] }));
    try {
      const file = path.join(tmp, 'layered.fvm');
      await writeBundle({ file, plan: planExport(p), source: bundleSource('/home/u'), vm: { name: 'v', created: 'x', config } });
      const s = staging();
      const r = await readBundle(file, s);
      expect(fs.readFileSync(path.join(s.fsDir, 'home/u/from-layer.txt'), 'utf8')).toBe('layer\n');
      expect(fs.existsSync(path.join(s.fsDir, 'home/u/hidden.txt'))).toBe(false);
      expect(r.deletions.map((d) => d.path)).toContain('/home/u/hidden.txt');
    } finally {
      fs.writeFileSync(p.manifest, JSON.stringify({ id: 'vm1', name: 'v', layers: [] }));
      fs.rmSync(up('/home/u/hidden.txt'));
    }
  });

  it('a failed export leaves the previous bundle as it was and no temporary file', async () => {
    const file = path.join(tmp, 'keep.fvm');
    fs.writeFileSync(file, 'previous bundle');
    const plan = planExport(p);
    const broken = { ...plan, entries: [...plan.entries, { kind: 'file' as const, name: 'tree/home/u/vanished', source: path.join(tmp, 'nope'), mode: 0o644, size: 5, mtime: new Date() }], bytes: plan.bytes + 5 };
    await expect(writeBundle({ file, plan: broken, source: bundleSource('/home/u'), vm: { name: 'v', created: 'x', config } })).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(fs.readFileSync(file, 'utf8')).toBe('previous bundle');
    expect(fs.readdirSync(tmp).filter((x) => x.includes('.partial'))).toEqual([]);
  });

  describe('hostile bundles are refused before anything is used', () => {
    const home = '/home/x';
    const ok = treeOf(home, { 'a.txt': 'a\n' });
    const cases: Array<[string, Buffer, string]> = [
      ['a name climbing out with ..', forgeBundle({ home, entries: [...ok, { name: 'tree/home/x/../../../escape', data: 'x' }] }), 'BUNDLE_UNSAFE_PATH'],
      ['an absolute name', forgeBundle({ home, entries: [...ok, { name: '/tmp/escape', data: 'x' }] }), 'BUNDLE_UNSAFE_PATH'],
      ['a symlink climbing out', forgeBundle({ home, entries: [...ok, { name: 'tree/home/x/l', type: 'SymbolicLink', linkpath: '../../../../etc' }] }), 'BUNDLE_UNSAFE_PATH'],
      [
        'an entry through a symlink',
        forgeBundle({ home, entries: [...ok, { name: 'tree/home/x/l', type: 'SymbolicLink', linkpath: '/tmp' }, { name: 'tree/home/x/l/pwned', data: 'x' }] }),
        'BUNDLE_UNSAFE_PATH',
      ],
      ['a hard link out', forgeBundle({ home, entries: [...ok, { name: 'tree/home/x/h', type: 'Link', linkpath: '/etc/passwd' }] }), 'BUNDLE_UNSAFE_PATH'],
      ['a device file', forgeBundle({ home, entries: [...ok, { name: 'tree/home/x/null', type: 'CharacterDevice' }] }), 'BUNDLE_UNSAFE_PATH'],
      ['a duplicate entry', forgeBundle({ home, entries: [...ok, { name: 'tree/home/x/a.txt', data: 'b\n' }] }), 'BUNDLE_CORRUPT'],
      ['a truncated archive', forgeBundle({ home, entries: ok }).subarray(0, 100), 'BUNDLE_CORRUPT'],
      ['no index', forgeBundle({ home, entries: ok, index: 'none' }), 'BUNDLE_CORRUPT'],
      ['a wrong sha256', forgeBundle({ home, entries: ok, index: (i) => void (i.entries.find((e) => e.type === 'file')!.sha256 = '0'.repeat(64)) }), 'BUNDLE_CHECKSUM'],
      ['a wrong manifest sha256', forgeBundle({ home, entries: ok, index: (i) => void (i.manifestSha256 = 'f'.repeat(64)) }), 'BUNDLE_CHECKSUM'],
      ['a huge declared total', forgeBundle({ home, entries: ok, contents: { entries: ok.length + 1, bytes: 2 ** 52 } }), 'BUNDLE_TOO_LARGE'],
      ['an entry larger than declared', forgeBundle({ home, entries: [...ok, { name: 'tree/home/x/huge', data: 'x', headerSize: 2 ** 33 }], contents: { entries: ok.length + 2, bytes: 10 } }), 'BUNDLE_TOO_LARGE'],
      ['a newer format', forgeBundle({ home, entries: ok, manifest: { formatVersion: 99 } }), 'BUNDLE_VERSION'],
      ['no manifest first', forgeBundle({ home, entries: ok, before: [{ name: 'deleted.log', data: EMPTY_DELETION_LOG }] }), 'BUNDLE_CORRUPT'],
      ['not gzip', Buffer.from('just text, not a bundle at all'.repeat(40)), 'BUNDLE_CORRUPT'],
      ['a decompression bomb after the end', forgeBundle({ home, entries: ok, trailer: Buffer.alloc(48 << 20) }), 'BUNDLE_TOO_LARGE'],
    ];
    for (const [what, data, code] of cases) {
      it(`${what} → ${code}`, async () => {
        const file = path.join(tmp, `hostile-${++n}.fvm`);
        fs.writeFileSync(file, data);
        const s = staging();
        await expect(readBundle(file, s)).rejects.toMatchObject({ code });
        expect(fs.existsSync('/tmp/escape')).toBe(false);
      });
    }

    it('a valid forged bundle is accepted (the cases above differ from it in one way each)', async () => {
      const file = path.join(tmp, 'forged-ok.fvm');
      fs.writeFileSync(file, forgeBundle({ home, entries: ok }));
      const r = await readBundle(file, staging());
      expect(r.treePaths).toContain('/home/x/a.txt');
    });
  });
});
