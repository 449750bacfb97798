import { describe, expect, it } from 'vitest';
import { FvmError } from '../../../src/shared/errors.js';
import { formatRegedit, formatRegeditText, parseRegedit, type RegeditFile } from '../../../src/registry/regedit-format.js';
import { REG_EXPAND_SZ, REG_MULTI_SZ, dwordValue, stringValue, valueBytes, valueFromBytes } from '../../../src/registry/reg-model.js';

const FILE: RegeditFile = {
  version: 'v5',
  entries: [
    {
      kind: 'key',
      root: 'HKCU',
      path: ['Software', 'FVM'],
      values: [
        { kind: 'set', value: stringValue('', 'd') },
        { kind: 'set', value: stringValue('s', 'a"b\\c') },
        { kind: 'set', value: dwordValue('dw', 42) },
        { kind: 'set', value: valueFromBytes('bin', 3, Uint8Array.of(1, 2)) },
        { kind: 'set', value: stringValue('exp', '%T%', REG_EXPAND_SZ) },
        { kind: 'set', value: stringValue('multi', 'a\0b\0', REG_MULTI_SZ) },
        { kind: 'set', value: stringValue('nl', 'x\ny') },
        { kind: 'delete', name: 'gone' },
      ],
    },
    { kind: 'delete-key', root: 'HKLM', path: ['Software', 'Old'] },
  ],
};

const TEXT =
  'Windows Registry Editor Version 5.00\r\n\r\n' +
  '[HKEY_CURRENT_USER\\Software\\FVM]\r\n' +
  '@="d"\r\n' +
  '"s"="a\\"b\\\\c"\r\n' +
  '"dw"=dword:0000002a\r\n' +
  '"bin"=hex:01,02\r\n' +
  '"exp"=hex(2):25,00,54,00,25,00,00,00\r\n' +
  '"multi"=hex(7):61,00,00,00,62,00,00,00,00,00\r\n' +
  '"nl"=hex(1):78,00,0a,00,79,00,00,00\r\n' +
  '"gone"=-\r\n' +
  '\r\n' +
  '[-HKEY_LOCAL_MACHINE\\Software\\Old]\r\n' +
  '\r\n';

function digest(f: RegeditFile): unknown {
  return f.entries.map((e) =>
    e.kind === 'delete-key'
      ? e
      : { ...e, values: e.values.map((v) => (v.kind === 'delete' ? v : [v.value.name, v.value.type, Buffer.from(valueBytes(v.value)).toString('hex')])) },
  );
}

function parseError(input: string | Uint8Array): FvmError {
  try {
    parseRegedit(input);
  } catch (e) {
    expect(e).toBeInstanceOf(FvmError);
    return e as FvmError;
  }
  throw new Error('expected an error');
}

describe('export', () => {
  it('writes version 5 as regedit does: UTF-16LE with a BOM, CRLF, hex(2)/hex(7) for expand and multi strings', () => {
    expect(formatRegeditText(FILE)).toBe(TEXT);
    const bytes = Buffer.from(formatRegedit(FILE));
    expect(bytes.subarray(0, 4).toString('hex')).toBe('fffe5700');
    expect(bytes.subarray(2).toString('utf16le')).toBe(TEXT);
  });

  it('writes REGEDIT4 in 8-bit text, with hex(2)/hex(7) as 8-bit strings', () => {
    const text = Buffer.from(formatRegedit({ ...FILE, version: 'regedit4' })).toString('utf8');
    expect(text.startsWith('REGEDIT4\r\n\r\n[HKEY_CURRENT_USER\\Software\\FVM]\r\n')).toBe(true);
    expect(text).toContain('"exp"=hex(2):25,54,25,00\r\n');
    expect(text).toContain('"multi"=hex(7):61,00,62,00,00\r\n');
  });

  it('wraps long hex like regedit, counting the name', () => {
    const v = valueFromBytes('InputTypes', 3, Uint8Array.from({ length: 30 }, (_, i) => i));
    const text = formatRegeditText({ version: 'v5', entries: [{ kind: 'key', root: 'HKLM', path: ['S'], values: [{ kind: 'set', value: v }] }] });
    expect(text.split('\r\n').slice(3, 5)).toEqual([
      '"InputTypes"=hex:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,\\',
      '  14,15,16,17,18,19,1a,1b,1c,1d',
    ]);
  });
});

