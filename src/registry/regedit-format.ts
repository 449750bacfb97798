/**
 * Import and export of Windows `.reg` files: "Windows Registry Editor Version 5.00" and REGEDIT4.
 *
 * Version 5 is written as regedit writes it: UTF-16LE with a BOM, CRLF, full root names, strings
 * only for REG_SZ (REG_EXPAND_SZ and REG_MULTI_SZ as hex(2)/hex(7) of their UTF-16LE data), hex
 * wrapped before column 80. REGEDIT4 is the same in 8-bit text (UTF-8 here, for Linux), where
 * hex(2)/hex(7) hold 8-bit strings. Reading accepts both, in UTF-16LE (BOM or not), UTF-8 (BOM
 * or not) or, when the bytes are not UTF-8, Windows ANSI; deletions `[-KEY]` and `"name"=-`;
 * `;` and `#` comments; line continuations.
 */
import { Buffer } from 'node:buffer';
import { FvmError } from '../shared/errors.js';
import type { RegValue } from './reg-model.js';
import { REG_BINARY, REG_EXPAND_SZ, REG_MULTI_SZ, REG_SZ, dwordValue, stringValue, utf16leToString, valueBytes, valueFromBytes } from './reg-model.js';
import { rootName, type RootName } from './key-path.js';
import { BYTE_HEX } from './wine-escape.js';

/** The two .reg dialects: Unicode "Version 5.00" and 8-bit REGEDIT4. */
export type RegeditVersion = 'v5' | 'regedit4';

/** A value line: set a value, or `"name"=-` to delete it. */
export type RegeditValue = { readonly kind: 'set'; readonly value: RegValue } | { readonly kind: 'delete'; readonly name: string };

/** One block of a .reg file. */
export type RegeditEntry =
  /** `[-ROOT\path]`: delete the key and its subtree. */
  | { readonly kind: 'delete-key'; readonly root: RootName; readonly path: readonly string[] }
  /** `[ROOT\path]`: create the key if needed, then apply its value lines. */
  | { readonly kind: 'key'; readonly root: RootName; readonly path: readonly string[]; readonly values: readonly RegeditValue[] };

/** A whole .reg file. */
export interface RegeditFile {
  readonly version: RegeditVersion;
  readonly entries: readonly RegeditEntry[];
}

const V5 = 'Windows Registry Editor Version 5.00';
const V4 = 'REGEDIT4';
const FULL_ROOT: Readonly<Record<RootName, string>> = {
  HKLM: 'HKEY_LOCAL_MACHINE',
  HKCU: 'HKEY_CURRENT_USER',
  HKU: 'HKEY_USERS',
  HKCR: 'HKEY_CLASSES_ROOT',
};
const HINT = 'Check the .reg file: it must start with "Windows Registry Editor Version 5.00" or "REGEDIT4".';

// ---------------------------------------------------------------------------------- export --

/** The text of a .reg file (CRLF lines), before encoding. */
export function formatRegeditText(file: RegeditFile): string {
  // Plain strings, not a byte sink: UTF-16 output must carry any name, lone surrogates included.
  const out: string[] = [(file.version === 'v5' ? V5 : V4) + '\r\n\r\n'];
  for (const e of file.entries) {
    const key = [FULL_ROOT[e.root], ...e.path].join('\\');
    if (e.kind === 'delete-key') {
      out.push('[-' + key + ']\r\n\r\n');
      continue;
    }
    out.push('[' + key + ']\r\n');
    for (const v of e.values) {
      const name = v.kind === 'set' ? v.value.name : v.name;
      const head = name === '' ? '@=' : '"' + escapeRegedit(name) + '"=';
      out.push(head + (v.kind === 'delete' ? '-' : dataText(v.value, file.version, head.length)) + '\r\n');
    }
    out.push('\r\n');
  }
  return out.join('');
}

