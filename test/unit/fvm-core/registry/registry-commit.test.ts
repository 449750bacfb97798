import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VmRegistry } from '../../../../src/fvm-core/registry/vm-registry.js';
import {
  applyRegistryCommit,
  lastDoneCommit,
  planRegistryCommit,
  recordRegistryOnlyCommit,
  recoverRegistryCommits,
  undoRegistryCommit,
} from '../../../../src/fvm-core/registry/registry-commit.js';
import { vmPaths, type VmPaths } from '../../../../src/fvm-core/repository.js';
import { readRecord, writeRecord } from '../../../../src/fvm-core/commit-journal.js';
import { parseWineReg } from '../../../../src/registry/wine-reg-parser.js';
import { getKey, hasKey } from '../../../../src/registry/reg-index.js';
import type { FvmError } from '../../../../src/shared/errors.js';
import { fixtureText } from '../../registry/fixture-files.js';

describe('registry commit and uncommit', () => {
  let root: string;
  let p: VmPaths;
  let hostFile: string;
  let reg: VmRegistry;
  let original: Buffer;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'fvm-regcommit-'));
    const prefix = path.join(root, 'home', '.wine');
    fs.mkdirSync(prefix, { recursive: true });
    hostFile = path.join(prefix, 'user.reg');
    fs.writeFileSync(hostFile, fixtureText('fresh-settled/user.reg'));
    original = fs.readFileSync(hostFile);
    p = vmPaths(path.join(root, 'store'), 'vm1');
    for (const d of [p.fs, p.registry, p.commits]) fs.mkdirSync(d, { recursive: true });
    fs.writeFileSync(p.manifest, JSON.stringify({ layers: [] }));
    reg = new VmRegistry(p, path.join(root, 'home'), () => []);
    reg.add({ key: 'HKCU\\Software\\Keep', value: { name: 'k', type: 'REG_SZ', data: 'v' } });
    reg.add({ key: 'HKCU\\Software\\Pick\\Sub', value: { name: 'p', type: 'REG_DWORD', data: '7' } });
    reg.delete({ key: 'HKCU\\Control Panel\\Desktop' });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const host = () => parseWineReg(fs.readFileSync(hostFile));

  it('commits the selected keys only, then uncommit gives the host back byte for byte', () => {
    const plan = planRegistryCommit(p, ['HKCU\\Software\\Pick']);
    expect(new Set(plan.flatMap((c) => c.changes.map((x) => x.key)))).toEqual(new Set(['HKCU\\Software\\Pick', 'HKCU\\Software\\Pick\\Sub']));
    const n = recordRegistryOnlyCommit(p);
    applyRegistryCommit(p, n, plan);
    expect(hasKey(host(), 'Software\\Pick\\Sub')).toBe(true);
    expect(hasKey(host(), 'Software\\Keep')).toBe(false);
    expect(hasKey(host(), 'Control Panel\\Desktop')).toBe(true);
    // What is left in the VM: the other two changes, and the committed key is no change any more.
    const left = reg.diff().map((c) => `${c.kind} ${c.key}`);
    expect(left).toContain('added HKCU\\Software\\Keep');
    expect(left).toContain('deleted HKCU\\Control Panel\\Desktop');
    expect(left.some((k) => k.includes('Pick'))).toBe(false);

    expect(lastDoneCommit(p)).toBe(n);
    writeRecord(p, { ...readRecord(p, n)!, state: 'undone' });
    expect(undoRegistryCommit(p, n)).toBe(1);
    expect(fs.readFileSync(hostFile).equals(original)).toBe(true);
    // The VM keeps its whole view.
    expect(reg.diff().some((c) => c.key === 'HKCU\\Software\\Pick\\Sub')).toBe(true);
  });

  it('commits everything, deletions included', () => {
    const n = recordRegistryOnlyCommit(p);
    applyRegistryCommit(p, n, planRegistryCommit(p, undefined));
    expect(getKey(host(), 'Software\\Keep')!.values[0]).toMatchObject({ name: 'k', text: 'v' });
    expect(hasKey(host(), 'Control Panel\\Desktop')).toBe(false);
    expect(reg.diff()).toEqual([]);
    writeRecord(p, { ...readRecord(p, n)!, state: 'undone' });
    undoRegistryCommit(p, n);
    expect(fs.readFileSync(hostFile).equals(original)).toBe(true);
  });

  it('refuses a --key the VM did not change, before anything is written', () => {
    let code = '';
    try {
      planRegistryCommit(p, ['HKCU\\Software\\Nope']);
    } catch (e) {
      code = (e as FvmError).code;
    }
    expect(code).toBe('PATH_NOT_CHANGED');
    expect(fs.readFileSync(hostFile).equals(original)).toBe(true);
  });

  it('finishes a commit interrupted between its plan and the host write', () => {
    const n = recordRegistryOnlyCommit(p);
    const plan = planRegistryCommit(p, undefined);
    applyRegistryCommit(p, n, plan);
    // As if FVM died after writing the commit's files, before the host hive and the marker.
    fs.writeFileSync(hostFile, original);
    for (const f of fs.readdirSync(path.join(p.commits, String(n), 'registry'))) {
      if (f.endsWith('.done')) fs.rmSync(path.join(p.commits, String(n), 'registry', f));
    }
    recoverRegistryCommits(p);
    expect(hasKey(host(), 'Software\\Keep')).toBe(true);
    expect(hasKey(host(), 'Control Panel\\Desktop')).toBe(false);
  });
});
