import { describe, expect, it } from 'vitest';
import { FvmError } from '../../../src/shared/errors.js';
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import { serializeWineReg } from '../../../src/registry/wine-reg-serializer.js';
import { keyFiletime, filetimeToSeconds, valueBytes, type RegHive, type RegValue } from '../../../src/registry/reg-model.js';
import { getKey } from '../../../src/registry/reg-index.js';
import { allFixtures, fixtureText, systemRegText } from './fixture-files.js';

function parseError(text: string): FvmError {
  try {
    parseWineReg(text, { label: 'test.reg' });
  } catch (e) {
    expect(e).toBeInstanceOf(FvmError);
    return e as FvmError;
  }
  throw new Error('expected a parse error');
}

function value(hive: RegHive, key: string, name: string): RegValue {
  const v = getKey(hive, key)?.values.find((x) => x.name === name);
  if (!v) throw new Error(`no value ${key} ${name}`);
  return v;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

const HEAD = 'WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\User\\\\S-1-5-21-0-0-0-1000\n\n#arch=win64\n';

describe('round trip of every fixture', () => {
  for (const [name, text] of allFixtures()) {
    it(`${name}: parse → serialize gives the same bytes, from source text and canonically`, () => {
      const hive = parseWineReg(Buffer.from(text, 'utf8'));
      expect(serializeWineReg(hive) === text).toBe(true);
      expect(serializeWineReg(hive, { canonical: true }) === text).toBe(true);
    });
  }
});

describe('the fresh system.reg', () => {
  const hive = parseWineReg(systemRegText());
  it('has the counts of research/wine-reg-format.md §5.2 and §9', () => {
    expect(hive.keys.length).toBe(8882);
    expect(hive.keys.filter((k) => k.values.length === 0).length).toBe(330);
    expect(hive.keys.reduce((n, k) => n + k.values.length, 0)).toBe(15576);
    expect(hive.keys.filter((k) => k.link).length).toBe(54);
    const forms = new Map<string, number>();
    for (const k of hive.keys) {
      for (const v of k.values) {
        const f = v.kind === 'hex' ? (v.type === 3 ? 'hex' : `hex(${v.type.toString(16)})`) : v.kind === 'dword' ? 'dword' : v.type === 1 ? 'sz' : `str(${v.type})`;
        forms.set(f, (forms.get(f) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(forms)).toEqual({
      sz: 12470,
      hex: 1707,
      dword: 1262,
      'hex(6)': 54,
      'str(7)': 45,
      'str(2)': 27,
      'hex(7)': 2,
      'hex(ffff0007)': 2,
      'hex(ffff1003)': 2,
      'hex(ffff0008)': 1,
      'hex(ffff0009)': 1,
      'hex(ffff000d)': 1,
      'hex(ffff0011)': 1,
      'hex(ffff0012)': 1,
    });
    expect(hive.header).toEqual({ root: ['REGISTRY', 'Machine'], arch: 'win64' });
  });

  it('has key seconds equal to floor((#time - 1601→1970) / 10^7) for all 8,882 keys', () => {
    const bad = hive.keys.filter((k) => k.seconds !== filetimeToSeconds(keyFiletime(k) ?? 0n));
    expect(bad.length).toBe(0);
    const first = hive.keys[0];
    expect(first.path).toEqual(['Software', 'Borland', 'Database Engine', 'Settings', 'SYSTEM', 'INIT']);
    expect(first.time).toBe('1dd7bd970246428');
    expect(first.seconds).toBe(1795500171);
    expect(keyFiletime(first)).toBe(0x1dd7bd970246428n);
  });

  it('decodes a link key and its REG_LINK target', () => {
    const k = getKey(hive, 'software\\classes\\wow6432node\\appid');
    expect(k?.link).toBe(true);
    const target = value(hive, 'Software\\Classes\\Wow6432Node\\AppId', 'SymbolicLinkValue');
    expect(target.type).toBe(6);
    expect(Buffer.from(valueBytes(target)).toString('utf16le')).toBe('\\Registry\\Machine\\Software\\Classes\\AppId');
  });
});

describe('value types and escapes (user-edge-cases.reg)', () => {
  const hive = parseWineReg(fixtureText('user-edge-cases.reg'));
  const k = 'Software\\FvmFmt2';
  const cases: [string, string, number, string][] = [
    ['', 'string', 1, Buffer.from('default value\0', 'utf16le').toString('hex')],
    ['bigendian', 'hex', 5, '0000002a'],
    ['ctrl', 'string', 1, '410009004200' + '0a004300' + '0d001b00' + '010031000700' + '0000'],
    ['dword', 'dword', 4, 'efbeadde'],
    ['emptybin', 'hex', 3, ''],
    ['emptysz', 'string', 1, '0000'],
    ['ex', 'string', 2, Buffer.from('%SystemRoot%\\x\0', 'utf16le').toString('hex')],
    ['ms', 'string', 7, Buffer.from('one\0two\0\0', 'utf16le').toString('hex')],
    ['multi', 'string', 7, Buffer.from('a\0b c\0\0', 'utf16le').toString('hex')],
    ['none', 'hex', 0, ''],
    ['quote"name', 'string', 1, Buffer.from('has "quotes" and back\\slash\0', 'utf16le').toString('hex')],
    ['qw', 'hex', 11, '8877665544332211'],
    ['unicode', 'string', 1, Buffer.from('é1ég😀\0', 'utf16le').toString('hex')],
  ];
  for (const [name, kind, type, data] of cases) {
    it(`"${name}" is ${kind} of type ${type} with the data Wine stores`, () => {
      const v = value(hive, k, name);
      expect(v.kind).toBe(kind);
      expect(v.type).toBe(type);
      expect(hex(valueBytes(v))).toBe(data);
    });
  }

  it('decodes escaped key names: brackets, surrogate pairs, and the 47-byte wrapped hex', () => {
    expect(getKey(hive, 'Software\\FvmFmt2\\Weird [brackets] key')?.values[0]).toMatchObject({ name: 'x', kind: 'dword', value: 1 });
    const emoji = getKey(hive, 'Software\\FvmFmt2\\Emoji\u{1F30D}Key');
    expect(emoji?.values[0]).toMatchObject({ name: 'na\u00efve', kind: 'string', text: '\u00e91x' });
    expect(hex(valueBytes(value(hive, k, 'bin')))).toBe(Buffer.from(Array.from({ length: 48 }, (_, i) => i)).toString('hex'));
  });

  it('keeps the case keys were written with, and finds them in any case', () => {
    expect(getKey(hive, 'SOFTWARE\\fvmfmt2\\b_UNDER')?.path).toEqual(['Software', 'FvmFmt2', 'B_under']);
  });
});

describe('looser input that Wine reads (§8)', () => {
  it('accepts CRLF, indentation, comments, str:, dword:7, spaced hex and keeps every byte of a key block', () => {
    const block = '[Software\\\\B]\r\n  "s"=str:"x"\r\n; inside\r\n"d" = dword:7\r\n"h"=hex:01, 02 ,03\r\n"c"="caf\u00e9"';
    const text = 'WINE REGISTRY Version 2\r\n;; All keys relative to REGISTRY\\\\Machine\r\n; a comment\r\n\r\n' + block + '\r\n\r\n; trailing\r\n';
    const hive = parseWineReg(text);
    expect(hive.eol).toBe('\r\n');
    const key = hive.keys[0];
    expect([key.seconds, key.time, key.source]).toEqual([null, null, block]);
    expect(key.values.map((v) => [v.name, v.kind, hex(valueBytes(v))])).toEqual([
      ['s', 'string', '78000000'],
      ['d', 'dword', '07000000'],
      ['h', 'hex', '010203'],
      ['c', 'string', '630061006600e9000000'],
    ]);
    // Comments and blank lines between keys are not kept; everything inside a key block is.
    expect(serializeWineReg(hive)).toBe('WINE REGISTRY Version 2\r\n;; All keys relative to REGISTRY\\\\Machine\r\n\r\n' + block + '\r\n');
    // Canonically, the result is what Wine would write back.
    expect(serializeWineReg(hive, { canonical: true })).toBe(
      'WINE REGISTRY Version 2\r\n;; All keys relative to REGISTRY\\\\Machine\r\n\r\n[Software\\\\B]\r\n"s"="x"\r\n' +
        '"d"=dword:00000007\r\n"h"=hex:01,02,03\r\n"c"="caf\\xe9"\r\n',
    );
  });

  it('merges a repeated key and lets the last value of a name win, in place', () => {
    const hive = parseWineReg(HEAD + '\n[B] 5\n"x"="1"\n"y"="2"\n\n[A] 6\n\n[b] 7\n"X"="3"\n"z"="4"\n');
    expect(hive.keys.map((k) => k.path.join('\\'))).toEqual(['B', 'A']);
    expect(hive.keys[0].seconds).toBe(7);
    expect(hive.keys[0].values.map((v) => [v.name, v.kind === 'string' ? v.text : ''])).toEqual([
      ['X', '3'],
      ['y', '2'],
      ['z', '4'],
    ]);
  });

  it('reads #class, #link, unknown options and continued hex with spaces', () => {
    const hive = parseWineReg(HEAD + '\n[K] 1\n#time=1\n#class="my \\"class\\""\n#link\n#future=1\n@=hex(6):41 ,\\\n   00\n');
    const k = hive.keys[0];
    expect([k.className, k.link, k.options, k.time]).toEqual(['my "class"', true, ['future=1'], '1']);
    expect(hex(valueBytes(k.values[0]))).toBe('4100');
    expect(serializeWineReg(hive, { canonical: true })).toBe(HEAD + '\n[K] 1\n#time=1\n#class="my \\"class\\""\n#link\n#future=1\n@=hex(6):41,00\n');
  });
});

describe('errors name the line', () => {
  const cases: [string, string][] = [
    ['REGEDIT4\n', 'cannot parse test.reg: line 1: the first line must be "WINE REGISTRY Version 2"'],
    [' WINE REGISTRY Version 2\n', 'cannot parse test.reg: line 1: the first line must be "WINE REGISTRY Version 2"'],
    [HEAD + '"x"="1"\n', 'cannot parse test.reg: line 5: a value before any key'],
    [HEAD + '\n[A\n', 'cannot parse test.reg: line 6: malformed key line (no closing "]")'],
    [HEAD + '\n[A] 12x\n', 'cannot parse test.reg: line 6: unexpected text after the key line'],
    [HEAD + '\n[A] 99999999999\n', 'cannot parse test.reg: line 6: key time stamp out of range'],
    [HEAD + '\n[A\\\\\\\\B]\n', 'cannot parse test.reg: line 6: empty key name in a path'],
    [HEAD + '\n[A]\n"x"=dword:123456789\n', 'cannot parse test.reg: line 7: malformed dword (expected up to 8 hex digits)'],
    [HEAD + '\n[A]\n"x"="abc\n', 'cannot parse test.reg: line 7: malformed string data (no closing quote)'],
    [HEAD + '\n[A]\n"x"=hex:01,\\\n', 'cannot parse test.reg: line 7: hex data continued past the end of the file'],
    [HEAD + '\n[A]\n"x"=hex:01,\\\n  100\n', 'cannot parse test.reg: line 8: hex byte "100" out of range'],
    [HEAD + '\n[A]\n"x"=hex(7:00\n', 'cannot parse test.reg: line 7: malformed "hex(type):"'],
    [HEAD + '\n[A]\n"x"=qword:1\n', 'cannot parse test.reg: line 7: unknown value data (expected "…", str(2):, str(7):, dword:, hex: or hex(type):)'],
    [HEAD + '\n[A]\n"x" 1\n', 'cannot parse test.reg: line 7: expected "=" after the value name'],
    [HEAD + '\n[A]\n#linked\n', 'cannot parse test.reg: line 7: unexpected text after #link'],
    [HEAD + '\n[A]\n#time=xyz\n', 'cannot parse test.reg: line 7: malformed "#time=" (expected 1 to 16 hex digits)'],
    ['WINE REGISTRY Version 2\n#arch=win16\n', 'cannot parse test.reg: line 2: unknown architecture "#arch=win16" (Wine knows win32 and win64)'],
    [HEAD + '\n[A]\nfoo\n', 'cannot parse test.reg: line 7: unrecognized input (expected a key, a value, an option or a comment)'],
    [HEAD + `\n[${'k'.repeat(257)}]\n`, 'cannot parse test.reg: line 6: key name longer than 256 characters'],
  ];
  for (const [text, message] of cases) {
    it(message.slice(23), () => {
      const e = parseError(text);
      expect(e.code).toBe('REGISTRY_PARSE');
      expect(e.message).toBe(message);
      expect(e.hint).toMatch(/wineserver/);
    });
  }
});