/** The bytes of a .reg file: version 5 as UTF-16LE with a BOM (as regedit writes), REGEDIT4 as UTF-8. */
export function formatRegedit(file: RegeditFile): Uint8Array {
  const text = formatRegeditText(file);
  if (file.version === 'regedit4') return Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

function escapeRegedit(s: string): string {
  return s.replace(/[\\"\n\r\0]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\0' ? '\\0' : '\\' + c));
}

function dataText(v: RegValue, version: RegeditVersion, column: number): string {
  if (v.kind === 'dword') return 'dword:' + v.value.toString(16).padStart(8, '0');
  // regedit writes REG_SZ as a string only when it reads back the same: no control characters
  // but tab, and no NUL before the terminator.
  if (v.kind === 'string' && v.type === REG_SZ && !/[\0-\x08\n-\x1f]/.test(v.text)) return '"' + escapeRegedit(v.text) + '"';
  let bytes = valueBytes(v);
  if (version === 'regedit4' && (v.type === REG_EXPAND_SZ || v.type === REG_MULTI_SZ)) {
    bytes = Buffer.from(utf16leToString(bytes), 'utf8');
  }
  const prefix = v.type === REG_BINARY ? 'hex:' : 'hex(' + v.type.toString(16) + '):';
  // regedit wraps like Wine's server: after a comma, once the line passes 76 characters.
  let count = column + prefix.length;
  let text = prefix;
  for (let i = 0; i < bytes.length; i++) {
    text += BYTE_HEX[bytes[i]];
    count += 2;
    if (i < bytes.length - 1) {
      text += ',';
      if (++count > 76) {
        text += '\\\r\n  ';
        count = 2;
      }
    }
  }
  return text;
}

// ---------------------------------------------------------------------------------- import --

/** Decodes the bytes of a .reg file: BOM first, then UTF-16LE without BOM, UTF-8, else ANSI. */
export function decodeRegeditBytes(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return b.toString('utf16le', 2);
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.toString('utf8', 3);
  if (b.length >= 2 && b[0] !== 0 && b[1] === 0) return b.toString('utf16le');
  return decodeEightBit(b);
}

/** UTF-8 when the bytes are valid UTF-8, else Windows ANSI. */
function decodeEightBit(b: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return decodeAnsi(b);
  }
}

/** Windows-1252, the ANSI code page regedit used in the West (0x80–0x9f differ from Latin-1). */
const CP1252_HIGH = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ';

function decodeAnsi(b: Buffer): string {
  let s = '';
  for (const x of b) s += x >= 0x80 && x < 0xa0 ? CP1252_HIGH[x - 0x80] : String.fromCharCode(x);
  return s;
}

class RegeditParser {
  private readonly lines: string[];
  private i = 0;
  private version: RegeditVersion = 'v5';

  constructor(text: string) {
    this.lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  }

  private fail(message: string, line = this.i + 1): never {
    throw new FvmError('REGISTRY_PARSE', `cannot parse .reg file: line ${line}: ${message}`, HINT);
  }

  parse(): RegeditFile {
    const head = (this.lines[0] ?? '').trim();
    if (head === V5) this.version = 'v5';
    else if (head === V4) this.version = 'regedit4';
    else this.fail(`unknown header "${head.slice(0, 60)}"`, 1);
    const entries: RegeditEntry[] = [];
    let current: { root: RootName; path: readonly string[]; values: RegeditValue[] } | null = null;
    for (this.i = 1; this.i < this.lines.length; this.i++) {
      const line = this.lines[this.i].trimStart();
      if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
      if (line.startsWith('[')) {
        const end = line.lastIndexOf(']');
        if (end < 0 || line.slice(end + 1).trim() !== '') this.fail('malformed key line (expected [KEY])');
        const del = line[1] === '-';
        const { root, path } = this.keyPath(line.slice(del ? 2 : 1, end));
        if (del) {
          entries.push({ kind: 'delete-key', root, path });
          current = null;
        } else {
          current = { root, path, values: [] };
          entries.push({ kind: 'key', root, path, values: current.values });
        }
      } else if (line.startsWith('"') || line.startsWith('@')) {
        if (!current) this.fail('a value outside a key (or under a deleted key)');
        current.values.push(this.valueLine(line));
      } else {
        this.fail('unrecognized line');
      }
    }
    return { version: this.version, entries };
  }

  /** Only the root is mapped here: HKU may name any user, even one Wine keeps in no file. */
  private keyPath(text: string): { root: RootName; path: readonly string[] } {
    const parts = text.trimEnd().split('\\');
    const root = rootName(parts[0]);
    if (!root) this.fail(`"${parts[0].slice(0, 40)}" is not a registry root (HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, HKEY_USERS, HKEY_CLASSES_ROOT)`);
    const path = parts.slice(1);
    if (path.length > 0 && path[path.length - 1] === '') path.pop();
    if (path.some((c) => c === '')) this.fail('empty key name in the key path');
    return { root, path };
  }

  /** Reads `"…"` with regedit's escapes from `s[start]` (just after the opening quote). */
  private quoted(s: string, start: number): { text: string; end: number } {
    let out = '';
    for (let p = start; p < s.length; p++) {
      const c = s[p];
      if (c === '"') return { text: out, end: p + 1 };
      if (c !== '\\') {
        out += c;
        continue;
      }
      const e = s[++p];
      if (e === undefined) break;
      out += e === 'n' ? '\n' : e === 'r' ? '\r' : e === '0' ? '\0' : e === '\\' || e === '"' ? e : '\\' + e;
    }
    this.fail('missing closing quote');
  }

  private valueLine(line: string): RegeditValue {
    let name = '';
    let p = 1;
    if (line[0] === '"') {
      const q = this.quoted(line, 1);
      name = q.text;
      p = q.end;
    }
    while (line[p] === ' ' || line[p] === '\t') p++;
    if (line[p] !== '=') this.fail('expected "=" after the value name');
    p++;
    while (line[p] === ' ' || line[p] === '\t') p++;
    const data = line.slice(p);
    if (data.trimEnd() === '-') return { kind: 'delete', name };
    return { kind: 'set', value: this.data(name, data) };
  }

  private data(name: string, data: string): RegValue {
    const str = /^(?:str(?:\((2|7)\))?:)?"/.exec(data);
    if (str) {
      const q = this.quoted(data, str[0].length);
      this.trailing(data.slice(q.end));
      const type = str[1] === '2' ? REG_EXPAND_SZ : str[1] === '7' ? REG_MULTI_SZ : REG_SZ;
      return stringValue(name, q.text, type);
    }
    const dw = /^dword:([0-9a-fA-F]{1,8})(.*)$/.exec(data);
    if (dw) {
      this.trailing(dw[2]);
      return dwordValue(name, parseInt(dw[1], 16));
    }
    const hex = /^hex(?:\(([0-9a-fA-F]{1,8})\))?:(.*)$/.exec(data);
    if (!hex) this.fail('unknown value data (expected "…", dword:, hex: or hex(type):)');
    const type = hex[1] === undefined ? REG_BINARY : parseInt(hex[1], 16);
    let bytes: Uint8Array = this.hexBytes(hex[2]);
    if (this.version === 'regedit4' && (type === REG_EXPAND_SZ || type === REG_MULTI_SZ)) {
      // 8-bit strings in REGEDIT4: the registry holds them as UTF-16LE.
      bytes = Buffer.from(decodeEightBit(Buffer.from(bytes)), 'utf16le');
    }
    return valueFromBytes(name, type, bytes);
  }

  /** Only blanks or a `;` comment may follow the data. */
  private trailing(rest: string): void {
    const t = rest.trim();
    if (t !== '' && !t.startsWith(';')) this.fail('unexpected text after the value');
  }

  /** A comma-separated byte list; a line ending in `\` continues on the next line. */
  private hexBytes(first: string): Uint8Array {
    const out: number[] = [];
    let text = first;
    for (;;) {
      const semi = text.indexOf(';');
      const line = (semi < 0 ? text : text.slice(0, semi)).trimEnd();
      const cont = line.endsWith('\\');
      for (const raw of (cont ? line.slice(0, -1) : line).split(',')) {
        const t = raw.trim();
        if (t === '') continue;
        if (!/^[0-9a-fA-F]{1,2}$/.test(t)) this.fail(`bad hex byte "${t.slice(0, 10)}"`);
        out.push(parseInt(t, 16));
      }
      if (!cont) return Uint8Array.from(out);
      if (++this.i >= this.lines.length) this.fail('hex data continued past the end of the file', this.i);
      text = this.lines[this.i];
    }
  }
}

/** Reads a .reg file; throws REGISTRY_PARSE with the 1-based line of the first error. */
export function parseRegedit(input: Uint8Array | string): RegeditFile {
  const text = typeof input === 'string' ? input.replace(/^\ufeff/, '') : decodeRegeditBytes(input);
  return new RegeditParser(text).parse();
}
