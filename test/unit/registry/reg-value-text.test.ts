import { describe, expect, it } from 'vitest';
import { describeValue, parseTypeName, parseValueData, typeName } from '../../../src/registry/reg-value-text.js';
import { REG_BINARY, REG_MULTI_SZ, REG_QWORD, valueBytes } from '../../../src/registry/reg-model.js';
import type { FvmError } from '../../../src/shared/errors.js';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as FvmError).code;
  }
  return 'no error';
}

describe('registry values as text', () => {
  it('names types, unknown numbers in hex', () => {
    expect(typeName(1)).toBe('REG_SZ');
    expect(typeName(REG_QWORD)).toBe('REG_QWORD');
    expect(typeName(0x1234)).toBe('REG_0x1234');
    expect(parseTypeName('reg_dword')).toBe('REG_DWORD');
    expect(code(() => parseTypeName('REG_LINK'))).toBe('INVALID_ARGUMENT');
  });

  it('parses data as reg add does and shows it back', () => {
    expect(describeValue(parseValueData('A', 'REG_SZ', 'héllo'))).toEqual({ name: 'A', type: 'REG_SZ', data: 'héllo' });
    expect(describeValue(parseValueData('', 'REG_DWORD', '42'))).toEqual({ name: '', type: 'REG_DWORD', data: '0x0000002a (42)' });
    expect(describeValue(parseValueData('n', 'REG_DWORD', '0xffffffff')).data).toBe('0xffffffff (4294967295)');
    expect(describeValue(parseValueData('q', 'REG_QWORD', '0x100000000')).data).toBe('0x0000000100000000 (4294967296)');
    expect(describeValue(parseValueData('b', 'REG_BINARY', '0a,1B ff')).data).toBe('0a 1b ff');
    const multi = parseValueData('m', 'REG_MULTI_SZ', 'one\\0two');
    expect(multi.type).toBe(REG_MULTI_SZ);
    // The data is each item NUL-terminated, then the empty item that ends the list.
    expect(Buffer.from(valueBytes(multi)).toString('utf16le')).toBe('one\0two\0\0');
    expect(describeValue(multi).data).toBe('one\\0two');
    expect(Buffer.from(valueBytes(parseValueData('e', 'REG_MULTI_SZ', ''))).toString('utf16le')).toBe('\0');
    expect(parseValueData('b', 'REG_BINARY', '').type).toBe(REG_BINARY);
  });

  it('refuses bad data with INVALID_ARGUMENT', () => {
    expect(code(() => parseValueData('n', 'REG_DWORD', 'lots'))).toBe('INVALID_ARGUMENT');
    expect(code(() => parseValueData('n', 'REG_DWORD', '4294967296'))).toBe('INVALID_ARGUMENT');
    expect(code(() => parseValueData('n', 'REG_DWORD', '-1'))).toBe('INVALID_ARGUMENT');
    expect(code(() => parseValueData('q', 'REG_QWORD', '0x10000000000000000'))).toBe('INVALID_ARGUMENT');
    expect(code(() => parseValueData('b', 'REG_BINARY', 'abc'))).toBe('INVALID_ARGUMENT');
    expect(code(() => parseValueData('b', 'REG_BINARY', 'zz'))).toBe('INVALID_ARGUMENT');
    expect(code(() => parseValueData('a\0b', 'REG_SZ', 'x'))).toBe('INVALID_ARGUMENT');
  });
});
