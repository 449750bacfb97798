/**
 * Parser of Wine's registry files ("WINE REGISTRY Version 2", research/wine-reg-format.md).
 *
 * It accepts what Wine writes and the looser input Wine reads (§8: CRLF, indentation, blank and
 * `;` lines, `str:`, `dword:7`, spaced hex, keys in any order or repeated), and keeps the text of
 * every key block so that parse → serialize gives the same bytes. Where Wine
 * would skip a malformed line and go on, this parser throws REGISTRY_PARSE with the line number:
 * FVM must never commit a hive it only half understood. Every loop advances through the text, so
 * no input can make it hang.
 */
import { compareKeyPaths, compareNames, foldName, keyId } from './reg-names.js';
import type { RegHeader, RegHive, RegKey, RegValue, StringType } from './reg-model.js';
import { REG_BINARY, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_SZ } from './reg-model.js';
import { readEscaped } from './wine-escape.js';
import { WineRegLexer, decodeHiveBytes, isHexDigit } from './wine-reg-lexer.js';

/** How to report errors. */
export interface WineRegParseOptions {
  /** Name of the file for error messages, e.g. `system.reg`. */
  readonly label?: string;
}

const MAGIC = 'WINE REGISTRY Version 2';
const ROOT_PREFIX = ';; All keys relative to ';
/** Wine's server limit (§8): a longer value name cannot exist in a real registry. */
const MAX_VALUE_NAME = 16383;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Parses a Wine hive; throws FvmError('REGISTRY_PARSE') naming the 1-based line of the first error. */
export function parseWineReg(input: string | Uint8Array, options: WineRegParseOptions = {}): RegHive {
  return new Parser(typeof input === 'string' ? input : decodeHiveBytes(input), options).parse();
}

/** A key while it is being read; the same object becomes the model's key (no copy). */
interface KeyBuilder {
  path: readonly string[];
  seconds: number | null;
  time: string | null;
  className: string | null;
  link: boolean;
  options: readonly string[];
  values: RegValue[];
  source?: string;
}

/**
 * Shared empty lists, and exact-length copies of the others (see closeKey): the model of a big
 * hive lives long, and the collector's copying of it is most of the cost of parsing.
 */
const NO_OPTIONS: readonly string[] = Object.freeze([]);
const NO_VALUES: RegValue[] = Object.freeze([]) as unknown as RegValue[];

/**
 * Values of a key read from one block are not kept by the parse (it only checks them): they are
 * built on first access, by parsing the block's text again. Until then `values` is an own,
 * enumerable accessor (so spreads, JSON, structured clones and deep comparisons all see the
 * values); its first read replaces it with a plain data property holding them. The getter is one
 * shared function, so that every such key has the same shape.
 */
const LAZY_VALUES: PropertyDescriptor = { get: lazyValues, enumerable: true, configurable: true };
/** Values of keys frozen before their first read (they cannot take the data property). */
const frozenValues = new WeakMap<object, RegValue[]>();

/**
 * True when two keys are known to hold the same values without building them: each still has the
 * values a parse left unread (so they are those of its block's text), and their blocks differ at
 * most in the key line and a `#time=` line right after it. False means "unknown", not "different".
 */
export function sameBlockValues(a: RegKey, b: RegKey): boolean {
  const x = a.source;
  const y = b.source;
  if (x === undefined || y === undefined || !hasLazyValues(a) || !hasLazyValues(b)) return false;
  const i = bodyStart(x);
  const j = bodyStart(y);
  return x.length - i === y.length - j && x.slice(i) === y.slice(j);
}

function hasLazyValues(k: RegKey): boolean {
  return Object.getOwnPropertyDescriptor(k, 'values')?.get === lazyValues;
}

/** Where a block's text goes on after its key line and a `#time=` line that directly follows it. */
function bodyStart(source: string): number {
  let i = source.indexOf('\n') + 1;
  if (i === 0) return source.length;
  if (source.startsWith('#time=', i)) {
    i = source.indexOf('\n', i) + 1;
    if (i === 0) return source.length;
  }
  return i;
}