describe('import', () => {
  it('reads back what it wrote, in UTF-16LE with BOM and in REGEDIT4', () => {
    expect(digest(parseRegedit(formatRegedit(FILE)))).toEqual(digest(FILE));
    const v4 = parseRegedit(formatRegedit({ ...FILE, version: 'regedit4' }));
    expect(v4.version).toBe('regedit4');
    expect(digest(v4)).toEqual(digest(FILE));
  });

  it('accepts UTF-8 with and without BOM, UTF-16LE without BOM, and ANSI', () => {
    const text = 'Windows Registry Editor Version 5.00\n\n[HKCU\\Software\\Caf\u00e9]\n"n"="\u00e9t\u00e9 \u20ac"\n';
    const want = [{ kind: 'key', root: 'HKCU', path: ['Software', 'Caf\u00e9'], values: [['n', 1, Buffer.from('\u00e9t\u00e9 \u20ac\0', 'utf16le').toString('hex')]] }];
    expect(digest(parseRegedit(Buffer.from(text, 'utf8')))).toEqual(want);
    expect(digest(parseRegedit(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])))).toEqual(want);
    expect(digest(parseRegedit(Buffer.from(text, 'utf16le')))).toEqual(want);
    const ansi = Buffer.from('REGEDIT4\r\n\r\n[HKCU\\Software\\Caf\u00e9]\r\n"n"="\u00e9t\u00e9 \u20ac"\r\n', 'latin1');
    ansi[ansi.length - 4] = 0x80; // € in Windows-1252
    expect(digest(parseRegedit(ansi))).toEqual(want);
  });

  it('reads deletions, continuation lines, comments, hex(N) types and Wine str(N) forms', () => {
    const text = [
      'Windows Registry Editor Version 5.00',
      '; a comment',
      '[HKEY_LOCAL_MACHINE\\Software\\A\\]',
      '"q"=hex(b):01,02,03,04,\\',
      '   05,06,07,08',
      '"n"=hex(0):',
      '"e"=str(2):"%X%"',
      '@=-',
      '"d" = dword:7 ; seven',
      '[-HKEY_CLASSES_ROOT\\.fvm]',
      '[HKEY_USERS\\S-1-5-18\\X]',
    ].join('\r\n');
    expect(digest(parseRegedit(text))).toEqual([
      {
        kind: 'key',
        root: 'HKLM',
        path: ['Software', 'A'],
        values: [
          ['q', 11, '0102030405060708'],
          ['n', 0, ''],
          ['e', 2, Buffer.from('%X%\0', 'utf16le').toString('hex')],
          { kind: 'delete', name: '' },
          ['d', 4, '07000000'],
        ],
      },
      { kind: 'delete-key', root: 'HKCR', path: ['.fvm'] },
      { kind: 'key', root: 'HKU', path: ['S-1-5-18', 'X'], values: [] },
    ]);
  });

  const errors: [string, string][] = [
    ['REGEDIT5\r\n', 'cannot parse .reg file: line 1: unknown header "REGEDIT5"'],
    ['REGEDIT4\r\n[HKEY_CURRENT_CONFIG\\X]\r\n', 'cannot parse .reg file: line 2: "HKEY_CURRENT_CONFIG" is not a registry root (HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, HKEY_USERS, HKEY_CLASSES_ROOT)'],
    ['REGEDIT4\r\n"x"="1"\r\n', 'cannot parse .reg file: line 2: a value outside a key (or under a deleted key)'],
    ['REGEDIT4\r\n[HKCU\\A]\r\n"x"=hex:1,zz\r\n', 'cannot parse .reg file: line 3: bad hex byte "zz"'],
    ['REGEDIT4\r\n[HKCU\\A]\r\n"x"=hex:01,\\', 'cannot parse .reg file: line 3: hex data continued past the end of the file'],
    ['REGEDIT4\r\n[HKCU\\A]\r\n"x"="open\r\n', 'cannot parse .reg file: line 3: missing closing quote'],
    ['REGEDIT4\r\n[HKCU\\A]\r\n"x"=dword:123456789\r\n', 'cannot parse .reg file: line 3: unexpected text after the value'],
    ['REGEDIT4\r\n[HKCU\\A]\r\n"x"=qword:1\r\n', 'cannot parse .reg file: line 3: unknown value data (expected "…", dword:, hex: or hex(type):)'],
    ['REGEDIT4\r\n[HKCU\\A\\\\B]\r\n', 'cannot parse .reg file: line 2: empty key name in the key path'],
    ['REGEDIT4\r\n[HKCU\\A] x\r\n', 'cannot parse .reg file: line 2: malformed key line (expected [KEY])'],
    ['REGEDIT4\r\nboo\r\n', 'cannot parse .reg file: line 2: unrecognized line'],
  ];
  for (const [text, message] of errors) {
    it(`rejects: ${message.slice(24)}`, () => {
      const e = parseError(text);
      expect(e.code).toBe('REGISTRY_PARSE');
      expect(e.message).toBe(message);
    });
  }
});
