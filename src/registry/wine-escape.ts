/**
 * Wine's string escaping for key names, value names, string data and classes
 * (`dump_strW` / `parse_strW` in Wine's server, research/wine-reg-format.md §6).
 *
 * The writer pads `\x` and octal escapes only when the next character would otherwise be read
 * as part of the escape, so its output is the unique canonical form; a byte-identical
 * serializer must follow it exactly.
 */

const BACKSLASH = 0x5c;

/** Characters that get a backslash: `"` in names, data and classes; `[` `]` in key names. */
export type EscapeContext = 'quoted' | 'key';

const HEX = '0123456789abcdef';

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

function hexValue(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10;
}

function needsEscape(c: number, ctx: EscapeContext): boolean {
  if (c < 0x20 || c > 0x7f || c === BACKSLASH) return true;
  return ctx === 'quoted' ? c === 0x22 : c === 0x5b || c === 0x5d;
}

/** Escapes a string as Wine writes it (without the surrounding quotes or brackets). */
export function escapeWine(s: string, ctx: EscapeContext): string {
  let i = 0;
  const n = s.length;
  while (i < n && !needsEscape(s.charCodeAt(i), ctx)) i++;
  if (i === n) return s;
  let out = s.slice(0, i);
  let run = i;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!needsEscape(c, ctx)) continue;
    if (run < i) out += s.slice(run, i);
    run = i + 1;
    const next = i + 1 < n ? s.charCodeAt(i + 1) : -1;
    if (c > 0x7f) {
      const h = c.toString(16);
      // Pad to 4 digits only when the next character would extend the escape on reading.
      out += next >= 0 && next < 0x80 && isHexDigit(next) ? '\\x' + h.padStart(4, '0') : '\\x' + h;
    } else if (c < 0x20) {
      out += controlEscape(c, next);
    } else {
      out += '\\' + s[i];
    }
  }
  if (run < n) out += s.slice(run);
  return out;
}

function controlEscape(c: number, next: number): string {
  switch (c) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x09:
      return '\\t';
    case 0x0a:
      return '\\n';
    case 0x0b:
      return '\\v';
    case 0x0c:
      return '\\f';
    case 0x0d:
      return '\\r';
    case 0x1b:
      return '\\e';
    default: {
      const o = c.toString(8);
      return next >= 0x30 && next <= 0x37 ? '\\' + o.padStart(3, '0') : '\\' + o;
    }
  }
}

/** Position after the last string read by readEscaped (its closing delimiter consumed). */
export interface Cursor {
  pos: number;
}

/**
 * Reads an escaped string from `src[cur.pos]` up to the unescaped `endChar` before `limit`.
 *
 * Returns the decoded string and leaves `cur.pos` just after the delimiter, or returns null
 * when the delimiter is missing or a character Wine cannot read (a NUL) occurs: the caller
 * knows the line and reports it. With `endChar` -1 the string runs to `limit` (a root line).
 */
export function readEscaped(src: string, cur: Cursor, limit: number, endChar: number): string | null {
  const start = cur.pos;
  let i = start;
  // Fast path: no escapes, the common case in every real hive.
  for (; i < limit; i++) {
    const c = src.charCodeAt(i);
    if (c === endChar) {
      cur.pos = i + 1;
      return src.slice(start, i);
    }
    if (c === BACKSLASH || c === 0) break;
  }
  if (i >= limit) {
    if (endChar !== -1) return null;
    cur.pos = limit;
    return src.slice(start, limit);
  }
  let out = src.slice(start, i);
  let run = i;
  while (i < limit) {
    const c = src.charCodeAt(i);
    if (c === endChar) {
      cur.pos = i + 1;
      return run < i ? out + src.slice(run, i) : out;
    }
    if (c === 0) return null;
    if (c !== BACKSLASH) {
      i++;
      continue;
    }
    if (run < i) out += src.slice(run, i);
    i++;
    if (i >= limit) return null;
    const e = src.charCodeAt(i);
    const control = controlOf(e);
    if (control >= 0) {
      out += String.fromCharCode(control);
      i++;
    } else if (e === 0x78 /* x */) {
      i++;
      if (i < limit && isHexDigit(src.charCodeAt(i))) {
        let v = 0;
        for (let k = 0; k < 4 && i < limit && isHexDigit(src.charCodeAt(i)); k++, i++) v = v * 16 + hexValue(src.charCodeAt(i));
        out += String.fromCharCode(v);
      } else {
        out += 'x';
      }
    } else if (e >= 0x30 && e <= 0x37) {
      let v = 0;
      for (let k = 0; k < 3 && i < limit && src.charCodeAt(i) >= 0x30 && src.charCodeAt(i) <= 0x37; k++, i++) v = v * 8 + (src.charCodeAt(i) - 0x30);
      out += String.fromCharCode(v);
    } else if (e === 0) {
      return null;
    } else {
      // Any other escaped character stands for itself (`\\`, `\"`, `\[`, `\]`, `\q`).
      out += src[i];
      i++;
    }
    run = i;
  }
  if (endChar !== -1) return null;
  cur.pos = limit;
  return run < limit ? out + src.slice(run, limit) : out;
}

function controlOf(e: number): number {
  switch (e) {
    case 0x61:
      return 0x07; // \a
    case 0x62:
      return 0x08; // \b
    case 0x65:
      return 0x1b; // \e
    case 0x66:
      return 0x0c; // \f
    case 0x6e:
      return 0x0a; // \n
    case 0x72:
      return 0x0d; // \r
    case 0x74:
      return 0x09; // \t
    case 0x76:
      return 0x0b; // \v
    default:
      return -1;
  }
}

/** Lowercase two-digit hex of each byte, the digits Wine writes in hex lists. */
export const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, b) => HEX[b >> 4] + HEX[b & 15]);

/** Escaped key path as in `[…]` and the `;; All keys relative to` line: components joined by `\\`. */
export function escapeKeyPath(path: readonly string[]): string {
  let out = '';
  for (let i = 0; i < path.length; i++) out += (i ? '\\\\' : '') + escapeWine(path[i], 'key');
  return out;
}
