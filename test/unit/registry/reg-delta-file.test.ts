import { describe, expect, it } from 'vitest';
import { FvmError } from '../../../src/shared/errors.js';
import { parseDelta, serializeDelta } from '../../../src/registry/reg-delta-file.js';
import { applyDeleteKey, applyDeleteValue, applyWrite, emptyDelta } from '../../../src/registry/reg-delta.js';
import { harvest } from '../../../src/registry/reg-harvest.js';
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import { stringValue, valueFromBytes } from '../../../src/registry/reg-model.js';
import { fixtureText } from './fixture-files.js';

const HEAD = 'WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\Machine\n\n#arch=win64\n';
const host = parseWineReg(HEAD + '\n[Gone\\\\Sub] 1\n"v"="1"\n\n[Host\\\\Key] 1\n"removed \\"v\\""="1"\n@="d"\n"kept"="2"\n');
let delta = applyDeleteKey(host, emptyDelta(host.header), 'Gone', 0n);
delta = applyDeleteValue(host, delta, 'Host\\Key', 'removed "v"', 0n);
delta = applyDeleteValue(host, delta, 'Host\\Key', '', 0n);
delta = applyWrite(host, delta, 'New [x]', [stringValue('caf\u00e9', 'v'), valueFromBytes('b', 3, Uint8Array.from({ length: 30 }, (_, i) => i))], 0x1dd7bda9e4d9346n);

const TEXT =
  'FVM REGISTRY DELTA Version 1\n;; All keys relative to REGISTRY\\\\Machine\n\n#arch=win64\n\n' +
  '-[Gone]\n' +
  '-[Host\\\\Key] @\n' +
  '-[Host\\\\Key] "removed \\"v\\""\n' +
  '\n[New \\[x\\]] 1795500677\n#time=1dd7bda9e4d9346\n' +
  '"b"=hex:00,01,02,03,04,05,06,07,08,09,0a,0b,0c,0d,0e,0f,10,11,12,13,14,15,16,\\\n  17,18,19,1a,1b,1c,1d\n' +
  '"caf\\xe9"="v"\n';

describe('delta files', () => {
  it('write deletions then key blocks in Wine syntax', () => {
    expect(serializeDelta(delta)).toBe(TEXT);
  });

  it('read back to the same delta', () => {
    const back = parseDelta(TEXT);
    expect(serializeDelta(back)).toBe(TEXT);
    expect(back.deletedKeys).toEqual([['Gone']]);
    expect(back.deletedValues).toEqual([
      { key: ['Host', 'Key'], name: '' },
      { key: ['Host', 'Key'], name: 'removed "v"' },
    ]);
    expect(back.keys.map((k) => k.path)).toEqual([['New [x]']]);
    expect(back.header).toEqual(host.header);
  });

  it('round-trip a harvested delta of real hives', () => {
    const fresh = parseWineReg(fixtureText('fresh-settled/user.reg'));
    const d = harvest(fresh, parseWineReg(fixtureText('user-edge-cases.reg')));
    const text = serializeDelta(d);
    expect(serializeDelta(parseDelta(text))).toBe(text);
    expect(text.split('\n')[0]).toBe('FVM REGISTRY DELTA Version 1');
  });

  const errors: [string, string][] = [
    ['WINE REGISTRY Version 2\n', 'cannot parse d.reg: line 1: the first line must be "FVM REGISTRY DELTA Version 1"'],
    ['FVM REGISTRY DELTA Version 1\n-[Open\n', 'cannot parse d.reg: line 2: malformed deletion (no closing "]")'],
    ['FVM REGISTRY DELTA Version 1\n-[A] junk\n', 'cannot parse d.reg: line 2: unexpected text after a deleted key'],
    ['FVM REGISTRY DELTA Version 1\n-[A] "x" y\n', 'cannot parse d.reg: line 2: malformed value name in a deletion'],
    ['FVM REGISTRY DELTA Version 1\n-[A\\\\\\\\B]\n', 'cannot parse d.reg: line 2: empty key name in a path'],
    ['FVM REGISTRY DELTA Version 1\n-[A]\n\n[K]\n"v"=dword:xyz\n', 'cannot parse d.reg: line 5: malformed dword (expected up to 8 hex digits)'],
  ];
  for (const [text, message] of errors) {
    it(`reject: ${message.slice(20)}`, () => {
      let err: unknown;
      try {
        parseDelta(text, { label: 'd.reg' });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FvmError);
      expect((err as FvmError).code).toBe('REGISTRY_PARSE');
      expect((err as FvmError).message).toBe(message);
    });
  }
});
