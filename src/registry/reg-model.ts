/**
 * Readonly model of one Wine registry hive (`system.reg`, `user.reg`, `userdef.reg`).
 *
 * The model keeps what a byte-identical round trip needs: keys and values in file order, the
 * header's root and `#arch`, the key line's seconds and `#time=` exactly as written, and, for a
 * key read from a file, the exact text of its whole block (escapes, hex line layout, loose syntax
 * such as `dword:7`, option order). The serializer reuses that text while it is present; every
 * function that changes a key builds a new object without it, so a stale text can never be
 * written for changed data (the key is then written the way Wine writes it).
 */
import { foldName } from './reg-names.js';

/** REG_NONE: no type. The REG_* constants are winnt.h's; any other 32-bit type is legal too (setupapi writes 0xffff....). */
export const REG_NONE = 0;
/** A string (NUL-terminated UTF-16LE). */
export const REG_SZ = 1;
/** A string with %VARIABLES% to expand. */
export const REG_EXPAND_SZ = 2;
/** Raw bytes. */
export const REG_BINARY = 3;
/** A 32-bit little-endian number. */
export const REG_DWORD = 4;
/** A 32-bit big-endian number. */
export const REG_DWORD_BIG_ENDIAN = 5;
/** A symbolic link's target (UTF-16LE NT path, no NUL). */
export const REG_LINK = 6;
/** A list of strings, each NUL-terminated, ended by an empty one. */
export const REG_MULTI_SZ = 7;
/** Hardware resource list. */
export const REG_RESOURCE_LIST = 8;
/** Hardware resource descriptor. */
export const REG_FULL_RESOURCE_DESCRIPTOR = 9;
/** Hardware resource requirements. */
export const REG_RESOURCE_REQUIREMENTS_LIST = 10;
/** A 64-bit little-endian number. */
export const REG_QWORD = 11;

/** Types Wine may write in string form (`"…"`, `str(2):"…"`, `str(7):"…"`). */
export type StringType = typeof REG_SZ | typeof REG_EXPAND_SZ | typeof REG_MULTI_SZ;

/** A string value: the data is `text` as UTF-16LE plus one terminating NUL unit. */
export interface RegStringValue {
  readonly kind: 'string';
  /** Value name; '' is the default value, written `@`. */
  readonly name: string;
  readonly type: StringType;
  /** Every code unit of the data but the final NUL (inner NULs of a MULTI_SZ included). */
  readonly text: string;
}

/** A REG_DWORD whose data is exactly 4 bytes, written `dword:%08x`. */
export interface RegDwordValue {
  readonly kind: 'dword';
  readonly name: string;
  readonly type: typeof REG_DWORD;
  /** Unsigned 32-bit value (little-endian in the data). */
  readonly value: number;
}

/** Any data written as a hex list: `hex:` (REG_BINARY) or `hex(N):` for every other case. */
export interface RegHexValue {
  readonly kind: 'hex';
  readonly name: string;
  /** Unsigned 32-bit type number. */
  readonly type: number;
  readonly bytes: Uint8Array;
}

/** A value of a key, in the written form Wine uses for it. */
export type RegValue = RegStringValue | RegDwordValue | RegHexValue;

/** One key as a hive file stores it. Only "written" keys appear; their ancestors exist implicitly. */
export interface RegKey {
  /** Components relative to the hive root, in their original case; [] is the root itself. */
  readonly path: readonly string[];
  /** The decimal seconds after `]` as written, or null when absent. */
  readonly seconds: number | null;
  /** The `#time=` hex digits exactly as written (FILETIME, 100 ns since 1601), or null. */
  readonly time: string | null;
  /** `#class="…"`, decoded; null when the key has none. */
  readonly className: string | null;
  /** `#link`: the key is a symbolic link whose target is its `SymbolicLinkValue` (REG_LINK). */
  readonly link: boolean;
  /** Other `#…` option lines (without the `#`): Wine ignores them; kept so nothing is lost. */
  readonly options: readonly string[];
  /** Values in file order; names are unique case-insensitively. */
  readonly values: readonly RegValue[];
  /**
   * Exact text of the key's block as read, from its `[` to the end of its last option or value
   * line (lines joined by the file's line ending); absent once the key changed.
   */
  readonly source?: string;
}