function lazyValues(this: KeyBuilder): RegValue[] {
  const cached = frozenValues.get(this);
  if (cached !== undefined) return cached;
  const source = this.source;
  // Cannot happen: a key loses its source only by being repeated, and the parser first makes its values eager.
  if (source === undefined) throw new Error('registry key values lost with their source text');
  const values = new Parser(source, {}).parseBlockValues();
  if (Object.isExtensible(this) && Object.getOwnPropertyDescriptor(this, 'values')?.configurable === true) {
    Object.defineProperty(this, 'values', { value: values, enumerable: true, writable: true, configurable: true });
  } else {
    frozenValues.set(this, values);
  }
  return values;
}

class Parser extends WineRegLexer {
  private readonly keys: KeyBuilder[] = [];
  /**
   * Keys by id, built only once a key comes out of order: while every key sorts after the one
   * before (always, for what Wine writes), none can repeat and no map is needed.
   */
  private byId: Map<string, KeyBuilder> | null = null;
  /** Folded value names of keys whose values came out of order (same reasoning as byId). */
  private readonly valueIndex = new Map<KeyBuilder, Map<string, number>>();
  /** Text of the current key's block so far: its key line up to its last option or value line. */
  private blockStart = -1;
  private blockEnd = -1;

  constructor(src: string, options: WineRegParseOptions) {
    super(src, options.label);
  }

  parse(): RegHive {
    if (!this.readLine() || this.ls !== 0 || this.src.slice(this.ls, this.le) !== MAGIC) {
      this.lineNo = 1;
      this.fail(`the first line must be "${MAGIC}"`);
    }
    const eol = this.le < this.n && this.src.charCodeAt(this.le) === 0x0d ? '\r\n' : '\n';
    let root: readonly string[] | null = null;
    let arch: RegHeader['arch'] = null;
    let key: KeyBuilder | null = null;
    while (this.readLine()) {
      const { src, ls, le } = this;
      if (ls === le) continue;
      switch (src.charCodeAt(ls)) {
        case 0x5b: // [
          if (key) this.closeKey(key);
          key = this.parseKeyLine();
          break;
        case 0x40: // @
        case 0x22: // "
          if (!key) this.fail('a value before any key');
          this.parseValue(key);
          this.blockEnd = this.le;
          break;
        case 0x23: // #
          if (key) {
            this.parseKeyOption(key);
            this.blockEnd = le;
          } else if (src.startsWith('#arch=', ls)) {
            arch = this.parseArch();
          }
          break; // other options before the first key are ignored, as Wine does
        case 0x3b: // ;
          if (!key && root === null && this.keys.length === 0 && src.startsWith(ROOT_PREFIX, ls)) root = this.parseRoot();
          break;
        default:
          this.fail('unrecognized input (expected a key, a value, an option or a comment)');
      }
    }
    if (key) this.closeKey(key);
    return { header: { root, arch }, keys: this.keys, eol };
  }

  /** The values of one key block (text the parse of a whole hive already checked), as the parse would have kept them. */
  parseBlockValues(): RegValue[] {
    const key: KeyBuilder = { path: NO_OPTIONS, seconds: null, time: null, className: null, link: false, options: NO_OPTIONS, values: [] };
    this.readLine(); // the key line
    while (this.readLine()) {
      const { src, ls, le } = this;
      if (ls === le) continue;
      const c = src.charCodeAt(ls);
      if (c === 0x40 || c === 0x22) this.parseValue(key);
    }
    return key.values.length === 0 ? NO_VALUES : key.values;
  }

  private parseArch(): 'win32' | 'win64' {
    const v = this.src.slice(this.ls + 6, this.le).trimEnd();
    if (v !== 'win32' && v !== 'win64') this.fail(`unknown architecture "#arch=${v}" (Wine knows win32 and win64)`);
    return v;
  }

  private parseRoot(): readonly string[] {
    this.cur.pos = this.ls + ROOT_PREFIX.length;
    const s = readEscaped(this.src, this.cur, this.le, -1);
    if (s === null) this.fail('malformed root path in the header');
    return this.splitPath(s.trimEnd());
  }

