/**
 * The line and token layer of the Wine hive parser: lines, quoted strings, hex lists, errors.
 *
 * Searches use the engine's native `indexOf` wherever they can: a JavaScript loop over every
 * character of a 1.7 MB hive costs several times more than the whole rest of the parse.
 */
import { Buffer, isAscii } from 'node:buffer';
import { FvmError } from '../shared/errors.js';
import { readEscaped, type Cursor } from './wine-escape.js';

/** Wine's server limit (§8): a longer key name cannot exist in a real registry. */
const MAX_KEY_NAME = 256;
const HINT =
  "Wine's registry files are written by the wineserver. If this one was edited by hand, fix the line; otherwise restore the copy Wine last wrote.";

/**
 * Bytes as text: UTF-8, as Wine reads strings.
 *
 * Wine writes ASCII only, and ASCII decodes the same as Latin-1, which skips UTF-8's validation.
 */
export function decodeHiveBytes(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return b.toString(isAscii(b) ? 'latin1' : 'utf8');
}

/** C's isspace: what Wine's reader skips. */
export function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** An ASCII hex digit, either case. */
export function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** The value of a hex digit (isHexDigit must hold). */
export function hexValue(c: number): number {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10;
}

/** Growable scratch space for hex data: one allocation per parse, one exact copy per value. */
let scratch = new Uint8Array(1 << 16);

function growScratch(): void {
  const bigger = new Uint8Array(scratch.length * 2);
  bigger.set(scratch);
  scratch = bigger;
}

/**
 * Hex values are copied out of `scratch` into slices of shared pools: one ArrayBuffer per value
 * made the collector, not the parser, most of the cost of reading a large hive. A pool stays
 * alive while any value cut from it does, which costs at most one pool per long-lived value.
 */
const POOL_BYTES = 64 * 1024;
let pool = new Uint8Array(POOL_BYTES);
let poolUsed = 0;

const NO_BYTES = new Uint8Array(0);

function poolCopy(count: number): Uint8Array {
  if (count > POOL_BYTES / 4) return scratch.slice(0, count);
  if (poolUsed + count > pool.length) {
    pool = new Uint8Array(POOL_BYTES);
    poolUsed = 0;
  }
  const out = pool.subarray(poolUsed, poolUsed + count);
  out.set(scratch.subarray(0, count));
  poolUsed += count;
  return out;
}

/** Reads a hive's text line by line; every loop advances, so no input can make it hang. */
export class WineRegLexer {
  protected readonly src: string;
  protected readonly n: number;
  private readonly label: string;
  /** Start of the next unread line. */
  private next = 0;
  protected lineNo = 0;
  /** Current line: first non-blank character and end (before any `\r`). */
  protected ls = 0;
  protected le = 0;
  protected readonly cur: Cursor = { pos: 0 };
  /** Reused while reading a key path; the key gets an exact-length copy. */
  private readonly parts: string[] = [];
  /** The text has no NUL, so the native searches cannot skip over one (Wine stops at it). */
  protected readonly noNul: boolean;
  /** Cache of the next backslash: none lies in [bsFrom, bsAt). */
  private bsFrom = 0;
  private bsAt = -1;

  constructor(src: string, label: string | undefined) {
    this.src = src;
    this.n = src.length;
    this.noNul = !src.includes('\0');
    this.label = label ? `${label}: ` : '';
  }

  /** Throws REGISTRY_PARSE naming the current line (1-based). */
  protected fail(message: string): never {
    throw new FvmError('REGISTRY_PARSE', `cannot parse ${this.label}line ${this.lineNo}: ${message}`, HINT);
  }

  /** Moves to the next line; false at the end of the text. */
  protected readLine(): boolean {
    if (this.next >= this.n) return false;
    const start = this.next;
    let end = this.src.indexOf('\n', start);
    if (end < 0) end = this.n;
    this.next = end + 1;
    if (end > start && this.src.charCodeAt(end - 1) === 0x0d) end--;
    let p = start;
    while (p < end && isSpace(this.src.charCodeAt(p))) p++;
    this.ls = p;
    this.le = end;
    this.lineNo++;
    return true;
  }

  /** Index of the first backslash at or after `from` (the text length if none). */
  protected nextBackslash(from: number): number {
    if (this.bsFrom <= from && from <= this.bsAt) return this.bsAt;
    const b = this.src.indexOf('\\', from);
    this.bsFrom = from;
    this.bsAt = b < 0 ? this.n : b;
    return this.bsAt;
  }

  /**
   * The closing quote of a string from `start` that has no escape before it on this line, found
   * by native searches; -1 when there is none (or NULs make the searches unsafe).
   */
  private plainQuoteEnd(start: number): number {
    if (!this.noNul) return -1;
    const q = this.src.indexOf('"', start);
    return q >= 0 && q < this.le && this.nextBackslash(start) > q ? q : -1;
  }

