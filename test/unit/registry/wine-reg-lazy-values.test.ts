// Values of a key read from one block are built on first access (wine-reg-parser.ts, lazyValues):
// the model must look and behave exactly as if they had been built during the parse.
import { describe, expect, it } from 'vitest';
import { FvmError } from '../../../src/shared/errors.js';
import { parseWineReg, sameBlockValues } from '../../../src/registry/wine-reg-parser.js';
import { harvest } from '../../../src/registry/reg-harvest.js';
import { diffHives } from '../../../src/registry/reg-diff.js';
import { withValues } from '../../../src/registry/reg-model.js';
import { serializeWineReg } from '../../../src/registry/wine-reg-serializer.js';
import { REG_BINARY, REG_EXPAND_SZ, REG_MULTI_SZ, type RegKey } from '../../../src/registry/reg-model.js';
import { allFixtures } from './fixture-files.js';

const HEAD = 'WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\Machine\n\n#arch=win64\n';

const BLOCK_A = [
  '[Software\\\\A] 1700000000',
  '#time=1da0c2e9f5c2b10',
  '#class="Cls"',
  '@="default"',
  '"Zeta"=dword:0000002a',
  '"alpha"=str(2):"%SystemRoot%"',
  '"Multi"=str(7):"a\\0b\\0"',
  '"Bin"=hex:00,01,\\',
  '  02,ff',
  '"ZETA"=hex(0):',
  '"Odd"=hex(12345678):aa',
].join('\n');
const BLOCK_B = '[Software\\\\B]\n"x"="1"';
const TEXT = `${HEAD}\n${BLOCK_A}\n\n${BLOCK_B}\n`;

/** The key the parse of BLOCK_A must give, as a plain object built by hand. */
function expectedA(): RegKey {
  return {
    path: ['Software', 'A'],
    seconds: 1700000000,
    time: '1da0c2e9f5c2b10',
    className: 'Cls',
    link: false,
    options: [],
    values: [
      { kind: 'string', name: '', type: 1, text: 'default' },
      // A repeated name (case-insensitively): the last one wins, in the place of the first.
      { kind: 'hex', name: 'ZETA', type: 0, bytes: new Uint8Array(0) },
      { kind: 'string', name: 'alpha', type: REG_EXPAND_SZ, text: '%SystemRoot%' },
      { kind: 'string', name: 'Multi', type: REG_MULTI_SZ, text: 'a\0b\0' },
      { kind: 'hex', name: 'Bin', type: REG_BINARY, bytes: Uint8Array.of(0, 1, 2, 0xff) },
      { kind: 'hex', name: 'Odd', type: 0x12345678, bytes: Uint8Array.of(0xaa) },
    ],
    source: BLOCK_A,
  };
}

function parseA(text = TEXT): RegKey {
  return parseWineReg(text).keys[0];
}