/** The lines before the first key. */
export interface RegHeader {
  /** Components of the `;; All keys relative to` root (e.g. REGISTRY, Machine), or null if absent. */
  readonly root: readonly string[] | null;
  /** `#arch=` value, or null when the file has none. */
  readonly arch: 'win32' | 'win64' | null;
}

/** One hive file: header, written keys in file order, line ending. */
export interface RegHive {
  readonly header: RegHeader;
  readonly keys: readonly RegKey[];
  /** Line ending of the file as read; Wine writes '\n' only but reads '\r\n' too. */
  readonly eol: '\n' | '\r\n';
}

/** Root of system.reg (HKLM). */
export const MACHINE_ROOT: readonly string[] = ['REGISTRY', 'Machine'];
/** The one user SID Wine uses, whatever the Unix user. */
export const USER_SID = 'S-1-5-21-0-0-0-1000';
/** Root of user.reg (HKCU). */
export const USER_ROOT: readonly string[] = ['REGISTRY', 'User', USER_SID];
/** Root of userdef.reg (HKU\\.Default). */
export const DEFAULT_USER_ROOT: readonly string[] = ['REGISTRY', 'User', '.Default'];

/** An empty hive with Wine's header for the given root. */
export function emptyHive(root: readonly string[] | null, arch: RegHeader['arch'] = 'win64'): RegHive {
  return { header: { root, arch }, keys: [], eol: '\n' };
}

/** Builds a key (no source text); time in FILETIME ticks or null for none. */
export function makeKey(
  path: readonly string[],
  values: readonly RegValue[] = [],
  time: bigint | null = null,
  extra: { className?: string | null; link?: boolean; options?: readonly string[] } = {},
): RegKey {
  return {
    path,
    seconds: time === null ? null : filetimeToSeconds(time),
    time: time === null ? null : formatFiletime(time),
    className: extra.className ?? null,
    link: extra.link ?? false,
    options: extra.options ?? [],
    values,
  };
}

/** A copy of a key with other values (and no source text, since its content changed). */
export function withValues(key: RegKey, values: readonly RegValue[], time?: bigint): RegKey {
  const t = time === undefined ? { seconds: key.seconds, time: key.time } : timeFields(time);
  return { path: key.path, ...t, className: key.className, link: key.link, options: key.options, values };
}

/** A copy of a key at another time (no source text). */
export function withTime(key: RegKey, time: bigint): RegKey {
  return { path: key.path, ...timeFields(time), className: key.className, link: key.link, options: key.options, values: key.values };
}

function timeFields(time: bigint): { seconds: number; time: string } {
  return { seconds: filetimeToSeconds(time), time: formatFiletime(time) };
}

/** REG_SZ / REG_EXPAND_SZ / REG_MULTI_SZ value (text without the final NUL). */
export function stringValue(name: string, text: string, type: StringType = REG_SZ): RegStringValue {
  return { kind: 'string', name, type, text };
}

/** REG_DWORD value. */
export function dwordValue(name: string, value: number): RegDwordValue {
  return { kind: 'dword', name, type: REG_DWORD, value: value >>> 0 };
}

/**
 * A value from its type and raw data, in the form Wine's writer would choose.
 *
 * Strings only when the data is even-sized and NUL-terminated, dword only when it is 4 bytes,
 * hex otherwise: so `hex(7)` and `str(7)` both decode here to the same canonical value.
 */
