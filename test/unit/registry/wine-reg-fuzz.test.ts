// Random mutations and truncations of real hives: each must parse or throw REGISTRY_PARSE naming
// a line, never crash otherwise and never hang; what parses must serialize and parse back the same.
import { describe, expect, it } from 'vitest';
import { FvmError } from '../../../src/shared/errors.js';
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import { serializeWineReg } from '../../../src/registry/wine-reg-serializer.js';
import { valueBytes, type RegHive } from '../../../src/registry/reg-model.js';
import { parseDelta, serializeDelta } from '../../../src/registry/reg-delta-file.js';
import { parseRegedit } from '../../../src/registry/regedit-format.js';
import { fixtureText, systemRegText } from './fixture-files.js';

/** mulberry32: a small seeded generator, so that a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHARS = ['\\', '"', '[', ']', '\n', '\r', ',', '@', '#', '=', ':', '(', ')', 'x', '0', '7', 'f', 'F', ' ', '\t', '\0', 'é', '\ud800', ';', '-'];
const TOKENS = ['hex(', 'hex:', 'str(7):"', 'str:"', 'dword:', '\\\n', ',\\\n  ', '#time=', '#link', '#class="', '#arch=', '\n[', ']', '\\\\', '\\x', '"="', '@=', '\n\n'];

function mutate(text: string, r: () => number): string {
  let s = text;
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (s.length + 1));
    switch (Math.floor(r() * 6)) {
      case 0:
        s = s.slice(0, at);
        break;
      case 1:
        s = s.slice(0, at) + CHARS[Math.floor(r() * CHARS.length)] + s.slice(at + 1);
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 40));
        break;
      case 3: {
        const len = Math.floor(r() * 200);
        s = s.slice(0, at) + s.slice(at, at + len) + s.slice(at);
        break;
      }
      case 4:
        s = s.slice(0, at) + TOKENS[Math.floor(r() * TOKENS.length)] + s.slice(at);
        break;
      default:
        s = s.slice(0, at) + CHARS[Math.floor(r() * CHARS.length)] + s.slice(at);
    }
  }
  return s;
}

/** A comparable digest of a hive's meaning: keys, options and values by type and data. */
function meaning(h: RegHive): string {
  return JSON.stringify([
    h.header,
    h.keys.map((k) => [k.path, k.seconds, k.time, k.className, k.link, k.options, k.values.map((v) => [v.name, v.type, Buffer.from(valueBytes(v)).toString('hex')])]),
  ]);
}

function check(text: string | Uint8Array): 'ok' | 'error' {
  let hive: RegHive;
  try {
    hive = parseWineReg(text);
  } catch (e) {
    if (!(e instanceof FvmError) || e.code !== 'REGISTRY_PARSE' || !/line \d+: /.test(e.message)) throw e;
    const line = Number(/line (\d+)/.exec(e.message)?.[1]);
    const lines = (typeof text === 'string' ? text : Buffer.from(text).toString('utf8')).split('\n').length;
    expect(line).toBeGreaterThanOrEqual(1);
    expect(line).toBeLessThanOrEqual(lines);
    return 'error';
  }
  const out = serializeWineReg(hive);
  const again = parseWineReg(out);
  expect(meaning(again)).toBe(meaning(hive));
  expect(serializeWineReg(again)).toBe(out);
  const canonical = parseWineReg(serializeWineReg(hive, { canonical: true }));
  expect(canonical.keys.map((k) => k.values.map((v) => Buffer.from(valueBytes(v)).toString('hex')))).toEqual(
    hive.keys.map((k) => k.values.map((v) => Buffer.from(valueBytes(v)).toString('hex'))),
  );
  return 'ok';
}

function systemWindow(r: () => number): string {
  const sys = systemRegText();
  const start = sys.indexOf('\n[', Math.floor(r() * (sys.length - 8000)));
  return 'WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\Machine\n\n#arch=win64\n' + sys.slice(start, start + 2000 + Math.floor(r() * 4000));
}

describe('fuzzed Wine hives', () => {
  it('4,000 mutated or truncated fixtures each parse (and round-trip) or throw REGISTRY_PARSE', () => {
    const sources = [fixtureText('user-edge-cases.reg'), fixtureText('system-sample.reg'), fixtureText('fresh-settled/userdef.reg')];
    const r = rng(0x5eed);
    const seen = { ok: 0, error: 0 };
    for (let i = 0; i < 4000; i++) {
      const base = i % 4 === 3 ? systemWindow(r) : sources[i % 3];
      const text = mutate(base, r);
      seen[check(i % 10 === 9 ? Buffer.from(text, 'latin1') : text)]++;
    }
    // Both outcomes must really occur, or the mutations test nothing.
    expect(seen.ok).toBeGreaterThan(400);
    expect(seen.error).toBeGreaterThan(400);
    expect(seen.ok + seen.error).toBe(4000);
    // Under a second on an idle machine; the generous timeout only catches a hang.
  }, 60_000);

  it('random bytes after a valid header are rejected or read, never crash', () => {
    const r = rng(7);
    for (let i = 0; i < 500; i++) {
      const junk = Uint8Array.from({ length: Math.floor(r() * 300) }, () => Math.floor(r() * 256));
      check(Buffer.concat([Buffer.from('WINE REGISTRY Version 2\n\n[K]\n'), junk]));
    }
  });

  it('a huge line of backslashes or brackets is handled in linear time', () => {
    // Quadratic work on these lines would take hours, so the timeout tells linear from not.
    expect(check('WINE REGISTRY Version 2\n[' + '\\\\'.repeat(200_000) + ']\n')).toBe('error');
    expect(check('WINE REGISTRY Version 2\n[K]\n"x"="' + 'y'.repeat(500_000) + '"\n"z"=hex:' + '00,'.repeat(300_000) + '\n')).toBe('ok');
    expect(check('WINE REGISTRY Version 2\n[K]\n"' + 'x'.repeat(500_000) + '"=hex:00\n')).toBe('error');
  }, 30_000);
});

describe('fuzzed delta files and .reg files', () => {
  it('1,000 mutated delta files parse or throw REGISTRY_PARSE', () => {
    const hive = parseWineReg(fixtureText('system-sample.reg'));
    const text = serializeDelta({ header: hive.header, keys: hive.keys, deletedKeys: [['Software', 'Gone']], deletedValues: [{ key: ['A'], name: 'v"x' }] });
    const r = rng(11);
    for (let i = 0; i < 1000; i++) {
      try {
        parseDelta(mutate(text, r));
      } catch (e) {
        if (!(e instanceof FvmError) || e.code !== 'REGISTRY_PARSE' || !/line \d+: /.test(e.message)) throw e;
      }
    }
  });

  it('1,000 mutated .reg files parse or throw REGISTRY_PARSE', () => {
    const text =
      'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\A]\r\n"s"="x\\"y"\r\n@=dword:00000001\r\n' +
      '"h"=hex(7):61,00,00,00,\\\r\n  00,00\r\n"d"=-\r\n\r\n[-HKEY_LOCAL_MACHINE\\Software\\B]\r\n';
    const r = rng(13);
    for (let i = 0; i < 1000; i++) {
      try {
        parseRegedit(mutate(text, r));
      } catch (e) {
        if (!(e instanceof FvmError) || e.code !== 'REGISTRY_PARSE' || !/line \d+: /.test(e.message)) throw e;
      }
    }
  });
});
