import { describe, expect, it } from 'vitest';
import { diff, diffHives } from '../../../src/registry/reg-diff.js';
import { harvest } from '../../../src/registry/reg-harvest.js';
import { applyDeleteKey, emptyDelta } from '../../../src/registry/reg-delta.js';
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import { fixtureText, systemRegText } from './fixture-files.js';
import { afterInstall } from './msi-scenario.js';

const HEAD = 'WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\User\\\\S-1-5-21-0-0-0-1000\n\n#arch=win64\n';
const brief = (c: { kind: string; key: string; value?: string }): string => `${c.kind[0].toUpperCase()} ${c.key}${c.value === undefined ? '' : ` "${c.value}"`}`;

describe('diff', () => {
  it('lists an added tree: every key, implicit ones too, each with its values', () => {
    const fresh = parseWineReg(fixtureText('fresh-settled/user.reg'));
    const changes = diff(fresh, harvest(fresh, parseWineReg(fixtureText('user-edge-cases.reg'))));
    expect(changes.length).toBe(12 + 18 + 3);
    expect(changes.filter((c) => c.value === undefined).map(brief)).toEqual([
      'A Software\\FvmFmt2',
      'A Software\\FvmFmt2\\a_b',
      'A Software\\FvmFmt2\\aaa',
      'A Software\\FvmFmt2\\ab',
      'A Software\\FvmFmt2\\B_under',
      'A Software\\FvmFmt2\\Emoji\u{1F30D}Key',
      'A Software\\FvmFmt2\\Empty',
      'A Software\\FvmFmt2\\Weird [brackets] key',
      'A Software\\FvmFmt2\\Zed',
      'A Software\\FvmFmt2\\zz',
      'A Software\\FvmFmt2\\zz\\deep',
      'A Software\\FvmFmt2\\zz\\deep\\leaf',
    ]);
    expect(changes.slice(0, 4).map(brief)).toEqual(['A Software\\FvmFmt2', 'A Software\\FvmFmt2 ""', 'A Software\\FvmFmt2 "bigendian"', 'A Software\\FvmFmt2 "bin"']);
    expect(changes[1].after).toMatchObject({ kind: 'string', text: 'default value' });
  });

  it('after an MSI install: no trap on the Uninstall key that stopped being written, and no noise', () => {
    const host = parseWineReg(systemRegText());
    const target = afterInstall(host);
    expect(diffHives(host, target).map(brief)).toEqual([
      'D Software\\Classes\\.ai',
      'D Software\\Classes\\.avi "Content Type"',
      'A Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{2C1B6E2A-9F3E-4D7B-8A61-5E0F4C3B2A10}',
      'A Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{2C1B6E2A-9F3E-4D7B-8A61-5E0F4C3B2A10} "DisplayName"',
      'A Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{2C1B6E2A-9F3E-4D7B-8A61-5E0F4C3B2A10} "UninstallString"',
      'A Software\\Wow6432Node\\FvmAcceptance',
      'A Software\\Wow6432Node\\FvmAcceptance "Build"',
      'A Software\\Wow6432Node\\FvmAcceptance "InstallDir"',
      'A Software\\Wow6432Node\\FvmAcceptance "Version"',
    ]);
    const noisy = diffHives(host, target, { includeNoise: true });
    expect(noisy.length).toBe(10);
    expect(brief(noisy[9])).toBe('M System\\CurrentControlSet\\Control\\Class\\{4D36E968-E325-11CE-BFC1-08002BE10318}\\0000 "DriverDateData"');
    expect(Buffer.from((noisy[9].after as { bytes: Uint8Array }).bytes).toString('hex')).toBe('0102030405060708');
  });

  it('reports modified and deleted values with before and after, a deleted subtree key by key, and class or link changes', () => {
    const host = parseWineReg(HEAD + '\n[A] 1\n"m"="1"\n"d"="2"\n\n[B\\\\C] 1\n"v"="1"\n\n[L] 1\n');
    const after = parseWineReg(HEAD + '\n[A] 9\n"m"="2"\n\n[L] 9\n#link\n');
    const changes = diffHives(host, after);
    expect(changes.map(brief)).toEqual(['D A "d"', 'M A "m"', 'D B', 'D B\\C', 'M L']);
    expect([changes[1].before, changes[1].after].map((v) => (v?.kind === 'string' ? v.text : null))).toEqual(['1', '2']);
  });

  it('ignores time stamps and the written form of equal data', () => {
    const host = parseWineReg(HEAD + '\n[A] 1\n#time=1\n"m"=str(7):"x\\0"\n"d"=dword:00000007\n');
    const after = parseWineReg(HEAD + '\n[A] 2\n#time=2\n"m"=hex(7):78,00,00,00,00,00\n"d"=hex(4):07,00,00,00\n');
    expect(diffHives(host, after)).toEqual([]);
  });

  it("hides Wine's font cache in user.reg, and shows it when asked", () => {
    const host = parseWineReg(fixtureText('fresh-settled/user.reg'));
    const d = applyDeleteKey(host, emptyDelta(host.header), 'Software\\Wine\\Fonts', 0n);
    expect(diff(host, d)).toEqual([]);
    expect(diff(host, d, { includeNoise: true }).map(brief)).toEqual(['D Software\\Wine\\Fonts', 'D Software\\Wine\\Fonts\\External Fonts']);
  });
});
