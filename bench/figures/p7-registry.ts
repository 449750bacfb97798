/**
 * P7: parsing and writing back a Wine hive costs at most 3× the floor of any hive reader; P7b is
 * the same on a large synthetic hive.
 *
 * The floor is reading the file and splitting it into lines; the value is reading it, parsing it
 * into the model and serializing it back (checked byte-identical before timing). Two hives: the
 * fresh 64-bit system.reg fixture (1.7 MB, 8,882 keys) and a synthetic one of ~100 MB (~10 MB with
 * --quick) generated in Wine's canonical form, to show the cost stays linear.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { figure, median, type BenchContext, type Figure, type FigureModule } from '../figure.js';
import { parseWineReg } from '../../src/registry/wine-reg-parser.js';
import { serializeKey, serializeWineReg } from '../../src/registry/wine-reg-serializer.js';
import { REG_EXPAND_SZ, REG_MULTI_SZ, dwordValue, makeKey, stringValue, valueFromBytes, type RegValue } from '../../src/registry/reg-model.js';
import { compareNames } from '../../src/registry/reg-names.js';

const FIXTURE = path.resolve(import.meta.dirname, '../../test/fixtures/wine-reg/fresh-settled/system.reg.xz');
const TARGET = { op: '<=', limit: 3 } as const;

/** The floor: what any reader of the file must do at least. */
function floorRun(file: string): number {
  const t0 = performance.now();
  const lines = readFileSync(file).toString('utf8').split('\n');
  const t = performance.now() - t0;
  if (lines.length < 2) throw new Error(`${file} has no lines`);
  return t;
}

/** The job: file bytes to model and back to the file's text. */
function valueRun(file: string, size: number): number {
  const t0 = performance.now();
  const out = serializeWineReg(parseWineReg(readFileSync(file)));
  const t = performance.now() - t0;
  if (out.length !== size) throw new Error(`round trip of ${file} changed its length`);
  return t;
}

/** Medians of interleaved runs (so that load on the machine hits both alike), after warm-ups. */
function measure(file: string, runs: number, warmups: number): { value: number; baseline: number } {
  const text = readFileSync(file, 'utf8');
  if (serializeWineReg(parseWineReg(text)) !== text) throw new Error(`round trip of ${file} is not byte-identical`);
  for (let i = 0; i < warmups; i++) {
    floorRun(file);
    valueRun(file, text.length);
  }
  const floors: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < runs; i++) {
    floors.push(floorRun(file));
    values.push(valueRun(file, text.length));
  }
  return { value: median(values), baseline: median(floors) };
}

/** Deterministic pseudo-random numbers, so every run measures the same hive. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function syntheticValues(r: () => number, v: number, p: number): RegValue[] {
  const values: RegValue[] = [stringValue('', `Vendor ${v} Product ${p}`)];
  const kinds = Math.floor(r() * 5);
  if (kinds > 0) values.push(stringValue('InstallDir', `C:\\Program Files\\Vendor${v}\\Product${p}\\`));
  if (kinds > 1) values.push(dwordValue('Flags', Math.floor(r() * 2 ** 32)));
  if (kinds > 2) values.push(valueFromBytes('Data', 3, Uint8Array.from({ length: 8 + Math.floor(r() * 180) }, () => Math.floor(r() * 256))));
  if (kinds > 3) {
    values.push(stringValue('Path', '%SystemRoot%\\system32', REG_EXPAND_SZ));
    values.push(stringValue('Types', 'text/plain\0text/html\0', REG_MULTI_SZ));
  }
  // Wine writes values sorted; out-of-order ones would send the parser down its slower path.
  return values.sort((a, b) => compareNames(a.name, b.name));
}

/** Writes a hive of about `bytes` bytes, sorted as Wine writes it, into `file`. */
export function writeSyntheticHive(file: string, bytes: number): void {
  const r = lcg(7);
  const fd = openSync(file, 'w');
  try {
    let written = 0;
    const put = (s: string): void => {
      written += writeSync(fd, s);
    };
    put('WINE REGISTRY Version 2\n;; All keys relative to REGISTRY\\\\Machine\n\n#arch=win64\n');
    const time = 0x1dd7bd970246428n;
    for (let v = 0; written < bytes; v++) {
      const chunk: string[] = [];
      const vendor = ['Software', `Vendor${String(v).padStart(5, '0')}`];
      chunk.push('\n' + serializeKey(makeKey(vendor, [stringValue('', `Vendor ${v}`)], time)));
      for (let p = 0; p < 40; p++) {
        const product = [...vendor, `Product${String(p).padStart(3, '0')}`];
        chunk.push('\n' + serializeKey(makeKey(product, syntheticValues(r, v, p), time + BigInt(p))));
        chunk.push('\n' + serializeKey(makeKey([...product, 'Settings'], [dwordValue('Version', p)], time)));
      }
      put(chunk.join(''));
    }
  } finally {
    closeSync(fd);
  }
}

async function run(ctx: BenchContext): Promise<Figure[]> {
  const runs = ctx.quick ? 7 : 15;
  const fixture = path.join(ctx.tmp, 'system.reg');
  writeFileSync(fixture, execFileSync('xz', ['-dc', FIXTURE], { maxBuffer: 64 << 20 }));
  const small = measure(fixture, runs, 3);
  ctx.log(`P7 system.reg: parse+serialize ${small.value.toFixed(1)} ms, read+split ${small.baseline.toFixed(1)} ms`);

  const mb = ctx.quick ? 10 : 100;
  const big = path.join(ctx.tmp, `synthetic-${mb}MB.reg`);
  writeSyntheticHive(big, mb * 1_000_000);
  const large = measure(big, 3, 1);
  ctx.log(`P7 synthetic ${mb} MB: parse+serialize ${large.value.toFixed(0)} ms, read+split ${large.baseline.toFixed(0)} ms`);

  return [
    figure('P7', small.value, small.baseline, 'ms', TARGET, `system.reg fixture (1.7 MB, 8,882 keys): read+parse+serialize vs read+split into lines, median of ${runs}`),
    figure('P7b', large.value, large.baseline, 'ms', TARGET, `synthetic ${mb} MB hive: read+parse+serialize vs read+split into lines, median of 3`),
  ];
}

/** P7 (system.reg) and P7b (synthetic large hive). */
export const p7: FigureModule = { ids: ['P7', 'P7b'], run };
