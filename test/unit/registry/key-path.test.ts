import { describe, expect, it } from 'vitest';
import { FvmError } from '../../../src/shared/errors.js';
import { hiveFileForRoot, hiveRoot, hkcrWriteTarget, parseKeyPath, toUserPath, toViewPath } from '../../../src/registry/key-path.js';

function targets(input: string, view?: '32' | '64'): string[] {
  return parseKeyPath(input, { view }).targets.map((t) => `${t.hive}:${t.path.join('\\')}`);
}

describe('parseKeyPath', () => {
  it('maps every root, full or short, in any case, to its hive file', () => {
    expect(targets('HKCU\\Software\\X')).toEqual(['user.reg:Software\\X']);
    expect(targets('hkey_current_user\\Software\\X')).toEqual(['user.reg:Software\\X']);
    expect(targets('HKEY_LOCAL_MACHINE\\Software\\Wine')).toEqual(['system.reg:Software\\Wine']);
    expect(targets('HKLM')).toEqual(['system.reg:']);
    expect(targets('HKU\\S-1-5-21-0-0-0-1000\\Environment')).toEqual(['user.reg:Environment']);
    expect(targets('HKEY_USERS\\.DEFAULT\\Control Panel')).toEqual(['userdef.reg:Control Panel']);
    expect(targets('HKCU\\Software\\X\\')).toEqual(['user.reg:Software\\X']);
    expect(targets('\\Registry\\Machine\\Software\\Classes\\AppId')).toEqual(['system.reg:Software\\Classes\\AppId']);
    expect(targets('\\REGISTRY\\User\\S-1-5-21-0-0-0-1000\\Software')).toEqual(['user.reg:Software']);
    expect(targets('HKCU\\My App ')).toEqual(['user.reg:My App ']);
  });

  it('maps HKCR to the user classes over the machine classes, and picks where a write goes', () => {
    const r = parseKeyPath('HKCR\\.txt');
    expect(r.root).toBe('HKCR');
    expect(targets('HKCR\\.txt')).toEqual(['user.reg:Software\\Classes\\.txt', 'system.reg:Software\\Classes\\.txt']);
    expect(hkcrWriteTarget(r, true)).toEqual({ hive: 'user.reg', path: ['Software', 'Classes', '.txt'] });
    expect(hkcrWriteTarget(r, false)).toEqual({ hive: 'system.reg', path: ['Software', 'Classes', '.txt'] });
    expect(hkcrWriteTarget(parseKeyPath('HKCU\\A'), false)).toEqual({ hive: 'user.reg', path: ['A'] });
  });

  it('redirects the 32-bit view to Wow6432Node, and leaves explicit Wow6432Node paths alone', () => {
    expect(targets('HKLM\\Software\\FvmAcceptance', '32')).toEqual(['system.reg:Software\\Wow6432Node\\FvmAcceptance']);
    expect(targets('HKLM\\Software', '32')).toEqual(['system.reg:Software\\Wow6432Node']);
    expect(targets('HKLM\\Software\\Classes\\CLSID', '32')).toEqual(['system.reg:Software\\Classes\\Wow6432Node\\CLSID']);
    expect(targets('HKLM\\Software\\Wow6432Node\\X', '32')).toEqual(['system.reg:Software\\Wow6432Node\\X']);
    expect(targets('HKLM\\System\\CurrentControlSet', '32')).toEqual(['system.reg:System\\CurrentControlSet']);
    expect(targets('HKCR\\CLSID', '32')).toEqual(['user.reg:Software\\Classes\\Wow6432Node\\CLSID', 'system.reg:Software\\Classes\\Wow6432Node\\CLSID']);
    expect(targets('HKCU\\Software\\Classes\\CLSID', '32')).toEqual(['user.reg:Software\\Classes\\Wow6432Node\\CLSID']);
    expect(targets('HKCU\\Software\\X', '32')).toEqual(['user.reg:Software\\X']);
  });

  const bad: [string, string][] = [
    ['', 'invalid registry key path "": the path is empty'],
    ['HKXX\\Software', 'invalid registry key path "HKXX\\Software": "HKXX" is not a registry root'],
    [' HKCU\\Software', 'invalid registry key path " HKCU\\Software": " HKCU" is not a registry root'],
    ['HKCU\\\\Software', 'invalid registry key path "HKCU\\\\Software": it has an empty key name (two backslashes in a row, or a leading backslash)'],
    ['\\HKCU\\Software', 'invalid registry key path "\\HKCU\\Software": it has an empty key name (two backslashes in a row, or a leading backslash)'],
    ['HKU', 'invalid registry key path "HKU": HKU itself is not stored in a hive; name a user, e.g. HKU\\.Default'],
    ['HKU\\S-1-5-18\\X', 'invalid registry key path "HKU\\S-1-5-18\\X": Wine stores only the users S-1-5-21-0-0-0-1000 and .Default in a prefix'],
    ['\\Registry\\Other\\X', 'invalid registry key path "\\Registry\\Other\\X": an NT path must start with \\Registry\\Machine or \\Registry\\User'],
    [`HKCU\\${'a'.repeat(256)}`, `invalid registry key path "HKCU\\${'a'.repeat(256)}": a key name is longer than 255 characters`],
  ];
  for (const [input, message] of bad) {
    it(`rejects ${JSON.stringify(input.slice(0, 30))} with INVALID_ARGUMENT`, () => {
      let err: unknown;
      try {
        parseKeyPath(input);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FvmError);
      expect((err as FvmError).code).toBe('INVALID_ARGUMENT');
      expect((err as FvmError).message).toBe(message);
      expect((err as FvmError).hint).toMatch(/^Write a key as ROOT\\path/);
    });
  }
});

describe('hive roots and user paths', () => {
  it('knows which file holds which root', () => {
    expect(hiveFileForRoot(['REGISTRY', 'Machine'])).toBe('system.reg');
    expect(hiveFileForRoot(['registry', 'user', 'S-1-5-21-0-0-0-1000'])).toBe('user.reg');
    expect(hiveFileForRoot(['REGISTRY', 'User', '.Default'])).toBe('userdef.reg');
    expect(hiveFileForRoot(['REGISTRY', 'User', 'S-1-5-18'])).toBeNull();
    expect(hiveFileForRoot(null)).toBeNull();
    expect(hiveRoot('user.reg')).toEqual(['REGISTRY', 'User', 'S-1-5-21-0-0-0-1000']);
  });

  it('names stored keys as users see them, in the 32-bit view where Wow6432Node stands', () => {
    expect(toUserPath({ hive: 'userdef.reg', path: ['Control Panel'] })).toBe('HKU\\.Default\\Control Panel');
    expect(toViewPath({ hive: 'system.reg', path: ['Software', 'Wow6432Node', 'FvmAcceptance'] })).toEqual({ path: 'HKLM\\Software\\FvmAcceptance', view: '32' });
    expect(toViewPath({ hive: 'system.reg', path: ['Software', 'Classes', 'Wow6432Node', 'AppId'] })).toEqual({ path: 'HKLM\\Software\\Classes\\AppId', view: '32' });
    expect(toViewPath({ hive: 'user.reg', path: ['Software', 'FvmAcceptance'] })).toEqual({ path: 'HKCU\\Software\\FvmAcceptance', view: '64' });
  });
});
