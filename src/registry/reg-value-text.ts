/**
 * Registry values as people type and read them: type names (`REG_SZ` …) and data as text.
 *
 * The input side follows Windows' `reg add /t TYPE /d DATA`: numbers in decimal or `0x` hex,
 * REG_MULTI_SZ items separated by `\0`, binary types as hex digits. The output side is one line
 * per value, so a CLI table, a JSON document and the app show the same text.
 */
import { Buffer } from 'node:buffer';
import { FvmError } from '../shared/errors.js';
import { REG_WRITABLE_TYPES as WRITABLE_TYPES, type RegWritableType as WritableType, type RegistryValueInfo as ValueText } from '../shared/types.js';
import {
  REG_BINARY,
  REG_DWORD,
  REG_DWORD_BIG_ENDIAN,
  REG_EXPAND_SZ,
  REG_FULL_RESOURCE_DESCRIPTOR,
  REG_LINK,
  REG_MULTI_SZ,
  REG_NONE,
  REG_QWORD,
  REG_RESOURCE_LIST,
  REG_RESOURCE_REQUIREMENTS_LIST,
  REG_SZ,
  dwordValue,
  stringValue,
  valueFromBytes,
  type RegValue,
} from './reg-model.js';

const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [REG_NONE, 'REG_NONE'],
  [REG_SZ, 'REG_SZ'],
  [REG_EXPAND_SZ, 'REG_EXPAND_SZ'],
  [REG_BINARY, 'REG_BINARY'],
  [REG_DWORD, 'REG_DWORD'],
  [REG_DWORD_BIG_ENDIAN, 'REG_DWORD_BIG_ENDIAN'],
  [REG_LINK, 'REG_LINK'],
  [REG_MULTI_SZ, 'REG_MULTI_SZ'],
  [REG_RESOURCE_LIST, 'REG_RESOURCE_LIST'],
  [REG_FULL_RESOURCE_DESCRIPTOR, 'REG_FULL_RESOURCE_DESCRIPTOR'],
  [REG_RESOURCE_REQUIREMENTS_LIST, 'REG_RESOURCE_REQUIREMENTS_LIST'],
  [REG_QWORD, 'REG_QWORD'],
]);


/** `REG_SZ` for 1; unknown numbers as `REG_0x…` (Wine keeps any 32-bit type). */
export function typeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `REG_0x${type.toString(16)}`;
}

/** The display form of a value (see the module comment). */
export function describeValue(v: RegValue): ValueText {
  return { name: v.name, type: typeName(v.type), data: dataText(v) };
}

function dataText(v: RegValue): string {
  if (v.kind === 'dword') return `0x${v.value.toString(16).padStart(8, '0')} (${v.value})`;
  if (v.kind === 'string') return v.type === REG_MULTI_SZ ? multiItems(v.text).join('\\0') : v.text;
  const bytes = v.bytes;
  if (v.type === REG_QWORD && bytes.length === 8) {
    const n = Buffer.from(bytes).readBigUInt64LE(0);
    return `0x${n.toString(16).padStart(16, '0')} (${n})`;
  }
  return Buffer.from(bytes).toString('hex').replace(/(..)(?=.)/g, '$1 ');
}

/** Items of a REG_MULTI_SZ text (its data minus the final NUL): split at NULs, the list's end marker dropped. */
function multiItems(text: string): string[] {
  const items = text.split('\0');
  if (items.length > 1 && items[items.length - 1] === '') items.pop();
  return items;
}

function bad(what: string, hint: string): FvmError {
  return new FvmError('INVALID_ARGUMENT', what, hint);
}

/** The type number of a name (`REG_SZ`, `reg_dword` …); throws INVALID_ARGUMENT for others. */
export function parseTypeName(name: string): WritableType {
  const upper = name.trim().toUpperCase();
  const found = WRITABLE_TYPES.find((t) => t === upper);
  if (!found) throw bad(`unknown registry type '${name}'`, `Use one of ${WRITABLE_TYPES.join(', ')}.`);
  return found;
}

/** Builds a value from `reg add`-style input; throws INVALID_ARGUMENT with a hint on bad data. */
export function parseValueData(name: string, type: WritableType, data: string): RegValue {
  if (name.includes('\0')) throw bad('a value name cannot contain NUL', 'Remove the NUL character from the name.');
  if (name.length > 16383) throw bad('a value name is at most 16,383 characters', 'Use a shorter value name.');
  switch (type) {
    case 'REG_SZ':
      return stringValue(name, data, REG_SZ);
    case 'REG_EXPAND_SZ':
      return stringValue(name, data, REG_EXPAND_SZ);
    case 'REG_MULTI_SZ': {
      // reg.exe's separator is the two characters `\0`; the data ends with an empty item.
      const items = data === '' ? [] : data.split('\\0');
      return stringValue(name, items.map((i) => i + '\0').join(''), REG_MULTI_SZ);
    }
    case 'REG_DWORD': {
      const n = parseInteger(data, 32n, 'REG_DWORD');
      return dwordValue(name, Number(n));
    }
    case 'REG_QWORD': {
      const n = parseInteger(data, 64n, 'REG_QWORD');
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(n);
      return valueFromBytes(name, REG_QWORD, b);
    }
    case 'REG_BINARY':
    case 'REG_NONE':
      return valueFromBytes(name, type === 'REG_BINARY' ? REG_BINARY : REG_NONE, parseHex(data));
  }
}

function parseInteger(text: string, bits: bigint, type: string): bigint {
  const t = text.trim();
  const hint = `${type} data is a number: decimal (42) or hexadecimal (0x2a), from 0 to ${(1n << bits) - 1n}.`;
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(t)) throw bad(`'${text}' is not a number`, hint);
  const n = BigInt(t);
  if (n >= 1n << bits) throw bad(`${t} does not fit in ${type}`, hint);
  return n;
}

function parseHex(text: string): Uint8Array {
  const t = text.replace(/[\s,]/g, '');
  if (t.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(t)) {
    throw bad(`'${text}' is not a list of hex bytes`, 'Give the bytes as hex digits, e.g. 0a1b2c or "0a,1b,2c".');
  }
  return Buffer.from(t, 'hex');
}

