/**
 * Commit and uncommit of a VM's registry changes into the host's hives, key by key.
 *
 * Plan, then apply. The plan computes every merged hive in memory and refuses with
 * REGISTRY_BUSY if a wineserver runs for a prefix on the host (it would overwrite the merge at its
 * next save). Applying writes, per hive, first the undo delta and the merged text into the
 * commit's folder (`commits/<n>/registry/`), then the host hive (temp file + rename, so Wine
 * never reads half a file), then a `.done` marker. A crash in between is finished by `recover`
 * from those files, whichever command comes next; uncommit marks `.undone` the same way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FvmError } from '../../shared/errors.js';
import type { RegistryChange } from '../../shared/types.js';
import { HIVE_FILES, parseKeyPath, type HiveFile } from '../../registry/key-path.js';
import { view, type RegDelta } from '../../registry/reg-delta.js';
import { harvest } from '../../registry/reg-harvest.js';
import { diffHives } from '../../registry/reg-diff.js';
import { merge, selectDelta, unmerge, type MergeSelection } from '../../registry/reg-merge.js';
import type { RegHive } from '../../registry/reg-model.js';
import { parseDelta, serializeDelta } from '../../registry/reg-delta-file.js';
import { serializeWineReg } from '../../registry/wine-reg-serializer.js';
import { writeFileAtomicSync } from '../atomic-write.js';
import type { VmPaths } from '../repository.js';
import { commitDir, commitNumbers, readRecord, writeRecord } from '../commit-journal.js';
import { hivePaths, loadPrefixes, prefixStateDir, type PrefixRecord } from './wine-prefixes.js';
import { isEmptyDelta, parseHive, PrefixState, readHostHive } from './prefix-state.js';
import { describePid, hostWineServers } from './wine-servers.js';
import { registryChanges } from './vm-registry.js';
import { stampOf } from '../vm-file.js';

/** One hive's part of a registry commit, computed before anything is written. */
export interface HiveCommit {
  readonly rec: PrefixRecord;
  readonly hive: HiveFile;
  /** The host hive with the selected changes merged in. */
  readonly merged: string;
  /** The delta over the merged hive that gives the host's previous hive back. */
  readonly undo: string;
  /** The VM's remaining delta over the merged hive. */
  readonly remaining: string;
  readonly changes: readonly RegistryChange[];
}

function registryDir(p: VmPaths, n: number): string {
  return path.join(commitDir(p, n), 'registry');
}

function partName(c: { rec: PrefixRecord; hive: HiveFile }): string {
  return `${c.rec.id}-${c.hive}`;
}

/** Refuses while a host wineserver serves the prefix. */
export function assertHostIdle(prefixPath: string): void {
  const pids = hostWineServers(prefixPath);
  if (pids.length === 0) return;
  throw new FvmError(
    'REGISTRY_BUSY',
    `a wineserver runs for ${prefixPath} on the host: ${describePid(pids[0])}`,
    `Close the Wine programs using that prefix (or run \`WINEPREFIX=${prefixPath} wineserver -k\`), then try again; nothing was changed.`,
  );
}

/**
 * The per-hive selections of `--key` arguments; `undefined` keys select everything. An argument
 * that matches no change of the VM is refused, as `--path` is.
 */
export function planRegistryCommit(p: VmPaths, keys: readonly string[] | undefined): HiveCommit[] {
  const targets = (keys ?? []).map((k) => ({ k, refs: parseKeyPath(k).targets }));
  // Every hive the VM changed, with the host's hive and the VM's delta over it.
  const changed: { rec: PrefixRecord; hive: HiveFile; host: RegHive; delta: RegDelta }[] = [];
  for (const rec of loadPrefixes(p)) {
    const st = new PrefixState(prefixStateDir(p, rec));
    if (!st.hasChanges()) continue;
    const paths = hivePaths(rec.path);
    for (const h of HIVE_FILES) {
      const host = readHostHive(paths[h], h);
      // A prefix the VM made itself is committed as files, with its own hives.
      if (!host.bytes) continue;
      const delta = st.readDelta(h, host.hive);
      if (!isEmptyDelta(delta)) changed.push({ rec, hive: h, host: host.hive, delta });
    }
  }
  for (const { k, refs } of targets) {
    const hit = changed.some((c) => refs.some((t) => t.hive === c.hive && !isEmptyDelta(selectDelta(c.host, c.delta, [t.path]))));
    if (!hit) {
      throw new FvmError('PATH_NOT_CHANGED', `${k} is not among the VM's registry changes`, 'See them with `fvm reg diff NAME`; --key takes one of those keys or a key above them.');
    }
  }
  const out: HiveCommit[] = [];
  for (const c of changed) {
    const sel: MergeSelection = keys === undefined ? 'all' : targets.flatMap((t) => t.refs.filter((r) => r.hive === c.hive).map((r) => r.path));
    if (sel !== 'all' && sel.length === 0) continue;
    const m = merge(c.host, c.delta, sel);
    if (isEmptyDelta(m.applied)) continue;
    out.push({
      rec: c.rec,
      hive: c.hive,
      merged: serializeWineReg(m.hive),
      undo: serializeDelta(m.undo),
      remaining: serializeDelta(harvest(m.hive, view(c.host, c.delta), { ignoreNoise: true })),
      changes: registryChanges(c.rec, c.hive, diffHives(c.host, m.hive, { hive: c.hive })),
    });
  }
  for (const rec of new Set(out.map((c) => c.rec))) assertHostIdle(rec.path);
  return out;
}

