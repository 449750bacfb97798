import { describe, expect, it } from 'vitest';
import { formatRegeditText } from '../../../src/registry/regedit-format.js';
import { regeditEntries } from '../../../src/registry/regedit-entries.js';
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import { fixtureText } from './fixture-files.js';

describe('export of a hive subtree', () => {
  it('writes every key of the subtree, implicit ones too, under its user-facing root', () => {
    const hive = parseWineReg(fixtureText('user-edge-cases.reg'));
    const entries = regeditEntries(hive, 'user.reg', ['software', 'fvmfmt2', 'zz']);
    expect(entries.map((e) => `${e.root}\\${e.path.join('\\')}`)).toEqual([
      'HKCU\\Software\\FvmFmt2\\zz',
      'HKCU\\Software\\FvmFmt2\\zz\\deep',
      'HKCU\\Software\\FvmFmt2\\zz\\deep\\leaf',
    ]);
    expect(formatRegeditText({ version: 'v5', entries })).toBe(
      'Windows Registry Editor Version 5.00\r\n\r\n' +
        '[HKEY_CURRENT_USER\\Software\\FvmFmt2\\zz]\r\n\r\n' +
        '[HKEY_CURRENT_USER\\Software\\FvmFmt2\\zz\\deep]\r\n\r\n' +
        '[HKEY_CURRENT_USER\\Software\\FvmFmt2\\zz\\deep\\leaf]\r\n"v"="1"\r\n\r\n',
    );
    const def = regeditEntries(parseWineReg(fixtureText('fresh-settled/userdef.reg')), 'userdef.reg');
    expect(def[0]).toMatchObject({ root: 'HKU', path: ['.Default', 'Software'] });
    expect(def.length).toBe(7);
  });
});
