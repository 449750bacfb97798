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
import type { RegHeader, RegHive, RegValue, StringType } from './reg-model.js';
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
    const k: KeyBuilder = { path, seconds, time: null, className: null, link: false, options: NO_OPTIONS, values: [] };
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
    key.values = key.values.length === 0 ? NO_VALUES : key.values.slice();
    if (this.blockStart >= 0) key.source = this.src.slice(this.blockStart, this.blockEnd);
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

  private parseValue(key: KeyBuilder): void {
    const { src, cur } = this;
    const start = this.ls;
    let name: string;
    if (src.charCodeAt(start) === 0x40) {
      name = '';
      cur.pos = start + 1;
    } else {
      cur.pos = start + 1;
      const s = this.readQuoted();
      if (s === null) this.fail('malformed value name (no closing quote)');
      if (s.length > MAX_VALUE_NAME) this.fail(`value name longer than ${MAX_VALUE_NAME} characters`);
      name = s;
    }
    const p = this.skipSpace(cur.pos);
    if (p >= this.le || src.charCodeAt(p) !== 0x3d) this.fail('expected "=" after the value name');
    this.setValue(key, this.parseData(name, this.skipSpace(p + 1)));
  }

  private parseData(name: string, p: number): RegValue {
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
      const text = this.readQuoted();
      if (text === null) this.fail('malformed string data (no closing quote)');
      this.expectEnd(this.cur.pos, 'the string');
      return { kind: 'string', name, type: strType, text };
    }
    if (src.startsWith('dword:', p)) {
      const dw = this.readHex32(p + 6);
      if (!dw) this.fail('malformed dword (expected up to 8 hex digits)');
      this.expectEnd(dw.end, 'the dword');
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
    const bytes = this.parseHexList(p);
    return { kind: 'hex', name, type, bytes };
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