  /**
   * Reads a quoted string from `cur.pos` to its closing quote on this line, or returns null.
   * Native searches find the quote and check that no escape comes before it.
   */
  protected readQuoted(): string | null {
    const { src, cur } = this;
    const start = cur.pos;
    const q = this.plainQuoteEnd(start);
    if (q >= 0) {
      cur.pos = q + 1;
      return src.slice(start, q);
    }
    return readEscaped(src, cur, this.le, 0x22);
  }

  /**
   * Checks a quoted string like readQuoted, without building it when it has no escape: returns
   * its decoded length, or -1 where readQuoted returns null.
   */
  protected skipQuoted(): number {
    const { src, cur } = this;
    const start = cur.pos;
    const q = this.plainQuoteEnd(start);
    if (q >= 0) {
      cur.pos = q + 1;
      return q - start;
    }
    const s = readEscaped(src, cur, this.le, 0x22);
    return s === null ? -1 : s.length;
  }

  /** Fails unless only blanks remain on the line from `p`. */
  protected expectEnd(p: number, what: string): void {
    for (; p < this.le; p++) if (!isSpace(this.src.charCodeAt(p))) this.fail(`unexpected text after ${what}`);
  }

  /** Skips blanks from `p` on the current line. */
  protected skipSpace(p: number): number {
    while (p < this.le && isSpace(this.src.charCodeAt(p))) p++;
    return p;
  }

  /**
   * Reads hex digits from `p` as one unsigned number below 2^32; returns the end, or -1 when
   * there is no digit or the number is too large.
   */
  protected readHex32(p: number): { end: number; value: number } | null {
    let q = p;
    let v = 0;
    while (q < this.le && isHexDigit(this.src.charCodeAt(q))) {
      v = v * 16 + hexValue(this.src.charCodeAt(q++));
      if (v > 0xffffffff) return null;
    }
    return q === p ? null : { end: q, value: v };
  }

  /**
   * Reads a hex byte list the way Wine's reader does: spaces allowed, `\` continues on the next
   * line. With `keep` false the list is only checked, and the result is empty.
   */
  protected parseHexList(p: number, keep = true): Uint8Array {
    const { src } = this;
    let count = 0;
    for (;;) {
      const le = this.le;
      p = this.skipSpace(p);
      while (p < le && isHexDigit(src.charCodeAt(p))) {
        let v = 0;
        const start = p;
        while (p < le && isHexDigit(src.charCodeAt(p))) {
          v = v * 16 + hexValue(src.charCodeAt(p++));
          if (v > 0xff) this.fail(`hex byte "${src.slice(start, p)}" out of range`);
        }
        if (count === scratch.length) growScratch();
        scratch[count++] = v;
        p = this.skipSpace(p);
        if (p < le && src.charCodeAt(p) === 0x2c) p++;
        p = this.skipSpace(p);
      }
      if (p >= le) break;
      if (src.charCodeAt(p) !== 0x5c) this.fail('malformed hex data');
      this.expectEnd(p + 1, 'the "\\" of a continued line');
      if (!this.readLine()) this.fail('hex data continued past the end of the file');
      p = this.ls;
    }
    return keep ? poolCopy(count) : NO_BYTES;
  }

  protected splitPath(s: string): string[] {
    if (s === '') return [];
    const parts = s.split('\\');
    for (const p of parts) this.checkKeyName(p);
    return parts;
  }

  private checkKeyName(p: string): void {
    if (p === '') this.fail('empty key name in a path');
    if (p.length > MAX_KEY_NAME) this.fail(`key name longer than ${MAX_KEY_NAME} characters`);
  }

  /**
   * Reads `path]` from `cur.pos`. Fast path: components without escapes separated by `\\`, found
   * by native searches and sliced straight from the text; anything else is decoded whole and
   * split on backslashes, as Wine does. Sorted keys share long prefixes: components equal to
   * those of `prev` (the previous key) are reused, which keeps a large model small, and the
   * collector's copying of it is what dominates parsing a large hive.
   */
  protected readKeyPath(prev: readonly string[]): string[] {
    const { src, le, cur } = this;
    const start = cur.pos;
    const end = this.noNul ? src.indexOf(']', start) : -1;
    if (end >= 0 && end < le) {
      const parts = this.parts;
      parts.length = 0;
      let from = start;
      let b = this.nextBackslash(from);
      while (b < end && src.charCodeAt(b + 1) === 0x5c && b + 1 < end) {
        parts.push(this.component(prev, parts.length, from, b));
        from = b + 2;
        b = this.nextBackslash(from);
      }
      if (b >= end) {
        if (end > from || parts.length > 0) parts.push(this.component(prev, parts.length, from, end));
        cur.pos = end + 1;
        return parts.slice();
      }
    }
    cur.pos = start;
    const name = readEscaped(src, cur, le, 0x5d);
    if (name === null) this.fail('malformed key line (no closing "]")');
    return this.splitPath(name);
  }

  private component(prev: readonly string[], index: number, from: number, to: number): string {
    const same = index < prev.length ? prev[index] : undefined;
    if (same !== undefined && same.length === to - from && this.src.startsWith(same, from)) return same;
    const part = this.src.slice(from, to);
    this.checkKeyName(part);
    return part;
  }
}
