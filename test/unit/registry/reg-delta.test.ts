import { describe, expect, it } from 'vitest';
import { FvmError } from '../../../src/shared/errors.js';
import { applyDeleteKey, applyDeleteValue, applyWrite, emptyDelta, view, type RegDelta } from '../../../src/registry/reg-delta.js';
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import { serializeWineReg } from '../../../src/registry/wine-reg-serializer.js';
import { dwordValue, stringValue, withValues, type RegHive } from '../../../src/registry/reg-model.js';
import { getKey, hasKey } from '../../../src/registry/reg-index.js';

const HEAD = 'WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\User\\\\S-1-5-21-0-0-0-1000\n\n#arch=win64\n';
const HOST = parseWineReg(
  HEAD +
    '\n[Software\\\\A] 1795500677\n#time=1dd7bda9e4d9346\n"a1"="x"\n"a2"=dword:00000001\n' +
    '\n[Software\\\\B\\\\C] 1795500677\n#time=1dd7bda9e4d9346\n"c"="y"\n' +
    '\n[Software\\\\D] 1795500677\n#time=1dd7bda9e4d9346\n',
);
const T = 0x1dd7bdaa0000000n; // a later FILETIME: 1795500680 s
const blocks = (h: RegHive): string => serializeWineReg(h).slice(HEAD.length);

function fvmError(f: () => unknown): FvmError {
  try {
    f();
  } catch (e) {
    if (e instanceof FvmError) return e;
    throw e;
  }
  throw new Error('expected an FvmError');
}

describe('view', () => {
  it('is the host itself for an empty delta', () => {
    expect(view(HOST, emptyDelta(HOST.header))).toBe(HOST);
  });
});

describe('applyWrite', () => {
  it('creates a key in Wine order, with its ancestors implicit, leaving the host untouched', () => {
    const d = applyWrite(HOST, emptyDelta(HOST.header), 'software\\b\\New', [stringValue('n', 'v')], T);
    expect(d.keys.map((k) => k.path)).toEqual([['Software', 'B', 'New']]);
    expect(blocks(view(HOST, d))).toBe(
      '\n[Software\\\\A] 1795500677\n#time=1dd7bda9e4d9346\n"a1"="x"\n"a2"=dword:00000001\n' +
        '\n[Software\\\\B\\\\C] 1795500677\n#time=1dd7bda9e4d9346\n"c"="y"\n' +
        '\n[Software\\\\B\\\\New] 1795500680\n#time=1dd7bdaa0000000\n"n"="v"\n' +
        '\n[Software\\\\D] 1795500677\n#time=1dd7bda9e4d9346\n',
    );
    expect(getKey(HOST, 'Software\\B\\New')).toBeUndefined();
  });

  it('copies the whole key on first write; a replaced value keeps its name', () => {
    const d = applyWrite(HOST, emptyDelta(HOST.header), 'Software\\A', [stringValue('A1', 'z'), dwordValue('a0', 7)], T);
    expect(blocks(view(HOST, d)).split('\n\n')[0].slice(1)).toBe('[Software\\\\A] 1795500680\n#time=1dd7bdaa0000000\n"a0"=dword:00000007\n"a1"="z"\n"a2"=dword:00000001');
  });

  it('only creates: writing no value to an existing key copies nothing', () => {
    const d0 = emptyDelta(HOST.header);
    expect(applyWrite(HOST, d0, 'Software\\B', [], T)).toBe(d0);
    expect(applyWrite(HOST, d0, 'Software\\E', [], T).keys.map((k) => [k.path, k.values.length])).toEqual([[['Software', 'E'], 0]]);
  });

  it('refuses the hive root', () => {
    expect(fvmError(() => applyWrite(HOST, emptyDelta(HOST.header), [], [], T)).code).toBe('INVALID_ARGUMENT');
  });
});

describe('copy on write keeps the host visible where the VM did not write', () => {
  it('a host change to an untouched key stays visible; to a copied key it does not', () => {
    const d = applyWrite(HOST, emptyDelta(HOST.header), 'Software\\A', [stringValue('vm', '1')], T);
    const later = { ...HOST, keys: HOST.keys.map((k) => withValues(k, [...k.values, stringValue('host', '2')])) };
    const v = view(later, d);
    expect(getKey(v, 'Software\\D')?.values.map((x) => x.name)).toEqual(['host']);
    expect(getKey(v, 'Software\\B\\C')?.values.map((x) => x.name)).toEqual(['c', 'host']);
    expect(getKey(v, 'Software\\A')?.values.map((x) => x.name)).toEqual(['a1', 'a2', 'vm']);
  });
});

