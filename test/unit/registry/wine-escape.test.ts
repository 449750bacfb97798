import { describe, expect, it } from 'vitest';
import { escapeKeyPath, escapeWine, readEscaped } from '../../../src/registry/wine-escape.js';

function read(src: string, end: number): [string | null, number] {
  const cur = { pos: 0 };
  const s = readEscaped(src, cur, src.length, end);
  return [s, cur.pos];
}

describe('escapeWine (Wine dump_strW, research/wine-reg-format.md §6)', () => {
  const cases: [string, 'quoted' | 'key', string][] = [
    ['plain', 'quoted', 'plain'],
    ['é1', 'quoted', '\\x00e91'],
    ['ég', 'quoted', '\\xe9g'],
    ['éF', 'quoted', '\\x00e9F'],
    ['éG', 'quoted', '\\xe9G'],
    ['é', 'quoted', '\\xe9'],
    ['😀', 'quoted', '\\xd83d\\xde00'],
    ['\u00011', 'quoted', '\\0011'],
    ['\u00018', 'quoted', '\\18'],
    ['\u0000', 'quoted', '\\0'],
    ['\u001f', 'quoted', '\\37'],
    ['A\tB\nC\r\u001b\u0007\b\v\f', 'quoted', 'A\\tB\\nC\\r\\e\\a\\b\\v\\f'],
    ['say "hi" [x]', 'quoted', 'say \\"hi\\" [x]'],
    ['say "hi" [x]', 'key', 'say "hi" \\[x\\]'],
    ['back\\slash', 'key', 'back\\\\slash'],
    ['\u007f', 'quoted', '\u007f'],
    ['\u0080', 'quoted', '\\x80'],
  ];
  for (const [input, ctx, out] of cases) {
    it(`${JSON.stringify(input)} (${ctx}) → ${out}`, () => {
      expect(escapeWine(input, ctx)).toBe(out);
      const end = ctx === 'key' ? 0x5d : 0x22;
      expect(read(out + String.fromCharCode(end), end)).toEqual([input, out.length + 1]);
    });
  }

  it('joins key components with an escaped backslash', () => {
    expect(escapeKeyPath(['Software', 'Weird [x]', 'é'])).toBe('Software\\\\Weird \\[x\\]\\\\\\xe9');
  });
});

describe('readEscaped (Wine parse_strW)', () => {
  it('reads \\x greedily up to 4 digits, a bare \\x as "x", and 1 to 3 octal digits', () => {
    expect(read('\\x00e91"', 0x22)[0]).toBe('\u00e91');
    expect(read('\\xe9g"', 0x22)[0]).toBe('\u00e9g');
    expect(read('\\xg"', 0x22)[0]).toBe('xg');
    expect(read('\\0011"', 0x22)[0]).toBe('\u00011');
    expect(read('\\777"', 0x22)[0]).toBe('\u01ff');
    expect(read('\\q\\]"', 0x22)[0]).toBe('q]');
  });

  it('returns null without its delimiter, on a trailing backslash, or on a NUL', () => {
    expect(read('abc', 0x22)[0]).toBeNull();
    expect(read('abc\\', 0x22)[0]).toBeNull();
    expect(read('a\u0000"', 0x22)[0]).toBeNull();
  });

  it('stops at the first unescaped delimiter', () => {
    expect(read('a\\"b"c"', 0x22)).toEqual(['a"b', 5]);
    expect(read('a\\]b]c', 0x5d)).toEqual(['a]b', 5]);
  });
});