/** Writes a hive file on the host like Wine does: whole, through a temp file and rename. */
function writeHostHive(file: string, text: string): void {
  let mode = 0o644;
  let owner: { uid: number; gid: number } | null = null;
  try {
    const st = fs.lstatSync(file);
    mode = st.mode & 0o777;
    owner = { uid: st.uid, gid: st.gid };
  } catch {
    // a new hive
  }
  writeFileAtomicSync(file, text, mode);
  if (owner && process.getuid?.() === 0) fs.chownSync(file, owner.uid, owner.gid);
}

/** The number of the last commit that can be undone, or null. */
export function lastDoneCommit(p: VmPaths): number | null {
  const done = commitNumbers(p).filter((n) => readRecord(p, n)?.state === 'done');
  return done.length ? done[done.length - 1] : null;
}

/** A commit record for a commit of registry keys only (no file operations), already done. */
export function recordRegistryOnlyCommit(p: VmPaths): number {
  const nums = commitNumbers(p);
  const n = (nums.length ? nums[nums.length - 1] : 0) + 1;
  writeRecord(p, { n, created: new Date().toISOString(), state: 'done', ops: [], changes: [] });
  return n;
}

/** Applies a planned registry commit as part of commit number `n`. */
export function applyRegistryCommit(p: VmPaths, n: number, plan: readonly HiveCommit[]): void {
  const dir = registryDir(p, n);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const c of plan) {
    const base = path.join(dir, partName(c));
    writeFileAtomicSync(`${base}.undo`, c.undo, 0o600);
    writeFileAtomicSync(`${base}.merged`, c.merged, 0o600);
    writeFileAtomicSync(`${base}.remaining`, c.remaining, 0o600);
  }
  for (const c of plan) finishHive(p, c.rec, c.hive, path.join(dir, partName(c)));
}

/** Host write, then the VM's state over the new host hive, then the marker. Idempotent. */
function finishHive(p: VmPaths, rec: PrefixRecord, h: HiveFile, base: string): void {
  const file = hivePaths(rec.path)[h];
  const merged = fs.readFileSync(`${base}.merged`, 'utf8');
  writeHostHive(file, merged);
  const st = new PrefixState(prefixStateDir(p, rec));
  const host = readHostHive(file, h);
  st.writeDelta(h, parseDelta(fs.readFileSync(`${base}.remaining`, 'utf8'), { label: `${base}.remaining` }));
  st.writeBase(h, merged);
  const stamps = st.readStamps();
  stamps[h] = { ...stamps[h], host: host.stat ? stampOf(host.stat) : null };
  st.writeStamps(stamps);
  fs.writeFileSync(`${base}.done`, '');
}

interface Part {
  readonly rec: PrefixRecord;
  readonly hive: HiveFile;
  /** Path of the part's files without their extension. */
  readonly base: string;
}

/** The parts of a commit's registry folder (`<prefix id>-<hive>.undo` …) whose prefix the VM still follows. */
function parts(p: VmPaths, dir: string): Part[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const recs = new Map(loadPrefixes(p).map((r) => [r.id, r]));
  return names.flatMap((f) => {
    const m = /^(p[0-9]+)-(system\.reg|user\.reg|userdef\.reg)\.undo$/.exec(f);
    const rec = m ? recs.get(m[1]) : undefined;
    return m && rec ? [{ rec, hive: m[2] as HiveFile, base: path.join(dir, f.slice(0, -'.undo'.length)) }] : [];
  });
}

/** Refuses an uncommit of commit `n` while a host wineserver serves one of its prefixes. */
export function assertUncommitPossible(p: VmPaths, n: number): void {
  for (const x of parts(p, registryDir(p, n))) assertHostIdle(x.rec.path);
}

/** Puts the host's hives back as they were before commit `n`; the VM keeps its view. */
export function undoRegistryCommit(p: VmPaths, n: number): number {
  let count = 0;
  for (const x of parts(p, registryDir(p, n))) {
    if (fs.existsSync(`${x.base}.undone`)) continue;
    const file = hivePaths(x.rec.path)[x.hive];
    const host = readHostHive(file, x.hive);
    const undo = parseDelta(fs.readFileSync(`${x.base}.undo`, 'utf8'), { label: `${x.base}.undo` });
    const st = new PrefixState(prefixStateDir(p, x.rec));
    // The VM's view over the committed host, kept as it is over the restored one.
    const vmView = view(host.hive, st.readDelta(x.hive, host.hive));
    const restored = serializeWineReg(unmerge(host.hive, undo));
    writeHostHive(file, restored);
    st.writeDelta(x.hive, harvest(parseHive(restored, file), vmView, { ignoreNoise: true }));
    st.writeBase(x.hive, restored);
    const after = readHostHive(file, x.hive);
    const stamps = st.readStamps();
    stamps[x.hive] = { ...stamps[x.hive], host: after.stat ? stampOf(after.stat) : null };
    st.writeStamps(stamps);
    fs.writeFileSync(`${x.base}.undone`, '');
    count++;
  }
  return count;
}

/**
 * Finishes registry parts a crash interrupted: a committed record whose hives are not all
 * marked done, or an undone record whose hives are not all marked undone.
 */
export function recoverRegistryCommits(p: VmPaths): void {
  for (const n of commitNumbers(p)) {
    const dir = registryDir(p, n);
    if (!fs.existsSync(dir)) continue;
    const state = readRecord(p, n)?.state;
    const list = parts(p, dir);
    if (state === 'done') {
      for (const x of list) {
        if (!fs.existsSync(`${x.base}.done`) && fs.existsSync(`${x.base}.remaining`) && fs.existsSync(`${x.base}.merged`)) finishHive(p, x.rec, x.hive, x.base);
      }
    } else if (state === 'undone') {
      if (list.some((x) => !fs.existsSync(`${x.base}.undone`))) undoRegistryCommit(p, n);
    }
  }
}
