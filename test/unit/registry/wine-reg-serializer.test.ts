import { describe, expect, it } from 'vitest';
import { serializeKey, serializeWineReg, valueLine } from '../../../src/registry/wine-reg-serializer.js';
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import {
  REG_EXPAND_SZ,
  REG_MULTI_SZ,
  dwordValue,
  emptyHive,
  makeKey,
  stringValue,
  valueFromBytes,
  withValues,
  MACHINE_ROOT,
} from '../../../src/registry/reg-model.js';
import { fixtureText } from './fixture-files.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe("canonical values (Wine's dump_value)", () => {
  it('writes each type in the syntax Wine chooses', () => {
    expect(valueLine(stringValue('', 'C:\\x'))).toBe('@="C:\\\\x"');
    expect(valueLine(stringValue('e', '%TEMP%', REG_EXPAND_SZ))).toBe('"e"=str(2):"%TEMP%"');
    expect(valueLine(stringValue('m', 'a\0b\0', REG_MULTI_SZ))).toBe('"m"=str(7):"a\\0b\\0"');
    expect(valueLine(dwordValue('d', 0x2a))).toBe('"d"=dword:0000002a');
    expect(valueLine(valueFromBytes('q', 11, bytes(1, 2, 3, 4, 5, 6, 7, 8)))).toBe('"q"=hex(b):01,02,03,04,05,06,07,08');
    expect(valueLine(valueFromBytes('b', 3, bytes()))).toBe('"b"=hex:');
    expect(valueLine(valueFromBytes('t', 0xffff0007, bytes(3, 0, 0, 0)))).toBe('"t"=hex(ffff0007):03,00,00,00');
  });

  it('chooses hex for strings that are not NUL-terminated and dwords that are not 4 bytes', () => {
    expect(valueLine(valueFromBytes('z', 1, bytes()))).toBe('"z"=hex(1):');
    expect(valueLine(valueFromBytes('o', 1, bytes(0x41, 0, 0, 0)))).toBe('"o"="A"');
    expect(valueLine(valueFromBytes('o', 1, bytes(0x41, 0)))).toBe('"o"=hex(1):41,00');
    expect(valueLine(valueFromBytes('o', 1, bytes(0x41, 0, 0)))).toBe('"o"=hex(1):41,00,00');
    expect(valueLine(valueFromBytes('n', 7, bytes(0x61, 0, 0, 0, 0x62, 0)))).toBe('"n"=hex(7):61,00,00,00,62,00');
    expect(valueLine(valueFromBytes('d', 4, bytes(1, 2)))).toBe('"d"=hex(4):01,02');
    // Built as hex but Wine would write a string: the canonical form wins.
    expect(valueLine({ kind: 'hex', name: 's', type: 1, bytes: bytes(0x41, 0, 0, 0) })).toBe('"s"="A"');
  });

  it('wraps hex lines exactly where Wine does (count > 76 after a comma)', () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    const text = valueLine(valueFromBytes('InputTypes', 3, data));
    const lines = text.split('\n');
    // The prefix "InputTypes"=hex: is 17 characters: after the 20th byte and its comma the count
    // is 77 > 76, so the first line holds 20 bytes (as in system.reg), the next ones 25.
    expect(lines.map((l) => l.length)).toEqual([78, 78, 78, 78, 16]);
    expect(lines[0].endsWith('12,13,\\')).toBe(true);
    expect(lines[1].startsWith('  14,15')).toBe(true);
    expect(lines[4]).toBe('  5f,60,61,62,63');
  });
});

describe('hives and keys', () => {
  it('writes header, blank line before each key, options in Wine order', () => {
    const key = makeKey(['Software', 'Weird [x]'], [dwordValue('x', 1)], 0x1dd7bda9e19426cn, { className: 'c"s', link: true, options: ['future'] });
    const hive = { ...emptyHive(MACHINE_ROOT), keys: [key] };
    expect(serializeWineReg(hive)).toBe(
      'WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\Machine\n\n#arch=win64\n\n' +
        '[Software\\\\Weird \\[x\\]] 1795500677\n#time=1dd7bda9e19426c\n#class="c\\"s"\n#link\n#future\n"x"=dword:00000001\n',
    );
    expect(serializeWineReg({ header: { root: null, arch: null }, keys: [], eol: '\n' })).toBe('WINE REGISTRY Version 2\n');
  });

  it('writes a changed key canonically and leaves the untouched ones as they were read', () => {
    const text = 'WINE REGISTRY Version 2\n\n[A] 01\n"a" = dword:7\n\n[B] 2\n"b"=hex:1\n';
    const hive = parseWineReg(text);
    expect(serializeWineReg(hive)).toBe(text);
    const changed = { ...hive, keys: [withValues(hive.keys[0], [...hive.keys[0].values, dwordValue('c', 3)]), hive.keys[1]] };
    expect(serializeWineReg(changed)).toBe('WINE REGISTRY Version 2\n\n[A] 1\n"a"=dword:00000007\n"c"=dword:00000003\n\n[B] 2\n"b"=hex:1\n');
  });

  it('writes a block that UTF-8 cannot carry (a lone surrogate from a JavaScript string) with escapes instead', () => {
    const text = 'WINE REGISTRY Version 2\n\n[A]\n"v"="x\ud800y"\n\n[B]\n"w"="caf\u00e9"\n';
    const out = serializeWineReg(parseWineReg(text));
    expect(out).toBe('WINE REGISTRY Version 2\n\n[A]\n"v"="x\\xd800y"\n\n[B]\n"w"="caf\u00e9"\n');
    expect(parseWineReg(out).keys[0].values[0]).toMatchObject({ text: 'x\ud800y' });
  });

  it('serializes a key block alone, in CRLF when asked', () => {
    const hive = parseWineReg(fixtureText('system-sample.reg'));
    const link = hive.keys.find((k) => k.link);
    if (!link) throw new Error('system-sample.reg has a link key');
    expect(serializeKey(link, '\r\n', true).split('\r\n')).toEqual(serializeKey(link).split('\n'));
    expect(serializeKey(link).split('\n').length).toBe(8);
  });
});
