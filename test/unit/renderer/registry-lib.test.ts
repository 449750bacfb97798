import { describe, expect, it } from 'vitest';
import { compareKeys, groupRegistryChanges, registryRows } from '../../../renderer/lib/registry-groups.js';
import { breadcrumbs, childKeyPath, isHiveRoot, isKeyWithin, keyName, normalizeKeyPath, parentKeyPath } from '../../../renderer/lib/registry-path.js';
import { editableData, valueLabel, writableType } from '../../../renderer/lib/registry-value.js';
import type { RegistryChange } from '../../../src/shared/types.js';

const P = '/home/u/.wine';

describe('registry key paths', () => {
  it('normalizes long roots and stray backslashes', () => {
    expect(normalizeKeyPath(' HKEY_LOCAL_MACHINE\\Software\\ ')).toBe('HKLM\\Software');
    expect(normalizeKeyPath('hkcu')).toBe('HKCU');
    expect(childKeyPath('HKCU\\Software\\', 'X')).toBe('HKCU\\Software\\X');
  });

  it('walks up and names crumbs', () => {
    expect(parentKeyPath('HKCU\\Software\\X')).toBe('HKCU\\Software');
    expect(parentKeyPath('HKCU')).toBeNull();
    expect(keyName('HKU\\.Default\\Software')).toBe('Software');
    expect(breadcrumbs('HKU\\.Default\\Software')).toEqual([
      { name: 'HKU', path: 'HKU' },
      { name: '.Default', path: 'HKU\\.Default' },
      { name: 'Software', path: 'HKU\\.Default\\Software' },
    ]);
  });

  it('knows the roots of the hives, where no value can be set', () => {
    expect(isHiveRoot('HKEY_LOCAL_MACHINE')).toBe(true);
    expect(isHiveRoot('hkey_users\\')).toBe(true);
    expect(isHiveRoot('HKU\\.Default')).toBe(true);
    expect(isHiveRoot('HKU\\.Default\\Software')).toBe(false);
    expect(isHiveRoot('HKCU\\Software')).toBe(false);
  });

  it('compares keys without regard to case, as Windows does', () => {
    expect(isKeyWithin('HKCU\\Software\\X\\Y', 'hkcu\\software\\x')).toBe(true);
    expect(isKeyWithin('HKCU\\Software\\X2', 'HKCU\\Software\\X')).toBe(false);
  });
});

describe('registry changes grouped by key', () => {
  const changes: RegistryChange[] = [
    { prefix: P, kind: 'added', key: 'HKCU\\Software\\A2' },
    { prefix: P, kind: 'modified', key: 'HKCU\\Control Panel\\Desktop', value: 'Wallpaper', before: { name: 'Wallpaper', type: 'REG_SZ', data: '' }, after: { name: 'Wallpaper', type: 'REG_SZ', data: 'x' } },
    { prefix: P, kind: 'added', key: 'HKCU\\Software\\A\\B' },
    { prefix: P, kind: 'added', key: 'HKCU\\Software\\A' },
    { prefix: P, kind: 'added', key: 'HKCU\\Software\\A', value: '', after: { name: '', type: 'REG_SZ', data: 'd' } },
    { prefix: '/other/.wine', kind: 'deleted', key: 'HKCU\\Software\\A' },
  ];

  it('puts subkeys right after their key, prefix by prefix', () => {
    expect(compareKeys('HKCU\\Software\\A\\B', 'HKCU\\Software\\A2')).toBeLessThan(0);
    const groups = groupRegistryChanges(changes);
    expect(groups.map((g) => [g.prefix, g.key, g.kind, g.values.length])).toEqual([
      ['/home/u/.wine', 'HKCU\\Control Panel\\Desktop', 'modified', 1],
      ['/home/u/.wine', 'HKCU\\Software\\A', 'added', 1],
      ['/home/u/.wine', 'HKCU\\Software\\A\\B', 'added', 0],
      ['/home/u/.wine', 'HKCU\\Software\\A2', 'added', 0],
      ['/other/.wine', 'HKCU\\Software\\A', 'deleted', 0],
    ]);
  });

  it('lists the values of expanded keys only', () => {
    const groups = groupRegistryChanges(changes);
    expect(registryRows(groups, new Set()).every((r) => r.kind === 'key')).toBe(true);
    const rows = registryRows(groups, new Set([groups[1].id]));
    expect(rows.map((r) => (r.kind === 'key' ? r.group.key : `  ${r.change.value}`))).toEqual([
      'HKCU\\Control Panel\\Desktop',
      'HKCU\\Software\\A',
      '  ',
      'HKCU\\Software\\A\\B',
      'HKCU\\Software\\A2',
      'HKCU\\Software\\A',
    ]);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('handles thousands of keys', () => {
    const many: RegistryChange[] = Array.from({ length: 20_000 }, (_, i) => ({ prefix: P, kind: 'added', key: `HKLM\\Software\\Vendor\\K${i}` }));
    const t0 = performance.now();
    expect(groupRegistryChanges(many)).toHaveLength(20_000);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

describe('registry values in the edit form', () => {
  it('takes numbers back as decimals and keeps other data as shown', () => {
    expect(editableData('REG_DWORD', '0x0000002a (42)')).toBe('42');
    expect(editableData('REG_QWORD', '0x0000000000000010 (16)')).toBe('16');
    expect(editableData('REG_MULTI_SZ', 'a\\0b')).toBe('a\\0b');
    expect(writableType('REG_LINK')).toBeNull();
    expect(writableType('REG_EXPAND_SZ')).toBe('REG_EXPAND_SZ');
    expect(valueLabel('')).toBe('(Default)');
  });
});
