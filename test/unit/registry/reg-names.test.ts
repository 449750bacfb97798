import { describe, expect, it } from 'vitest';
import { ancestorIds, compareKeyPaths, compareNames, foldName, isWithin, keyId } from '../../../src/registry/reg-names.js';
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import { allFixtures } from './fixture-files.js';

describe("Wine's order of names", () => {
  it('sorts lowercased units, shorter first: _ before letters (research/wine-reg-format.md §7)', () => {
    const names = ['zz', 'Zed', 'Weird [brackets] key', 'Empty', 'Emoji\u{1F30D}Key', 'B_under', 'ab', 'aaa', 'a_b'];
    expect([...names].sort(compareNames)).toEqual(['a_b', 'aaa', 'ab', 'B_under', 'Emoji\u{1F30D}Key', 'Empty', 'Weird [brackets] key', 'Zed', 'zz']);
    expect(compareNames('ABC', 'abc')).toBe(0);
    expect(compareNames('ab', 'abc')).toBeLessThan(0);
  });

  for (const [name, text] of allFixtures()) {
    it(`${name}: keys and values are in this order, with no violation`, () => {
      const hive = parseWineReg(text);
      let bad = 0;
      for (let i = 1; i < hive.keys.length; i++) if (compareKeyPaths(hive.keys[i - 1].path, hive.keys[i].path) >= 0) bad++;
      for (const k of hive.keys) for (let i = 1; i < k.values.length; i++) if (compareNames(k.values[i - 1].name, k.values[i].name) >= 0) bad++;
      expect(bad).toBe(0);
    });
  }
});

describe('key ids', () => {
  it('fold case unit by unit, keeping the length', () => {
    expect(foldName('Software\u00C9')).toBe('software\u00e9');
    // U+0130 lowercases to two units in JavaScript; Wine keeps names one unit per unit.
    expect(foldName('\u0130X')).toBe('\u0130x');
    expect(keyId(['Software', 'Wine'])).toBe('software\\wine');
  });

  it('know ancestors and subtrees', () => {
    expect(ancestorIds('a\\b\\c')).toEqual(['a\\b', 'a']);
    expect(isWithin('a\\bc', 'a\\b')).toBe(false);
    expect(isWithin('a\\b\\c', 'a\\b')).toBe(true);
    expect(isWithin('a\\b', 'a\\b')).toBe(true);
    expect(isWithin('x', '')).toBe(true);
  });
});