export function valueFromBytes(name: string, type: number, bytes: Uint8Array): RegValue {
  type = type >>> 0;
  if ((type === REG_SZ || type === REG_EXPAND_SZ || type === REG_MULTI_SZ) && isTerminatedUtf16(bytes)) {
    return { kind: 'string', name, type, text: utf16leToString(bytes, bytes.length - 2) };
  }
  if (type === REG_DWORD && bytes.length === 4) {
    return { kind: 'dword', name, type: REG_DWORD, value: (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0 };
  }
  return { kind: 'hex', name, type, bytes };
}

/** The canonical form of a value (see valueFromBytes). */
export function canonicalValue(v: RegValue): RegValue {
  if (v.kind === 'hex') return valueFromBytes(v.name, v.type, v.bytes);
  if (v.kind === 'string') return { kind: 'string', name: v.name, type: v.type, text: v.text };
  return { kind: 'dword', name: v.name, type: REG_DWORD, value: v.value };
}

function isTerminatedUtf16(b: Uint8Array): boolean {
  const n = b.length;
  return n >= 2 && n % 2 === 0 && b[n - 1] === 0 && b[n - 2] === 0;
}

/** The raw data of a value, as Wine stores it in memory. */
export function valueBytes(v: RegValue): Uint8Array {
  switch (v.kind) {
    case 'hex':
      return v.bytes;
    case 'dword': {
      const x = v.value >>> 0;
      return Uint8Array.of(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, x >>> 24);
    }
    case 'string': {
      const out = new Uint8Array(v.text.length * 2 + 2);
      for (let i = 0; i < v.text.length; i++) {
        const c = v.text.charCodeAt(i);
        out[2 * i] = c & 0xff;
        out[2 * i + 1] = c >>> 8;
      }
      return out;
    }
  }
}

/** True when two values hold the same type and data (names and written form not compared). */
export function sameData(a: RegValue, b: RegValue): boolean {
  if (a.type !== b.type) return false;
  if (a.kind === 'string' && b.kind === 'string') return a.text === b.text;
  if (a.kind === 'dword' && b.kind === 'dword') return a.value === b.value;
  const x = valueBytes(a);
  const y = valueBytes(b);
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Decodes the first `byteLength` bytes as UTF-16LE code units (lone surrogates kept as they are). */
export function utf16leToString(b: Uint8Array, byteLength = b.length): string {
  let s = '';
  const CHUNK = 4096;
  const n = byteLength >> 1;
  for (let i = 0; i < n; i += CHUNK) {
    const m = Math.min(CHUNK, n - i);
    const units = new Array<number>(m);
    for (let j = 0; j < m; j++) units[j] = b[2 * (i + j)] | (b[2 * (i + j) + 1] << 8);
    s += String.fromCharCode(...units);
  }
  return s;
}

/** FILETIME ticks between 1601-01-01 and 1970-01-01. */
export const FILETIME_UNIX_EPOCH = 116444736000000000n;

/** Wine's `#time=` text: printf("%x%08x", high32, low32). */
export function formatFiletime(ft: bigint): string {
  const high = ft >> 32n;
  const low = ft & 0xffffffffn;
  return high.toString(16) + low.toString(16).padStart(8, '0');
}

/** Seconds since 1970 of a FILETIME, as Wine writes after the key's `]`. */
export function filetimeToSeconds(ft: bigint): number {
  return ft < FILETIME_UNIX_EPOCH ? 0 : Number((ft - FILETIME_UNIX_EPOCH) / 10_000_000n);
}

/** FILETIME of a JavaScript date (millisecond precision). */
export function filetimeFromDate(d: Date): bigint {
  return BigInt(d.getTime()) * 10_000n + FILETIME_UNIX_EPOCH;
}

/** The key's last-write time: `#time=` wins, then the seconds, else null (Wine then uses load time). */
export function keyFiletime(key: RegKey): bigint | null {
  if (key.time !== null) return BigInt('0x' + key.time);
  if (key.seconds !== null) return BigInt(key.seconds) * 10_000_000n + FILETIME_UNIX_EPOCH;
  return null;
}

/** The value of a key by name, case-insensitively; '' is the default value. */
export function findValue(key: RegKey, name: string): RegValue | undefined {
  const folded = foldName(name);
  for (const v of key.values) if (v.name === name || (v.name.length === name.length && foldName(v.name) === folded)) return v;
  return undefined;
}
