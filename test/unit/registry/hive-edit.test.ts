import { describe, expect, it } from 'vitest';
import { editHive } from '../../../src/registry/hive-edit.js';
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import { serializeWineReg } from '../../../src/registry/wine-reg-serializer.js';
import { harvest } from '../../../src/registry/reg-harvest.js';
import { view } from '../../../src/registry/reg-delta.js';
import { getKey, hasKey } from '../../../src/registry/reg-index.js';
import { dwordValue, stringValue } from '../../../src/registry/reg-model.js';

const HIVE = `WINE REGISTRY Version 2
;; All keys relative to REGISTRY\\\\User\\\\S-1-5-21-0-0-0-1000

#arch=win64

[Software\\\\Host\\\\Leaf] 1700000000
#time=1d9f0a0a0a0a0a0
"a"="1"
"b"="2"

[Software\\\\Other] 1700000000
#time=1d9f0a0a0a0a0a0
"x"=dword:00000001
`;

const T = 133_000_000_000_000_000n;

describe('editHive', () => {
  const host = parseWineReg(HIVE);

  it('sets and removes values, creates keys in Wine order, and deletes subtrees', () => {
    const out = editHive(
      host,
      [
        { kind: 'key', path: ['software', 'host', 'leaf'], set: [stringValue('A', 'one'), stringValue('c', '3')], remove: ['b'] },
        { kind: 'key', path: ['Software', 'New', 'Deep'], set: [dwordValue('n', 42)], remove: [] },
        { kind: 'delete-key', path: ['SOFTWARE', 'other'] },
      ],
      T,
    );
    const leaf = getKey(out, 'Software\\Host\\Leaf')!;
    // The existing name's case is kept; values stay sorted as Wine keeps them.
    expect(leaf.values.map((v) => v.name)).toEqual(['a', 'c']);
    expect(leaf.path).toEqual(['Software', 'Host', 'Leaf']);
    expect(hasKey(out, 'Software\\Other')).toBe(false);
    expect(getKey(out, 'Software\\New\\Deep')!.values).toEqual([dwordValue('n', 42)]);
    expect(out.keys.map((k) => k.path.join('\\'))).toEqual(['Software\\Host\\Leaf', 'Software\\New\\Deep']);
    // Parsable and stable as a hive.
    expect(serializeWineReg(parseWineReg(serializeWineReg(out)))).toBe(serializeWineReg(out));
  });

  it('gives the same hive back when nothing changes, and a delta that reproduces the edits', () => {
    expect(editHive(host, [{ kind: 'key', path: ['Software', 'Host'], set: [], remove: [] }], T)).toBe(host);
    const edited = editHive(host, [{ kind: 'key', path: ['Software', 'Host', 'Leaf'], set: [stringValue('z', 'new')], remove: [] }], T);
    const delta = harvest(host, edited);
    expect(delta.keys.map((k) => k.path.join('\\'))).toEqual(['Software\\Host\\Leaf']);
    expect(getKey(view(host, delta), 'Software\\Host\\Leaf')!.values.map((v) => v.name)).toEqual(['a', 'b', 'z']);
  });
});
