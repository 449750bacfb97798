/**
 * An append-only text buffer that stores bytes, not strings.
 *
 * Building a 1.7 MB hive by string concatenation keeps one rope node per piece alive until the
 * end; on this project's machines the collector, then the final flattening, cost several times
 * the writing itself. Writing into one growing buffer leaves nothing behind but the result.
 */
import { Buffer } from 'node:buffer';

const HEX_CODES: readonly number[] = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Below this length a JavaScript loop beats the cost of a native call. */
const SHORT = 24;

/** Text written as bytes into one growing buffer (see the module comment). */
export class TextSink {
  private buf: Buffer;
  private n = 0;
  /** True once a non-ASCII character was written: the result must then be decoded as UTF-8. */
  private wide = false;

  /** `capacity`: the expected size in bytes, so that the buffer rarely has to grow and copy. */
  constructor(capacity = 1 << 16) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 64));
  }

  private reserve(extra: number): void {
    if (this.n + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + extra) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.n);
    this.buf = bigger;
  }

  /** Appends a string the caller knows to be ASCII (escaped names, fixed syntax). */
  ascii(s: string): void {
    const len = s.length;
    this.reserve(len);
    if (len < SHORT) {
      const buf = this.buf;
      let n = this.n;
      for (let i = 0; i < len; i++) buf[n++] = s.charCodeAt(i);
      this.n = n;
    } else {
      this.n += this.buf.write(s, this.n, 'latin1');
    }
  }

  /**
   * Appends any string as UTF-8 (source text from a file may hold UTF-8 that was read as such).
   *
   * Returns false, writing nothing, for a string with a lone surrogate: UTF-8 cannot carry one,
   * so the caller must write it another way (Wine's `\x` escapes) or it would change.
   */
  text(s: string): boolean {
    // The native UTF-8 length is the cheapest test for "all ASCII" (three times a regex here).
    if (Buffer.byteLength(s, 'utf8') === s.length) {
      this.ascii(s);
      return true;
    }
    if (LONE_SURROGATE.test(s)) return false;
    this.reserve(s.length * 3);
    this.n += this.buf.write(s, this.n, 'utf8');
    this.wide = true;
    return true;
  }

  /** Appends one ASCII character code. */
  char(c: number): void {
    this.reserve(1);
    this.buf[this.n++] = c;
  }

  /** Appends the two lowercase hex digits of a byte. */
  byteHex(b: number): void {
    this.reserve(2);
    this.buf[this.n++] = HEX_CODES[b >> 4];
    this.buf[this.n++] = HEX_CODES[b & 15];
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.n;
  }

  toString(): string {
    return this.buf.toString(this.wide ? 'utf8' : 'latin1', 0, this.n);
  }
}
