import { describe, expect, it } from 'vitest';
import {
  FILETIME_UNIX_EPOCH,
  canonicalValue,
  filetimeFromDate,
  filetimeToSeconds,
  findValue,
  formatFiletime,
  keyFiletime,
  makeKey,
  sameData,
  stringValue,
  valueBytes,
  valueFromBytes,
  withTime,
} from '../../../src/registry/reg-model.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('values', () => {
  it("pick Wine's written form from type and data", () => {
    expect(valueFromBytes('a', 1, Uint8Array.of(0x41, 0, 0, 0))).toEqual({ kind: 'string', name: 'a', type: 1, text: 'A' });
    expect(valueFromBytes('a', 7, Uint8Array.of(0x61, 0, 0, 0, 0, 0))).toEqual({ kind: 'string', name: 'a', type: 7, text: 'a\0' });
    expect(valueFromBytes('a', 4, Uint8Array.of(0xef, 0xbe, 0xad, 0xde))).toEqual({ kind: 'dword', name: 'a', type: 4, value: 0xdeadbeef });
    expect(valueFromBytes('a', 5, Uint8Array.of(0, 0, 0, 42)).kind).toBe('hex');
    expect(valueFromBytes('a', 1, Uint8Array.of(0x41, 0)).kind).toBe('hex');
    expect(valueFromBytes('a', -1, Uint8Array.of()).type).toBe(0xffffffff);
  });

  it('compare by type and data, whatever the written form', () => {
    const asHex = { kind: 'hex', name: 'm', type: 7, bytes: Uint8Array.of(0x61, 0, 0, 0, 0, 0) } as const;
    const asStr = stringValue('m', 'a\0', 7);
    expect(sameData(asHex, asStr)).toBe(true);
    expect(hex(valueBytes(asStr))).toBe('610000000000');
    expect(canonicalValue(asHex)).toEqual(asStr);
    expect(sameData(stringValue('m', 'a\0', 1), asStr)).toBe(false);
  });
});

describe('keys and time stamps', () => {
  it("format #time as Wine's %x%08x and the seconds after ]", () => {
    expect(formatFiletime(0x1dd7bd8670d4d92n)).toBe('1dd7bd8670d4d92');
    expect(formatFiletime(0x12n)).toBe('000000012');
    expect(filetimeToSeconds(0x1dd7bd8670d4d92n)).toBe(1795499726);
    expect(filetimeFromDate(new Date(0))).toBe(FILETIME_UNIX_EPOCH);
    const k = makeKey(['A'], [], 0x1dd7bd8670d4d92n);
    expect([k.seconds, k.time, k.className, k.link, k.options, k.source]).toEqual([1795499726, '1dd7bd8670d4d92', null, false, [], undefined]);
    expect(keyFiletime(withTime(k, 5n))).toBe(5n);
    expect(keyFiletime({ ...k, time: null })).toBe(17954997260000000n + FILETIME_UNIX_EPOCH);
    expect(keyFiletime({ ...k, time: null, seconds: null })).toBeNull();
  });

  it('find values by name in any case', () => {
    const k = makeKey(['A'], [stringValue('Na\u00efve', 'x'), stringValue('', 'd')]);
    expect(findValue(k, 'NA\u00cfVE')?.name).toBe('Na\u00efve');
    expect(findValue(k, '')?.name).toBe('');
    expect(findValue(k, 'other')).toBeUndefined();
  });
});
