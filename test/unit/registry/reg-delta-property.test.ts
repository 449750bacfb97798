// Random edit sequences checked against a plain reference: the delta's view must mean what the
// edited hive means, harvest must reproduce any target, and merge + unmerge must give every byte back.
import { describe, expect, it } from 'vitest';
import { applyDeleteKey, applyDeleteValue, applyWrite, emptyDelta, view, type RegDelta } from '../../../src/registry/reg-delta.js';
import { harvest } from '../../../src/registry/reg-harvest.js';
import { merge, unmerge } from '../../../src/registry/reg-merge.js';
import { parseDelta, serializeDelta } from '../../../src/registry/reg-delta-file.js';
import { diffHives } from '../../../src/registry/reg-diff.js';
import { indexHive } from '../../../src/registry/reg-index.js';
import { parseWineReg } from '../../../src/registry/wine-reg-parser.js';
import { serializeWineReg } from '../../../src/registry/wine-reg-serializer.js';
import { dwordValue, findValue, makeKey, stringValue, valueBytes, withValues, type RegHive, type RegKey, type RegValue } from '../../../src/registry/reg-model.js';
import { compareKeyPaths, compareNames, foldName, isWithin, keyId } from '../../../src/registry/reg-names.js';
import { fixtureText } from './fixture-files.js';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a hive means: every key (implicit ones empty) with its values by folded name. */
function meaning(h: RegHive): Map<string, string> {
  const idx = indexHive(h);
  const out = new Map<string, string>();
  for (const [id] of idx.all) {
    const k = idx.written.get(id);
    const values = (k?.values ?? []).map((v) => `${foldName(v.name)}=${v.type}:${Buffer.from(valueBytes(v)).toString('hex')}`).sort();
    out.set(id, JSON.stringify([k?.className ?? null, k?.link ?? false, values]));
  }
  return out;
}

// The reference: direct edits of a hive, the simplest reading of Windows semantics.
function refWrite(h: RegHive, path: readonly string[], values: readonly RegValue[], time: bigint): RegHive {
  const idx = indexHive(h);
  const id = keyId(path);
  if (values.length === 0 && idx.all.has(id)) return h;
  const old = idx.written.get(id);
  let vals = [...(old?.values ?? [])];
  for (const v of values) {
    const at = vals.findIndex((x) => foldName(x.name) === foldName(v.name));
    if (at >= 0) vals[at] = { ...v, name: vals[at].name };
    else vals = [...vals, v].sort((a, b) => compareNames(a.name, b.name));
  }
  const key = old ? withValues(old, vals, time) : makeKey(path, vals, time);
  const keys = h.keys.filter((k) => keyId(k.path) !== id);
  return { ...h, keys: [...keys, key].sort((a, b) => compareKeyPaths(a.path, b.path)) };
}

function refDeleteKey(h: RegHive, path: readonly string[], time: bigint): RegHive {
  const id = keyId(path);
  const parent = indexHive(h).all.get(keyId(path.slice(0, -1)));
  let keys: RegKey[] = h.keys.filter((k) => !isWithin(keyId(k.path), id));
  const after = { ...h, keys };
  if (parent && path.length > 1 && !indexHive(after).all.has(keyId(parent))) keys = [...keys, makeKey(parent, [], time)].sort((a, b) => compareKeyPaths(a.path, b.path));
  return { ...h, keys };
}

function refDeleteValue(h: RegHive, path: readonly string[], name: string): RegHive {
  const id = keyId(path);
  return { ...h, keys: h.keys.map((k) => (keyId(k.path) === id ? withValues(k, k.values.filter((v) => foldName(v.name) !== foldName(name))) : k)) };
}

const NAMES = ['Software', 'Wine', 'FVM', 'fvm', 'New', 'x', 'Deep', 'Control Panel', 'Environment'];

function randomPath(r: () => number, h: RegHive): readonly string[] {
  const existing = [...indexHive(h).all.values()].filter((p) => p.length > 0);
  const base = r() < 0.7 && existing.length > 0 ? existing[Math.floor(r() * existing.length)] : [];
  const extra = Math.floor(r() * 3);
  const out = [...base];
  for (let i = 0; i < extra || out.length === 0; i++) out.push(NAMES[Math.floor(r() * NAMES.length)]);
  return out;
}

const RUNS = 200;

describe('delta operations against a reference', () => {
  const host = parseWineReg(fixtureText('fresh-settled/user.reg'));

  it(`${RUNS} random edit sequences: view = reference, harvest reproduces it, merge/unmerge and the delta file are exact`, () => {
    const r = rng(42);
    for (let run = 0; run < RUNS; run++) {
      let delta: RegDelta = emptyDelta(host.header);
      let ref = host;
      const ops = 1 + Math.floor(r() * 6);
      for (let i = 0; i < ops; i++) {
        const time = 0x1dd7bda9e4d9346n + BigInt(i);
        const current = view(host, delta);
        const choice = r();
        if (choice < 0.45) {
          const path = randomPath(r, current);
          const values = r() < 0.2 ? [] : [r() < 0.5 ? stringValue(NAMES[Math.floor(r() * 5)], `v${i}`) : dwordValue(`d${Math.floor(r() * 3)}`, i)];
          delta = applyWrite(host, delta, path, values, time);
          ref = refWrite(ref, path, values, time);
        } else if (choice < 0.75) {
          const all = [...indexHive(current).all.values()].filter((p) => p.length > 0);
          if (all.length === 0) continue;
          const path = all[Math.floor(r() * all.length)];
          delta = applyDeleteKey(host, delta, path, time);
          ref = refDeleteKey(ref, path, time);
        } else {
          const withVals = current.keys.filter((k) => k.values.length > 0);
          if (withVals.length === 0) continue;
          const k = withVals[Math.floor(r() * withVals.length)];
          const v = k.values[Math.floor(r() * k.values.length)];
          delta = applyDeleteValue(host, delta, k.path, v.name.toUpperCase(), time);
          ref = refDeleteValue(ref, k.path, v.name);
          expect(findValue(view(host, delta).keys.find((x) => keyId(x.path) === keyId(k.path)) ?? makeKey([]), v.name)).toBeUndefined();
        }
      }
      const got = view(host, delta);
      expect(meaning(got)).toEqual(meaning(ref));
      expect(diffHives(ref, view(host, harvest(host, ref)), { includeNoise: true })).toEqual([]);
      const again = parseDelta(serializeDelta(delta));
      expect(meaning(view(host, again))).toEqual(meaning(got));
      const m = merge(host, delta);
      expect(meaning(m.hive)).toEqual(meaning(got));
      expect(serializeWineReg(unmerge(m.hive, m.undo))).toBe(serializeWineReg(host));
    }
  }, 60_000);
});