describe('lazily built values', () => {
  it('make a key deep-equal to the eagerly built one, before and after the first read', () => {
    expect(parseA()).toEqual(expectedA());
    expect(parseA()).toStrictEqual(expectedA());
    const k = parseA();
    expect(k.values).toEqual(expectedA().values);
    expect(k).toStrictEqual(expectedA());
    // The first read leaves a plain, enumerable data property, and no other field.
    expect(Object.getOwnPropertyDescriptor(k, 'values')).toMatchObject({ enumerable: true, writable: true });
    expect(Object.keys(k)).toEqual(['path', 'seconds', 'time', 'className', 'link', 'options', 'values', 'source']);
  });

  it('are an own enumerable property before the first read, in the eager key order', () => {
    const k = parseA();
    const d = Object.getOwnPropertyDescriptor(k, 'values');
    expect(d?.enumerable).toBe(true);
    expect(Object.keys(k)).toEqual(['path', 'seconds', 'time', 'className', 'link', 'options', 'values', 'source']);
  });

  it('are carried by spreads, Object.assign, JSON.stringify and structuredClone', () => {
    const values = expectedA().values;
    expect({ ...parseA() }.values).toEqual(values);
    expect({ ...parseA() }).toStrictEqual(expectedA());
    expect(Object.assign({}, parseA()).values).toEqual(values);
    const json = JSON.parse(JSON.stringify(parseA())) as RegKey;
    expect(json.values.map((v) => v.name)).toEqual(values.map((v) => v.name));
    expect(json).toEqual(JSON.parse(JSON.stringify(expectedA())));
    expect(structuredClone(parseA())).toEqual(expectedA());
  });

  it('are the same array on every read', () => {
    const k = parseA();
    expect(k.values).toBe(k.values);
  });

  it('work on a key frozen before the first read', () => {
    const k = Object.freeze(parseA());
    expect(k.values).toEqual(expectedA().values);
    expect(k.values).toBe(k.values);
    expect(k).toStrictEqual(expectedA());
  });

  it('keep an empty list for a key without values', () => {
    const hive = parseWineReg(`${HEAD}\n[Empty] 5\n#time=1\n`);
    expect(hive.keys[0].values).toEqual([]);
    expect(hive.keys[0]).toStrictEqual({ path: ['Empty'], seconds: 5, time: '1', className: null, link: false, options: [], values: [], source: '[Empty] 5\n#time=1' });
  });

  it('read CRLF, escapes and loose syntax as the parse does', () => {
    const text = `${HEAD}\n[K]\n  "a\\"q"  =  str:"x\\ty"\n"b"=dword:7\n"c"=hex(3): 1 , 2\n`.replace(/\n/g, '\r\n');
    const k = parseWineReg(text).keys[0];
    expect(k.values).toEqual([
      { kind: 'string', name: 'a"q', type: 1, text: 'x\ty' },
      { kind: 'dword', name: 'b', type: 4, value: 7 },
      { kind: 'hex', name: 'c', type: 3, bytes: Uint8Array.of(1, 2) },
    ]);
    expect(serializeWineReg(parseWineReg(text))).toBe(text);
  });

  it('merge a repeated key as before (values eager, no source)', () => {
    const text = `${HEAD}\n[R]\n"b"="1"\n"a"="2"\n\n[S]\n"s"="s"\n\n[R] 9\n"A"="3"\n"c"="4"\n`;
    const hive = parseWineReg(text);
    const r = hive.keys[0];
    expect(r).toStrictEqual({
      path: ['R'],
      seconds: 9,
      time: null,
      className: null,
      link: false,
      options: [],
      values: [
        { kind: 'string', name: 'b', type: 1, text: '1' },
        { kind: 'string', name: 'A', type: 1, text: '3' },
        { kind: 'string', name: 'c', type: 1, text: '4' },
      ],
    });
    expect(Object.getOwnPropertyDescriptor(r, 'values')?.get).toBeUndefined();
    expect(hive.keys[1]).toEqual({ path: ['S'], seconds: null, time: null, className: null, link: false, options: [], values: [{ kind: 'string', name: 's', type: 1, text: 's' }], source: '[S]\n"s"="s"' });
  });

  it('merge a key repeated before its first block was read, and one whose first block had no values', () => {
    const text = `${HEAD}\n[E]\n\n[F]\n"f"="1"\n\n[E]\n"e"="2"\n\n[F]\n"F"="3"\n`;
    const [e, f] = parseWineReg(text).keys;
    expect(e.values).toEqual([{ kind: 'string', name: 'e', type: 1, text: '2' }]);
    expect(f.values).toEqual([{ kind: 'string', name: 'F', type: 1, text: '3' }]);
    expect(e.source).toBeUndefined();
    expect(f.source).toBeUndefined();
  });

  it('still reject a malformed value line at parse time, with its line number', () => {
    const text = `${HEAD}\n[K]\n"a"="1"\n"b"=dword:xyz\n`;
    let error: unknown;
    try {
      parseWineReg(text, { label: 't.reg' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FvmError);
    expect((error as FvmError).code).toBe('REGISTRY_PARSE');
    expect((error as FvmError).message).toContain('line 8:');
    expect(() => parseWineReg(`${HEAD}\n[K]\n"${'n'.repeat(16384)}"="1"\n`)).toThrow(/line 7: value name longer/);
    expect(() => parseWineReg(`${HEAD}\n[K]\n"a"=hex:01,\\\n  1ff\n`)).toThrow(/line 8: hex byte "1ff" out of range/);
  });

  it.each(allFixtures())('%s: round trip stays byte-identical, before and after the values are read', (_name, text) => {
    expect(serializeWineReg(parseWineReg(text))).toBe(text);
    const hive = parseWineReg(text);
    for (const k of hive.keys) void k.values;
    expect(serializeWineReg(hive)).toBe(text);
  });

  it.each(allFixtures())('%s: values read lazily equal those of the canonical text written from them', (_name, text) => {
    const hive = parseWineReg(text);
    // Written from the values (not the source texts), then read again: the same model but sources.
    const again = parseWineReg(serializeWineReg(hive, { canonical: true }));
    const strip = (k: RegKey): RegKey => ({ path: k.path, seconds: k.seconds, time: k.time, className: k.className, link: k.link, options: k.options, values: k.values });
    expect(again.keys.map(strip)).toEqual(hive.keys.map(strip));
    expect(hive.keys.map((k) => ({ ...k })).map(strip)).toStrictEqual(again.keys.map(strip));
  });

  describe('comparing blocks without building values', () => {
    const lazy = (k: RegKey): boolean => typeof Object.getOwnPropertyDescriptor(k, 'values')?.get === 'function';
    const retimed = TEXT.replace('1700000000', '1700000099').replace('#time=1da0c2e9f5c2b10', '#time=1da0c2e9f5c2b99');

    it('knows keys whose blocks differ only in the key line and #time= line hold the same values', () => {
      const a = parseA();
      const b = parseA(retimed);
      expect(sameBlockValues(a, b)).toBe(true);
      expect(lazy(a) && lazy(b)).toBe(true); // nothing was built
      expect(a.values).toEqual(b.values);
    });

    it('answers false (unknown) on any other difference, a built key or a key without source', () => {
      expect(sameBlockValues(parseA(), parseA(TEXT.replace('"Odd"=hex(12345678):aa', '"Odd"=hex(12345678):ab')))).toBe(false);
      expect(sameBlockValues(parseA(), parseA(TEXT.replace('#class="Cls"\n', '#class="Cls"\n;\n')))).toBe(false);
      expect(sameBlockValues(parseA(), parseA(TEXT.replace(/\n/g, '\r\n')))).toBe(false);
      const read = parseA();
      void read.values;
      expect(sameBlockValues(read, parseA())).toBe(false);
      const a = parseA();
      expect(sameBlockValues(withValues(a, a.values), parseA())).toBe(false);
    });

    it('leaves harvest and diff results unchanged', () => {
      const host = parseWineReg(TEXT);
      const target = parseWineReg(retimed);
      expect(harvest(host, target)).toEqual({ header: host.header, keys: [], deletedKeys: [], deletedValues: [] });
      expect(diffHives(host, target)).toEqual([]);
      // "Zeta" is overridden by the later "ZETA" of the same block: changing it changes nothing.
      const same = parseWineReg(retimed.replace('"Zeta"=dword:0000002a', '"Zeta"=dword:0000002b'));
      expect(sameBlockValues(host.keys[0], same.keys[0])).toBe(false);
      expect(harvest(host, same).keys).toEqual([]);
      expect(diffHives(host, same)).toEqual([]);
      const changed = parseWineReg(retimed.replace('"x"="1"', '"x"="2"').replace('02,ff', '02,fe'));
      expect(harvest(host, changed).keys.map((k) => k.path.join('\\'))).toEqual(['Software\\A', 'Software\\B']);
      expect(diffHives(host, changed).map((c) => `${c.kind} ${c.key} ${c.value}`)).toEqual(['modified Software\\A Bin', 'modified Software\\B x']);
    });
  });
});