  private parseKeyLine(): KeyBuilder {
    const { src, le, cur } = this;
    cur.pos = this.ls + 1;
    const path = this.readKeyPath(this.keys.length > 0 ? this.keys[this.keys.length - 1].path : NO_OPTIONS);
    let p = this.skipSpace(cur.pos);
    let seconds: number | null = null;
    if (p < le && src.charCodeAt(p) >= 0x30 && src.charCodeAt(p) <= 0x39) {
      let v = 0;
      const start = p;
      while (p < le && src.charCodeAt(p) >= 0x30 && src.charCodeAt(p) <= 0x39) v = v * 10 + (src.charCodeAt(p++) - 0x30);
      if (p - start > 10 || v > 0xffffffff) this.fail('key time stamp out of range');
      seconds = v;
    }
    this.expectEnd(p, 'the key line');
    const prev = this.keys.length > 0 ? this.keys[this.keys.length - 1] : null;
    if (this.byId === null && prev !== null && compareKeyPaths(prev.path, path) >= 0) {
      this.byId = new Map(this.keys.map((k) => [keyId(k.path), k]));
    }
    if (this.byId !== null) {
      const id = keyId(path);
      const existing = this.byId.get(id);
      if (existing) {
        // A repeated key merges into the first, as Wine does; no one block holds its text any more.
        if (existing.source !== undefined) void existing.values; // its values become eager
        delete existing.source;
        if (seconds !== null) existing.seconds = seconds;
        this.blockStart = -1;
        return existing;
      }
      const k = this.newKey(path, seconds);
      this.byId.set(id, k);
      return k;
    }
    return this.newKey(path, seconds);
  }

  private newKey(path: readonly string[], seconds: number | null): KeyBuilder {
    // `values` becomes the lazy accessor; it is defined in the same place as in an eager key.
    const k = { path, seconds, time: null, className: null, link: false, options: NO_OPTIONS } as Omit<KeyBuilder, 'values'> as KeyBuilder;
    Object.defineProperty(k, 'values', LAZY_VALUES);
    this.keys.push(k);
    this.blockStart = this.ls;
    this.blockEnd = this.le;
    return k;
  }

  /**
   * Ends the current key: its value list is trimmed to its length, and it keeps its block's
   * text (one string per key, not per value: the collector's copying of a large model is most of
   * the cost of parsing it).
   */
  private closeKey(key: KeyBuilder): void {
    if (this.blockStart >= 0) key.source = this.src.slice(this.blockStart, this.blockEnd);
    else key.values = key.values.length === 0 ? NO_VALUES : key.values.slice();
  }

  private parseKeyOption(key: KeyBuilder): void {
    const { src, ls, le } = this;
    if (src.startsWith('#time=', ls)) {
      let p = ls + 6;
      while (p < le && isHexDigit(src.charCodeAt(p))) p++;
      if (p === ls + 6 || p - ls - 6 > 16) this.fail('malformed "#time=" (expected 1 to 16 hex digits)');
      this.expectEnd(p, '#time');
      key.time = src.slice(ls + 6, p);
    } else if (src.startsWith('#class=', ls)) {
      if (src.charCodeAt(ls + 7) !== 0x22) this.fail('malformed "#class=" (expected a quoted string)');
      this.cur.pos = ls + 8;
      const cls = readEscaped(src, this.cur, le, 0x22);
      if (cls === null) this.fail('malformed "#class=" string');
      this.expectEnd(this.cur.pos, '#class');
      key.className = cls;
    } else if (src.startsWith('#link', ls)) {
      // Wine treats any line starting with "#link" as the flag; only the exact word is accepted here
      // so that FVM and Wine can never disagree about whether a key is a link.
      this.expectEnd(ls + 5, '#link');
      key.link = true;
    } else {
      // Kept verbatim, so it must survive being written as UTF-8: no lone surrogate.
      const option = src.slice(ls + 1, le);
      if (LONE_SURROGATE.test(option)) this.fail('an option line that is not valid text');
      key.options = [...key.options, option];
    }
  }

