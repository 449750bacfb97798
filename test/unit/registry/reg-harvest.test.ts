import { describe, expect, it } from 'vitest';
import { harvest } from '../../../src/registry/reg-harvest.js';
import { view } from '../../../src/registry/reg-delta.js';
import { diffHives } from '../../../src/registry/reg-diff.js';
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import { serializeWineReg } from '../../../src/registry/wine-reg-serializer.js';
import { keyId } from '../../../src/registry/reg-names.js';
import { fixtureText, systemRegText } from './fixture-files.js';
import { APP, DISPLAY0, PRODUCT, afterInstall } from './msi-scenario.js';

const HEAD = 'WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\Machine\n\n#arch=win64\n';
const paths = (keys: readonly { path: readonly string[] }[]): string[] => keys.map((k) => k.path.join('\\'));

describe('harvest of real hives', () => {
  const fresh = parseWineReg(fixtureText('fresh-settled/user.reg'));
  const edited = parseWineReg(fixtureText('user-edge-cases.reg'));

  it('copies exactly the keys that changed; a key whose only change is its time stamp stays out', () => {
    const d = harvest(fresh, edited);
    expect(paths(d.keys)).toEqual([
      'Software\\FvmFmt2',
      'Software\\FvmFmt2\\a_b',
      'Software\\FvmFmt2\\aaa',
      'Software\\FvmFmt2\\ab',
      'Software\\FvmFmt2\\B_under',
      'Software\\FvmFmt2\\Emoji\u{1F30D}Key',
      'Software\\FvmFmt2\\Empty',
      'Software\\FvmFmt2\\Weird [brackets] key',
      'Software\\FvmFmt2\\Zed',
      'Software\\FvmFmt2\\zz\\deep\\leaf',
    ]);
    expect([d.deletedKeys, d.deletedValues]).toEqual([[], []]);
    // The view is the target but for the host's time stamp on Software\Wine\Fonts.
    const expected = fixtureText('user-edge-cases.reg').replace(
      '[Software\\\\Wine\\\\Fonts] 1795500677\n#time=1dd7bda9dd79128',
      '[Software\\\\Wine\\\\Fonts] 1795500181\n#time=1dd7bd9766380da',
    );
    expect(serializeWineReg(view(fresh, d)) === expected).toBe(true);
  });

  it('in exact mode reproduces the target byte for byte', () => {
    const d = harvest(fresh, edited, { exact: true });
    expect(paths(d.keys)).toContain('Software\\Wine\\Fonts');
    expect(serializeWineReg(view(fresh, d)) === fixtureText('user-edge-cases.reg')).toBe(true);
  });

  it('after an MSI install: copies, deleted subtrees and dropped values, and the view has the same meaning', () => {
    const host = parseWineReg(systemRegText());
    const target = afterInstall(host);
    const d = harvest(host, target);
    expect(paths(d.keys)).toEqual([PRODUCT.join('\\'), APP.join('\\'), DISPLAY0.join('\\')]);
    expect(d.deletedKeys).toEqual([['Software', 'Classes', '.ai']]);
    expect(d.deletedValues).toEqual([{ key: ['Software', 'Classes', '.avi'], name: 'Content Type' }]);
    // The Uninstall leaf became implicit: no deletion, no copy.
    expect(d.keys.some((k) => keyId(k.path) === 'software\\microsoft\\windows\\currentversion\\uninstall')).toBe(false);
    expect(diffHives(target, view(host, d), { includeNoise: true })).toEqual([]);
  });

  it('leaves noise out when asked', () => {
    const host = parseWineReg(systemRegText());
    const target = afterInstall(host);
    expect(paths(harvest(host, target, { ignoreNoise: true }).keys)).toEqual([PRODUCT.join('\\'), APP.join('\\')]);
  });
});

describe('harvest corner cases', () => {
  it('logs values a key lost instead of copying it, and copies a key that lost values and changed another', () => {
    const host = parseWineReg(HEAD + '\n[K] 1\n"a"="1"\n"b"="2"\n"c"="3"\n');
    expect(harvest(host, parseWineReg(HEAD + '\n[K] 2\n"b"="2"\n')).deletedValues).toEqual([
      { key: ['K'], name: 'a' },
      { key: ['K'], name: 'c' },
    ]);
    const d = harvest(host, parseWineReg(HEAD + '\n[K] 2\n"b"="changed"\n'));
    expect([paths(d.keys), d.deletedValues]).toEqual([['K'], []]);
  });

  it('logs the root of a deleted subtree only, and keeps a parent that became an empty leaf', () => {
    const host = parseWineReg(HEAD + '\n[P\\\\Q\\\\R] 1\n"v"="1"\n\n[P\\\\Q\\\\S] 1\n"v"="1"\n');
    const target = parseWineReg(HEAD + '\n[P] 2\n');
    const d = harvest(host, target);
    expect([d.deletedKeys, paths(d.keys)]).toEqual([[['P', 'Q']], ['P']]);
    expect(serializeWineReg(view(host, d))).toBe(HEAD + '\n[P] 2\n');
  });

  it('sees the values of a key that is no longer written because it kept only subkeys', () => {
    const host = parseWineReg(HEAD + '\n[A] 1\n"v"="1"\n\n[A\\\\B] 1\n"x"="1"\n');
    const target = parseWineReg(HEAD + '\n[A\\\\B] 1\n"x"="1"\n');
    const d = harvest(host, target);
    expect([d.keys, d.deletedKeys, d.deletedValues]).toEqual([[], [], [{ key: ['A'], name: 'v' }]]);
    expect(serializeWineReg(view(host, d))).toBe(HEAD + '\n[A] 1\n\n[A\\\\B] 1\n"x"="1"\n');
  });

  it('treats hex(7) and str(7) of the same data as the same value', () => {
    const host = parseWineReg(HEAD + '\n[K] 1\n"m"=str(7):"a\\0"\n');
    const d = harvest(host, parseWineReg(HEAD + '\n[K] 2\n"m"=hex(7):61,00,00,00,00,00\n'));
    expect(d.keys).toEqual([]);
  });

  it('copies a key whose class or link flag changed', () => {
    const host = parseWineReg(HEAD + '\n[K] 1\n');
    expect(paths(harvest(host, parseWineReg(HEAD + '\n[K] 1\n#link\n')).keys)).toEqual(['K']);
    expect(paths(harvest(host, parseWineReg(HEAD + '\n[K] 1\n#class="c"\n')).keys)).toEqual(['K']);
  });
});
