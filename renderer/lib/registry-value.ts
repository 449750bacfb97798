/**
 * Registry values as the Browse view shows and edits them. The engine formats data as text
 * (`REG_DWORD` as `0x0000002a (42)`, binary as hex bytes, REG_MULTI_SZ items joined by `\0`)
 * and parses what `reg add` takes; this turns the one into the other for the edit form.
 */
import { REG_WRITABLE_TYPES } from '../../src/shared/types.js';
import type { RegWritableType } from '../../src/shared/types.js';

/** How a value's name shows: the unnamed default value as `(Default)`. */
export function valueLabel(name: string): string {
  return name === '' ? '(Default)' : name;
}

/** What the data field takes, per type (src/registry/reg-value-text.ts parses it). */
export const DATA_HELP: Readonly<Record<RegWritableType, string>> = {
  REG_SZ: 'Text.',
  REG_EXPAND_SZ: 'Text; %VARIABLES% are expanded by the program that reads it.',
  REG_MULTI_SZ: 'Items separated by \\0, e.g. one\\0two.',
  REG_DWORD: 'A number: decimal (42) or hexadecimal (0x2a), up to 32 bits.',
  REG_QWORD: 'A number: decimal (42) or hexadecimal (0x2a), up to 64 bits.',
  REG_BINARY: 'Hex bytes, e.g. 0a 1b 2c.',
  REG_NONE: 'Hex bytes, e.g. 0a 1b 2c; often empty.',
};

/** The type as the form's select takes it, or null for a type it cannot write (REG_LINK …). */
export function writableType(type: string): RegWritableType | null {
  return REG_WRITABLE_TYPES.find((t) => t === type) ?? null;
}

/** The data as the form takes it back: numbers as their decimal value, the rest as shown. */
export function editableData(type: string, data: string): string {
  if (type === 'REG_DWORD' || type === 'REG_QWORD') {
    const decimal = /\((\d+)\)$/.exec(data);
    if (decimal) return decimal[1];
  }
  return data;
}