  /**
   * Reads one value line (and its continuation lines). The values of a key's own block (a new
   * key: blockStart set) are only checked, with the same errors, and built later from the block's
   * text (see lazyValues); those of a repeated key's block are kept at once.
   */
  private parseValue(key: KeyBuilder): void {
    const { src, cur } = this;
    const keep = this.blockStart < 0;
    const start = this.ls;
    let name = '';
    cur.pos = start + 1;
    if (src.charCodeAt(start) !== 0x40) {
      let length: number;
      if (keep) {
        const s = this.readQuoted();
        length = s === null ? -1 : s.length;
        if (s !== null) name = s;
      } else {
        length = this.skipQuoted();
      }
      if (length < 0) this.fail('malformed value name (no closing quote)');
      if (length > MAX_VALUE_NAME) this.fail(`value name longer than ${MAX_VALUE_NAME} characters`);
    }
    const p = this.skipSpace(cur.pos);
    if (p >= this.le || src.charCodeAt(p) !== 0x3d) this.fail('expected "=" after the value name');
    const value = this.parseData(name, this.skipSpace(p + 1), keep);
    if (value !== null) this.setValue(key, value);
  }

  /** The value whose data starts at `p`; with `keep` false, only checks it and returns null. */
  private parseData(name: string, p: number, keep: boolean): RegValue | null {
    const { src } = this;
    let strType: StringType | 0 = 0;
    if (src.charCodeAt(p) === 0x22) {
      strType = REG_SZ;
      p += 1;
    } else if (src.startsWith('str:"', p)) {
      strType = REG_SZ;
      p += 5;
    } else if (src.startsWith('str(2):"', p)) {
      strType = REG_EXPAND_SZ;
      p += 8;
    } else if (src.startsWith('str(7):"', p)) {
      strType = REG_MULTI_SZ;
      p += 8;
    }
    if (strType !== 0) {
      this.cur.pos = p;
      if (!keep) {
        if (this.skipQuoted() < 0) this.fail('malformed string data (no closing quote)');
        this.expectEnd(this.cur.pos, 'the string');
        return null;
      }
      const text = this.readQuoted();
      if (text === null) this.fail('malformed string data (no closing quote)');
      this.expectEnd(this.cur.pos, 'the string');
      return { kind: 'string', name, type: strType, text };
    }
    if (src.startsWith('dword:', p)) {
      const dw = this.readHex32(p + 6);
      if (!dw) this.fail('malformed dword (expected up to 8 hex digits)');
      this.expectEnd(dw.end, 'the dword');
      if (!keep) return null;
      return { kind: 'dword', name, type: REG_DWORD, value: dw.value };
    }
    let type: number;
    if (src.startsWith('hex:', p)) {
      type = REG_BINARY;
      p += 4;
    } else if (src.startsWith('hex(', p)) {
      const t = this.readHex32(p + 4);
      if (!t || !src.startsWith('):', t.end) || t.end + 2 > this.le) this.fail('malformed "hex(type):"');
      type = t.value;
      p = t.end + 2;
    } else {
      this.fail('unknown value data (expected "…", str(2):, str(7):, dword:, hex: or hex(type):)');
    }
    const bytes = this.parseHexList(p, keep);
    return keep ? { kind: 'hex', name, type, bytes } : null;
  }

  private setValue(key: KeyBuilder, value: RegValue): void {
    if (key.values === NO_VALUES) key.values = []; // a repeated key block reopens its key
    const values = key.values;
    let index = this.valueIndex.size > 0 ? this.valueIndex.get(key) : undefined;
    if (index === undefined) {
      // In sorted input (what Wine writes) each name sorts after the previous one: no repeat possible.
      if (values.length === 0 || compareNames(values[values.length - 1].name, value.name) < 0) {
        values.push(value);
        return;
      }
      index = new Map(values.map((v, i) => [foldName(v.name), i]));
      this.valueIndex.set(key, index);
    }
    const folded = foldName(value.name);
    const at = index.get(folded);
    if (at !== undefined) {
      // A repeated name: the last one wins (Wine's reader), in the place of the first.
      values[at] = value;
      return;
    }
    index.set(folded, values.length);
    values.push(value);
  }
}

