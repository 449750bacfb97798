import { describe, expect, it } from 'vitest';
import { FvmError } from '../../../src/shared/errors.js';
import { getKey, getValue, hasKey, indexHive, subkeyIds } from '../../../src/registry/reg-index.js';
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import { fixtureText, systemRegText } from './fixture-files.js';

describe('the full key set (research/wine-reg-format.md §4.2)', () => {
  it('adds the keys that exist only as ancestors: 428 in system.reg, 24 in user.reg, 5 in userdef.reg', () => {
    for (const [text, implicit] of [
      [systemRegText(), 428],
      [fixtureText('fresh-settled/user.reg'), 24],
      [fixtureText('fresh-settled/userdef.reg'), 5],
    ] as const) {
      const index = indexHive(parseWineReg(text));
      expect(index.all.size - index.written.size).toBe(implicit);
    }
  });

  it('finds keys in any case, implicit ones only through hasKey', () => {
    const hive = parseWineReg(fixtureText('user-edge-cases.reg'));
    expect(getKey(hive, 'software\\FVMFMT2\\ZZ\\DEEP\\LEAF')?.path).toEqual(['Software', 'FvmFmt2', 'zz', 'deep', 'leaf']);
    expect(getKey(hive, 'Software\\FvmFmt2\\zz')).toBeUndefined();
    expect(hasKey(hive, 'Software\\FvmFmt2\\zz')).toBe(true);
    expect(indexHive(hive).all.get('software\\fvmfmt2\\zz\\deep')).toEqual(['Software', 'FvmFmt2', 'zz', 'deep']);
    expect(subkeyIds(hive, ['Software', 'FvmFmt2']).length).toBe(9);
  });

  it('reads a value by name in any case, and fails for a missing key', () => {
    const hive = parseWineReg(fixtureText('user-edge-cases.reg'));
    expect(getValue(hive, 'Software\\FvmFmt2', 'DWORD')).toMatchObject({ kind: 'dword', value: 0xdeadbeef });
    expect(getValue(hive, 'Software\\FvmFmt2\\zz', 'x')).toBeUndefined();
    let err: unknown;
    try {
      getValue(hive, 'Software\\Nope', 'x');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FvmError);
    expect((err as FvmError).code).toBe('REGISTRY_KEY_NOT_FOUND');
    expect((err as FvmError).message).toBe('registry key not found: Software\\Nope');
  });
});