describe('applyDeleteValue', () => {
  it('logs a deleted host value without copying the key, so other host changes to it show', () => {
    const d = applyDeleteValue(HOST, emptyDelta(HOST.header), 'SOFTWARE\\A', 'A1', T);
    expect(d.keys).toEqual([]);
    expect(d.deletedValues).toEqual([{ key: ['Software', 'A'], name: 'a1' }]);
    const later = { ...HOST, keys: [withValues(HOST.keys[0], [...HOST.keys[0].values, stringValue('host', '2')]), ...HOST.keys.slice(1)] };
    expect(getKey(view(later, d), 'Software\\A')?.values.map((x) => x.name)).toEqual(['a2', 'host']);
  });

  it('removes the value from a copy instead, and a later write drops the log entry', () => {
    let d: RegDelta = applyWrite(HOST, emptyDelta(HOST.header), 'Software\\A', [stringValue('vm', '1')], T);
    d = applyDeleteValue(HOST, d, 'Software\\A', 'a2', T);
    expect(d.deletedValues).toEqual([]);
    expect(d.keys[0].values.map((x) => x.name)).toEqual(['a1', 'vm']);
    let e = applyDeleteValue(HOST, emptyDelta(HOST.header), 'Software\\A', 'a2', T);
    e = applyWrite(HOST, e, 'Software\\A', [stringValue('n', '1')], T);
    expect(e.deletedValues).toEqual([]);
    expect(e.keys[0].values.map((x) => x.name)).toEqual(['a1', 'n']);
  });

  it('reports a missing key or value', () => {
    const e1 = fvmError(() => applyDeleteValue(HOST, emptyDelta(HOST.header), 'Software\\Nope', 'x', T));
    expect([e1.code, e1.message]).toEqual(['REGISTRY_KEY_NOT_FOUND', 'registry key not found: Software\\Nope']);
    const e2 = fvmError(() => applyDeleteValue(HOST, emptyDelta(HOST.header), 'Software\\A', 'nope', T));
    expect([e2.code, e2.message]).toEqual(['REGISTRY_KEY_NOT_FOUND', 'registry value "nope" not found in Software\\A']);
  });
});

describe('applyDeleteKey', () => {
  it('logs the root of a deleted subtree; the parent stays', () => {
    const d = applyDeleteKey(HOST, emptyDelta(HOST.header), 'software\\B', T);
    expect(d.deletedKeys).toEqual([['Software', 'B']]);
    const v = view(HOST, d);
    expect([hasKey(v, 'Software\\B'), hasKey(v, 'Software\\B\\C'), hasKey(v, 'Software')]).toEqual([false, false, true]);
  });

  it("keeps a parent that existed only through the deleted key, as an empty key (Windows' semantics)", () => {
    const host = parseWineReg(HEAD + '\n[X\\\\Y] 1\n"v"="1"\n');
    const d = applyDeleteKey(host, emptyDelta(host.header), 'X\\Y', T);
    expect(d.keys.map((k) => [k.path, k.time])).toEqual([[['X'], '1dd7bdaa0000000']]);
    expect(blocks(view(host, d))).toBe('\n[X] 1795500680\n#time=1dd7bdaa0000000\n');
  });

  it('lets the VM re-create a key under a deleted one, hiding the rest of the host subtree', () => {
    let d = applyDeleteKey(HOST, emptyDelta(HOST.header), 'Software\\B', T);
    d = applyWrite(HOST, d, 'Software\\B\\New', [stringValue('n', '1')], T);
    const v = view(HOST, d);
    expect([hasKey(v, 'Software\\B'), hasKey(v, 'Software\\B\\C'), hasKey(v, 'Software\\B\\New')]).toEqual([true, false, true]);
    // Deleting the new key again drops the copy and keeps one deleted root.
    d = applyDeleteKey(HOST, d, 'Software\\B', T);
    expect([d.keys.length, d.deletedKeys]).toEqual([0, [['Software', 'B']]]);
  });

  it('does not log a key the host never had', () => {
    let d = applyWrite(HOST, emptyDelta(HOST.header), 'Software\\New\\Deep', [stringValue('n', '1')], T);
    d = applyDeleteKey(HOST, d, 'Software\\New', T);
    expect([d.keys.length, d.deletedKeys.length, d.deletedValues.length]).toEqual([0, 0, 0]);
    expect(view(HOST, d).keys).toEqual(HOST.keys);
  });

  it('refuses the root and missing keys', () => {
    expect(fvmError(() => applyDeleteKey(HOST, emptyDelta(HOST.header), '', T)).code).toBe('INVALID_ARGUMENT');
    expect(fvmError(() => applyDeleteKey(HOST, emptyDelta(HOST.header), 'Software\\Q', T)).message).toBe('registry key not found: Software\\Q');
  });
});
