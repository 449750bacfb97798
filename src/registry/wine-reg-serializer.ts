/**
 * Serializer of Wine's registry format, the exact inverse of wine-reg-parser.ts.
 *
 * Keys and values are written in the model's order. A key that still carries its source text is
 * written from it (so hand-written or loose input survives unchanged); every other key is written
 * the way Wine's `save_branch`/`dump_value` would: the same escapes, the same
 * `str(N)`/`dword`/`hex(N)` choice, the same hex line wrapping (research/wine-reg-format.md §5).
 */
import type { RegHive, RegKey, RegValue } from './reg-model.js';
import { REG_BINARY, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_SZ, valueFromBytes } from './reg-model.js';
import { TextSink } from './text-sink.js';
import { escapeKeyPath, escapeWine } from './wine-escape.js';

/** A line ending Wine reads. */
export type Eol = '\n' | '\r\n';

/** How to write. */
export interface WineRegSerializeOptions {
  /** Ignore source texts and write everything in Wine's canonical form. */
  readonly canonical?: boolean;
}

/** Serializes a hive; with the source texts of a parse, the result is the parsed text itself. */
export function serializeWineReg(hive: RegHive, options: WineRegSerializeOptions = {}): string {
  const eol = hive.eol;
  const canonical = options.canonical === true;
  let size = 128;
  for (const key of hive.keys) size += (key.source?.length ?? 200) + 2;
  const out = new TextSink(size);
  out.ascii('WINE REGISTRY Version 2' + eol);
  if (hive.header.root !== null) out.ascii(';; All keys relative to ' + escapeKeyPath(hive.header.root) + eol);
  if (hive.header.arch !== null) out.ascii(eol + '#arch=' + hive.header.arch + eol);
  for (const key of hive.keys) {
    out.ascii(eol);
    writeKey(out, key, eol, canonical);
  }
  return out.toString();
}

/** One key block (key line, options, values), each line ended by `eol`, without the blank line before it. */
export function serializeKey(key: RegKey, eol: Eol = '\n', canonical = false): string {
  const out = new TextSink();
  writeKey(out, key, eol, canonical);
  return out.toString();
}

function writeKey(out: TextSink, key: RegKey, eol: Eol, canonical: boolean): void {
  if (!canonical && key.source !== undefined && out.text(key.source)) {
    out.ascii(eol);
    return;
  }
  out.char(0x5b);
  for (let i = 0; i < key.path.length; i++) {
    if (i) out.ascii('\\\\');
    out.ascii(escapeWine(key.path[i], 'key'));
  }
  out.char(0x5d);
  if (key.seconds !== null) out.ascii(' ' + key.seconds);
  out.ascii(eol);
  if (key.time !== null) out.ascii('#time=' + key.time + eol);
  if (key.className !== null) out.ascii('#class="' + escapeWine(key.className, 'quoted') + '"' + eol);
  if (key.link) out.ascii('#link' + eol);
  // The parser refuses an option that UTF-8 cannot carry, so this always writes it.
  for (const o of key.options) out.text('#' + o + eol);
  for (const v of key.values) {
    writeValue(out, v, eol);
    out.ascii(eol);
  }
}

/** The canonical text of one value (name through data, continuation lines joined by `eol`). */
export function valueLine(v: RegValue, eol: Eol = '\n'): string {
  const out = new TextSink();
  writeValue(out, v, eol);
  return out.toString();
}

function writeValue(out: TextSink, v: RegValue, eol: Eol): void {
  // Data that Wine would write as a string or dword must not come out as hex just because it was
  // built from bytes: the canonical form is Wine's choice, whatever the model's kind.
  if (v.kind === 'hex' && (v.type === REG_SZ || v.type === REG_EXPAND_SZ || v.type === REG_MULTI_SZ || v.type === REG_DWORD)) {
    const c = valueFromBytes(v.name, v.type, v.bytes);
    if (c.kind !== 'hex') {
      writeValue(out, c, eol);
      return;
    }
  }
  const start = out.length;
  if (v.name === '') {
    out.ascii('@=');
  } else {
    out.char(0x22);
    out.ascii(escapeWine(v.name, 'quoted'));
    out.ascii('"=');
  }
  switch (v.kind) {
    case 'string':
      out.ascii(v.type === REG_SZ ? '"' : 'str(' + v.type.toString(16) + '):"');
      out.ascii(escapeWine(v.text, 'quoted'));
      out.char(0x22);
      return;
    case 'dword':
      out.ascii('dword:' + (v.value >>> 0).toString(16).padStart(8, '0'));
      return;
    case 'hex':
      out.ascii(v.type === REG_BINARY ? 'hex:' : 'hex(' + (v.type >>> 0).toString(16) + '):');
      // Everything written for this value so far is ASCII, so bytes count characters here.
      writeHexList(out, v.bytes, out.length - start, eol);
      return;
  }
}

/**
 * Wine's hex wrapping: `count` starts at the prefix length; after each byte but the last a comma,
 * and when the line then exceeds 76 characters, `\` + newline + two spaces.
 */
export function writeHexList(out: TextSink, bytes: Uint8Array, count: number, eol: Eol): void {
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    out.byteHex(bytes[i]);
    count += 2;
    if (i < n - 1) {
      out.char(0x2c);
      if (++count > 76) {
        out.ascii(eol === '\n' ? '\\\n  ' : '\\\r\n  ');
        count = 2;
      }
    }
  }
}
