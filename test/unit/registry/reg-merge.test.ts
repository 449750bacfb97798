import { describe, expect, it } from 'vitest';
import { merge, unmerge } from '../../../src/registry/reg-merge.js';
import { harvest } from '../../../src/registry/reg-harvest.js';
import { applyDeleteKey, applyDeleteValue, applyWrite, emptyDelta, view } from '../../../src/registry/reg-delta.js';
import { diffHives } from '../../../src/registry/reg-diff.js';
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import { serializeWineReg } from '../../../src/registry/wine-reg-serializer.js';
import { stringValue, withValues } from '../../../src/registry/reg-model.js';
import { getKey, hasKey } from '../../../src/registry/reg-index.js';
import { fixtureText, systemRegText } from './fixture-files.js';
import { afterInstall } from './msi-scenario.js';

const HEAD = 'WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\User\\\\S-1-5-21-0-0-0-1000\n\n#arch=win64\n';
const brief = (c: { kind: string; key: string; value?: string }): string => `${c.kind[0].toUpperCase()} ${c.key}${c.value === undefined ? '' : ` "${c.value}"`}`;

describe('merge into system.reg after an MSI install', () => {
  const text = systemRegText();
  const host = parseWineReg(text);
  const target = afterInstall(host);
  const delta = harvest(host, target);

  it('makes the host read as the VM did, and the undo gives the old file back byte for byte', () => {
    const r = merge(host, delta);
    expect(diffHives(target, r.hive, { includeNoise: true })).toEqual([]);
    expect(serializeWineReg(r.hive)).toBe(serializeWineReg(view(host, delta)));
    expect(serializeWineReg(unmerge(r.hive, r.undo)) === text).toBe(true);
  });

  it('commits a selection: the keys at and below each selected path, nothing else', () => {
    const r = merge(host, delta, ['software\\WOW6432NODE']);
    expect(diffHives(host, r.hive).map(brief)).toEqual([
      'A Software\\Wow6432Node\\FvmAcceptance',
      'A Software\\Wow6432Node\\FvmAcceptance "Build"',
      'A Software\\Wow6432Node\\FvmAcceptance "InstallDir"',
      'A Software\\Wow6432Node\\FvmAcceptance "Version"',
    ]);
    expect(r.applied.keys.length).toBe(1);
    expect(serializeWineReg(unmerge(r.hive, r.undo)) === text).toBe(true);
  });

  it("keeps the host's own later change to a key the VM did not touch", () => {
    const later = { ...host, keys: host.keys.map((k, i) => (i === 0 ? withValues(k, [...k.values, stringValue('HostLater', '1')]) : k)) };
    const r = merge(later, delta);
    expect(getKey(r.hive, host.keys[0].path)?.values.map((v) => v.name)).toEqual(['SHAREDMEMLOCATION', 'HostLater']);
    expect(serializeWineReg(unmerge(r.hive, r.undo))).toBe(serializeWineReg(later));
  });
});

describe('merge of deltas made by single operations', () => {
  const host = parseWineReg(HEAD + '\n[B\\\\C] 1\n"v"="1"\n\n[B\\\\D] 1\n"v"="1"\n\n[K] 1\n"a"="1"\n"b"="2"\n\n[X\\\\Y] 1\n"v"="1"\n');
  let d = applyDeleteKey(host, emptyDelta(host.header), 'B', 5n);
  d = applyDeleteValue(host, d, 'K', 'a', 5n);
  d = applyDeleteKey(host, d, 'X\\Y', 0x1dd7bda9e4d9346n);
  d = applyWrite(host, d, 'N\\M', [stringValue('n', 'v')], 0x1dd7bda9e4d9346n);

  it('applies deleted subtrees, value deletions, a kept parent and new keys; the undo restores every byte', () => {
    const r = merge(host, d);
    expect(serializeWineReg(r.hive)).toBe(
      HEAD +
        '\n[K] 1\n"b"="2"\n' +
        '\n[N\\\\M] 1795500677\n#time=1dd7bda9e4d9346\n"n"="v"\n' +
        '\n[X] 1795500677\n#time=1dd7bda9e4d9346\n',
    );
    expect(serializeWineReg(unmerge(r.hive, r.undo))).toBe(serializeWineReg(host));
  });

  it('can commit one key inside a deleted subtree', () => {
    const r = merge(host, d, [['B', 'C']]);
    expect([hasKey(r.hive, 'B\\C'), hasKey(r.hive, 'B\\D'), hasKey(r.hive, 'N')]).toEqual([false, true, false]);
    expect(serializeWineReg(unmerge(r.hive, r.undo))).toBe(serializeWineReg(host));
  });

  it('merges nothing for an empty selection, and the user.reg round trip of a real delta is exact', () => {
    expect(merge(host, d, []).hive).toBe(host);
    const fresh = parseWineReg(fixtureText('fresh-settled/user.reg'));
    const r = merge(fresh, harvest(fresh, parseWineReg(fixtureText('user-edge-cases.reg'))));
    expect(serializeWineReg(unmerge(r.hive, r.undo)) === fixtureText('fresh-settled/user.reg')).toBe(true);
  });
});
