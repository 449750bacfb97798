/**
 * A VM's Windows registry: Wine's hives renamed key by key (DESIGN.md §6).
 *
 * For every prefix the VM follows, the VM's registry is a delta over the host's hives. Before a
 * program runs, the VM's hive files are made to read host ⊕ delta ⊖ deletions ("present"); after
 * its wineserver has exited and saved, what Wine wrote is folded back into the delta
 * ("harvest"). A host change to a key the VM never touched is therefore visible on the VM's next
 * run, which a file-level copy of system.reg could never give.
 *
 * Nothing here touches a hive while a wineserver runs for it: in the VM, such a server owns the
 * files and would overwrite them (harvest waits, writes are refused with REGISTRY_BUSY); on the
 * host, commit and uncommit are refused the same way.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FvmError } from '../../shared/errors.js';
import type { RegistryChange, RegistryKeyInfo, RegWritableType } from '../../shared/types.js';
import { HIVE_FILES, hkcrWriteTarget, parseKeyPath, toUserPath, type HiveFile, type HiveKeyRef, type RegView } from '../../registry/key-path.js';
import { USER_SID, filetimeFromDate, type RegHive, type RegValue } from '../../registry/reg-model.js';
import { applyDeleteKey, applyDeleteValue, applyWrite, view, type RegDelta } from '../../registry/reg-delta.js';
import { harvest } from '../../registry/reg-harvest.js';
import { diff as regDiff } from '../../registry/reg-diff.js';
import { indexHive, subkeyIds } from '../../registry/reg-index.js';
import { foldName, keyId } from '../../registry/reg-names.js';
import { serializeWineReg } from '../../registry/wine-reg-serializer.js';
import { describeValue, parseValueData } from '../../registry/reg-value-text.js';
import { regeditEntries } from '../../registry/regedit-entries.js';
import { formatRegedit, parseRegedit, type RegeditVersion } from '../../registry/regedit-format.js';
import { editHive, type HiveEdit } from '../../registry/hive-edit.js';
import type { VmPaths } from '../repository.js';
import { writeFileAtomicSync } from '../atomic-write.js';
import { ensurePrefix, findPrefix, hivePaths, loadPrefixes, prefixStateDir, type PrefixRecord } from './wine-prefixes.js';
import { isEmptyDelta, parseHive, PrefixState, readHostHive, textHash, type HostHive } from './prefix-state.js';
import { readVmFile, resolveVmFile, sameStamp, stampOf } from '../vm-file.js';
import type { VmWineServer } from './wine-servers.js';

/** Writes a file inside the running VM, through its mounts (never into an upper tree behind them). */
export type VmFileWriter = (hostPath: string, bytes: Buffer) => Promise<void>;

/** One hive of one prefix, as the VM sees it now. */
export interface HiveView {
  readonly rec: PrefixRecord;
  readonly hive: HiveFile;
  readonly host: HostHive;
  readonly delta: RegDelta;
  readonly view: RegHive;
}

/** Lazily built hive views of one prefix. */
interface HiveViews {
  get(h: HiveFile): HiveView;
}

/** Largest .reg file `fvm reg import` reads (a whole exported system.reg is about 4 MB in UTF-16). */
const MAX_IMPORT_BYTES = 256 * 1024 * 1024;

function now(): bigint {
  return filetimeFromDate(new Date());
}

export class VmRegistry {
  /**
   * @param p the VM's folders
   * @param home the VM owner's $HOME (Wine's default prefix is `$HOME/.wine`)
   * @param servers the wineservers running in the VM now (none when it is stopped)
   */
  constructor(
    private readonly p: VmPaths,
    private readonly home: string,
    private readonly servers: () => readonly VmWineServer[],
  ) {}

  defaultPrefix(): string {
    return path.join(this.home, '.wine');
  }

  prefixes(): PrefixRecord[] {
    return loadPrefixes(this.p);
  }

  /** Starts following a prefix (idempotent). */
  follow(prefixPath: string): PrefixRecord {
    return ensurePrefix(this.p, prefixPath);
  }

  /** The prefix a command names (default ~/.wine): recorded, or present in the VM's view. */
  prefixFor(prefix?: string): PrefixRecord {
    const target = path.resolve(prefix ?? this.defaultPrefix());
    const known = findPrefix(this.p, target);
    if (known) return known;
    const paths = hivePaths(target);
    if (HIVE_FILES.some((h) => resolveVmFile(this.p, paths[h]).where !== 'absent')) return ensurePrefix(this.p, target);
    throw new FvmError(
      'REGISTRY_NO_PREFIX',
      `the VM has no Wine prefix at ${target}`,
      'Run a Wine program in the VM first (e.g. fvm run VM -- wineboot -i), or name the prefix with --prefix.',
    );
  }

  private state(rec: PrefixRecord): PrefixState {
    return new PrefixState(prefixStateDir(this.p, rec));
  }

  /** True when a wineserver in the VM serves this prefix (its files are not to be read or written). */
  busy(rec: PrefixRecord): boolean {
    return this.servers().some((s) => s.prefix === rec.path);
  }

  private assertNotBusy(rec: PrefixRecord, what: string): void {
    if (!this.busy(rec)) return;
    throw new FvmError(
      'REGISTRY_BUSY',
      `cannot ${what} the registry of ${rec.path} while a Wine program runs for it in the VM`,
      'Wait for the Wine programs to end (or stop the VM), then try again: their wineserver would overwrite the change.',
    );
  }

  /** Records every prefix a wineserver of the VM serves (prefixes made inside the VM among them). */
  discover(): void {
    for (const s of this.servers()) ensurePrefix(this.p, s.prefix);
  }

  // ---------------------------------------------------------------- harvest and present --

  /**
   * Folds what Wine wrote in the VM into the delta, for each hive file the VM rewrote since FVM
   * last looked. Skipped while a wineserver in the VM serves the prefix. Returns the hives read.
   */
  harvest(rec: PrefixRecord): HiveFile[] {
    if (this.busy(rec)) return [];
    const st = this.state(rec);
    const stamps = st.readStamps();
    const paths = hivePaths(rec.path);
    const done: HiveFile[] = [];
    for (const h of HIVE_FILES) {
      const vf = resolveVmFile(this.p, paths[h]);
      if (vf.where !== 'vm') continue;
      const cur = stampOf(vf.stat);
      if (sameStamp(stamps[h]?.vm, cur)) continue;
      let base = st.readBase(h);
      let hostStamp = stamps[h]?.host ?? null;
      if (!base) {
        // Copied up by the overlay before FVM ever showed the VM a view: the host's hive is its base.
        const host = readHostHive(paths[h], h);
        base = host.hive;
        if (host.bytes) st.writeBase(h, host.bytes);
        hostStamp = host.stat ? stampOf(host.stat) : null;
      }
      const read = readVmFile(this.p, paths[h]);
      if (!read) continue;
      const target = parseHive(read.bytes, `${paths[h]} (in the VM)`);
      const text = st.writeDelta(h, harvest(base, target, { ignoreNoise: true }));
      stamps[h] = { host: hostStamp, vm: read.file.where === 'absent' ? null : stampOf(read.file.stat), delta: textHash(text) };
      done.push(h);
    }
    if (done.length) st.writeStamps(stamps);
    return done;
  }

  /**
   * Makes the VM's hive files read host ⊕ delta, where the host's hive or the delta changed since
   * they were last written. A hive with no delta and no copy in the VM is left alone: the VM
   * reads the host's own file through the overlay.
   */
  async present(rec: PrefixRecord, write: VmFileWriter): Promise<HiveFile[]> {
    if (this.busy(rec)) return [];
    const st = this.state(rec);
    const stamps = st.readStamps();
    const paths = hivePaths(rec.path);
    const done: HiveFile[] = [];
    for (const h of HIVE_FILES) {
      const vf = resolveVmFile(this.p, paths[h]);
      if (vf.where === 'absent') continue;
      const deltaText = st.deltaText(h);
      if (!deltaText && vf.where === 'host') continue;
      // A prefix the VM made itself: its own file is the whole truth.
      const hostStat = regularFileStat(paths[h]);
      if (!hostStat) continue;
      const s = stamps[h] ?? {};
      const hash = textHash(deltaText);
      // Stat first: parsing a 1.7 MB hive on every run would cost more than the run itself.
      if (vf.where === 'vm' && sameStamp(s.vm, stampOf(vf.stat)) && sameStamp(s.host, stampOf(hostStat)) && s.delta === hash) continue;
      const host = readHostHive(paths[h], h);
      if (!host.bytes || !host.stat) continue;
      const bytes = deltaText ? Buffer.from(serializeWineReg(view(host.hive, st.readDelta(h, host.hive)))) : host.bytes;
      // Base first: if FVM dies before the stamp is written, the next harvest compares the VM's
      // new file with the base it was made from.
      st.writeBase(h, host.bytes);
      await write(paths[h], bytes);
      const after = resolveVmFile(this.p, paths[h]);
      stamps[h] = { host: stampOf(host.stat), vm: after.where === 'absent' ? null : stampOf(after.stat), delta: hash };
      st.writeStamps(stamps);
      done.push(h);
    }
    return done;
  }

  /** Before a program runs: harvest what is pending, then present the current view. */
  async beforeRun(extraPrefixes: readonly string[], write: VmFileWriter): Promise<void> {
    this.follow(this.defaultPrefix());
    for (const x of extraPrefixes) this.follow(x);
    for (const rec of this.prefixes()) {
      // A hive the VM garbled is left as it is (Wine will not load it either); `fvm reg` names it.
      if (!unlessUnreadable(() => this.harvest(rec))) continue;
      await this.present(rec, write);
    }
  }

  /** After the VM's wineservers have exited (or when the VM stopped): harvest every prefix. */
  afterRun(): void {
    this.discover();
    for (const rec of this.prefixes()) unlessUnreadable(() => this.harvest(rec));
  }

  // ------------------------------------------------------------------------- the view --

  /** One hive as the VM sees it (after a harvest of what Wine wrote). */
  hiveView(rec: PrefixRecord, h: HiveFile): HiveView {
    const host = readHostHive(hivePaths(rec.path)[h], h);
    const delta = this.state(rec).readDelta(h, host.hive);
    return { rec, hive: h, host, delta, view: view(host.hive, delta) };
  }

  /** The hives of a prefix as the VM sees them, each parsed only when first asked for. */
  private views(rec: PrefixRecord): HiveViews {
    this.harvest(rec);
    const made = new Map<HiveFile, HiveView>();
    return {
      get: (h) => {
        let v = made.get(h);
        if (!v) made.set(h, (v = this.hiveView(rec, h)));
        return v;
      },
    };
  }

  query(opts: { prefix?: string; key: string; view?: RegView; recursive?: boolean }): { prefix: string; keys: RegistryKeyInfo[] } {
    const rec = this.prefixFor(opts.prefix);
    if (/^(hku|hkey_users)\\?$/i.test(opts.key)) {
      // HKU is no hive: it lists the two users Wine keeps, each a hive of its own.
      return { prefix: rec.path, keys: [{ key: 'HKU', values: [], subkeys: ['.Default', USER_SID] }] };
    }
    const views = this.views(rec);
    const resolved = parseKeyPath(opts.key, { view: opts.view });
    const hits = resolved.targets.filter((t) => t.path.length === 0 || indexHive(views.get(t.hive).view).all.has(keyId(t.path)));
    if (hits.length === 0) throw notFound(opts.key, rec.path);
    const keys: RegistryKeyInfo[] = [];
    const top = keyInfo(views, hits, opts.key);
    keys.push(top);
    if (opts.recursive) {
      // Depth-first, siblings in Wine's order, as `reg query /s` lists them.
      const walk = (refs: readonly HiveKeyRef[], label: string): void => {
        for (const name of keyInfo(views, refs, label).subkeys) {
          const sub = refs.map((r) => ({ hive: r.hive, path: [...r.path, name] })).filter((r) => indexHive(views.get(r.hive).view).all.has(keyId(r.path)));
          const subLabel = `${label}\\${name}`;
          keys.push(keyInfo(views, sub, subLabel));
          walk(sub, subLabel);
        }
      };
      walk(hits, top.key);
    }
    return { prefix: rec.path, keys };
  }

  /** Creates a key (and its parents) and sets one value on it, in the VM's delta. */
  add(opts: { prefix?: string; key: string; view?: RegView; value?: { name: string; type: RegWritableType; data: string } }): { prefix: string; key: string } {
    const rec = this.prefixFor(opts.prefix);
    this.assertNotBusy(rec, 'change');
    const views = this.views(rec);
    const resolved = parseKeyPath(opts.key, { view: opts.view });
    const inUser = resolved.targets.length > 1 && indexHive(views.get(resolved.targets[0].hive).view).all.has(keyId(resolved.targets[0].path));
    const target = hkcrWriteTarget(resolved, inUser);
    const values: RegValue[] = opts.value ? [parseValueData(opts.value.name, opts.value.type, opts.value.data)] : [];
    const hv = views.get(target.hive);
    this.state(rec).writeDelta(target.hive, applyWrite(hv.host.hive, hv.delta, target.path, values, now()));
    return { prefix: rec.path, key: toUserPath(target) };
  }

  /** Deletes a key with its subtree, or one value, from the VM's view (logged in the delta). */
  delete(opts: { prefix?: string; key: string; view?: RegView; value?: string }): { prefix: string; key: string; value?: string } {
    const rec = this.prefixFor(opts.prefix);
    this.assertNotBusy(rec, 'change');
    const views = this.views(rec);
    const resolved = parseKeyPath(opts.key, { view: opts.view });
    const target = resolved.targets.find((t) => indexHive(views.get(t.hive).view).all.has(keyId(t.path)));
    if (!target) throw notFound(opts.key, rec.path);
    const hv = views.get(target.hive);
    const next =
      opts.value !== undefined
        ? applyDeleteValue(hv.host.hive, hv.delta, target.path, opts.value, now())
        : applyDeleteKey(hv.host.hive, hv.delta, target.path, now());
    this.state(rec).writeDelta(target.hive, next);
    return { prefix: rec.path, key: toUserPath(target), ...(opts.value !== undefined ? { value: opts.value } : {}) };
  }

  /** Changes of the VM's registries against the host's hives, noise hidden unless asked for. */
  diff(opts: { prefix?: string; includeNoise?: boolean } = {}): RegistryChange[] {
    const recs = opts.prefix ? [this.prefixFor(opts.prefix)] : this.prefixes();
    const out: RegistryChange[] = [];
    for (const rec of recs) {
      this.harvest(rec);
      for (const h of HIVE_FILES) {
        const hv = this.hiveView(rec, h);
        if (isEmptyDelta(hv.delta)) continue;
        // A hive the host lacks (a prefix made in the VM) is a new file in the file diff; its
        // thousands of keys are listed only when that prefix is asked for by name.
        if (!hv.host.bytes && !opts.prefix) continue;
        out.push(...toChanges(rec, h, regDiff(hv.host.hive, hv.delta, { includeNoise: opts.includeNoise, hive: h })));
      }
    }
    return out;
  }

  /** Writes a key and its subtree from the VM's view as a regedit .reg file. */
  exportKey(opts: { prefix?: string; key: string; file: string; view?: RegView; format?: RegeditVersion }): { prefix: string; file: string; keys: number } {
    const rec = this.prefixFor(opts.prefix);
    const views = this.views(rec);
    const resolved = parseKeyPath(opts.key, { view: opts.view });
    const hits = resolved.targets.filter((t) => t.path.length === 0 || indexHive(views.get(t.hive).view).all.has(keyId(t.path)));
    if (hits.length === 0) throw notFound(opts.key, rec.path);
    // HKCR reads the user's classes over the machine's: export the machine's first, so the user's win on import.
    const entries = [...hits].reverse().flatMap((t) => regeditEntries(views.get(t.hive).view, t.hive, t.path));
    const bytes = formatRegedit({ version: opts.format ?? 'v5', entries });
    try {
      writeFileAtomicSync(opts.file, Buffer.from(bytes));
    } catch (err) {
      throw new FvmError('IO_ERROR', `cannot write ${opts.file}: ${(err as Error).message}`, 'Choose a file in a directory you can write.');
    }
    return { prefix: rec.path, file: opts.file, keys: entries.length };
  }

  /** Applies a regedit .reg file (v5 or REGEDIT4) to the VM's view. Nothing changes if it is invalid. */
  importFile(opts: { prefix?: string; file: string }): { prefix: string; keys: number; values: number } {
    const rec = this.prefixFor(opts.prefix);
    this.assertNotBusy(rec, 'change');
    let bytes: Buffer;
    try {
      const st = fs.statSync(opts.file);
      if (!st.isFile()) throw new Error('not a regular file');
      if (st.size > MAX_IMPORT_BYTES) throw new FvmError('INVALID_ARGUMENT', `${opts.file} is larger than ${MAX_IMPORT_BYTES} bytes`, 'Split the .reg file.');
      bytes = fs.readFileSync(opts.file);
    } catch (err) {
      if (err instanceof FvmError) throw err;
      throw new FvmError('IO_ERROR', `cannot read ${opts.file}: ${(err as Error).message}`, 'Name a .reg file you can read.');
    }
    const parsed = parseRegedit(bytes);
    const views = this.views(rec);
    const edits = new Map<HiveFile, HiveEdit[]>();
    let keys = 0;
    let values = 0;
    for (const e of parsed.entries) {
      const resolved = parseKeyPath([e.root, ...e.path].join('\\'));
      if (e.kind === 'delete-key') {
        for (const t of resolved.targets) push(edits, t.hive, { kind: 'delete-key', path: t.path });
        keys++;
        continue;
      }
      const inUser = resolved.targets.length > 1 && indexHive(views.get(resolved.targets[0].hive).view).all.has(keyId(resolved.targets[0].path));
      const t = hkcrWriteTarget(resolved, inUser);
      const set = e.values.flatMap((v) => (v.kind === 'set' ? [v.value] : []));
      const remove = e.values.flatMap((v) => (v.kind === 'delete' ? [v.name] : []));
      push(edits, t.hive, { kind: 'key', path: t.path, set, remove });
      keys++;
      values += e.values.length;
    }
    // Compute every hive first, then write: an error in one leaves all of them as they were.
    const time = now();
    const next = [...edits].map(([h, list]) => {
      const hv = views.get(h);
      return [h, harvest(hv.host.hive, editHive(hv.view, list, time))] as const;
    });
    const st = this.state(rec);
    for (const [h, d] of next) st.writeDelta(h, d);
    return { prefix: rec.path, keys, values };
  }
}

/** Runs a harvest; false when a hive in the VM is not one Wine could have written (REGISTRY_PARSE). */
function unlessUnreadable(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (err) {
    if (err instanceof FvmError && err.code === 'REGISTRY_PARSE') return false;
    throw err;
  }
}

function regularFileStat(file: string): fs.Stats | null {
  try {
    const st = fs.lstatSync(file);
    return st.isFile() ? st : null;
  } catch {
    return null;
  }
}

function push(map: Map<HiveFile, HiveEdit[]>, h: HiveFile, e: HiveEdit): void {
  const list = map.get(h);
  if (list) list.push(e);
  else map.set(h, [e]);
}

function notFound(key: string, prefix: string): FvmError {
  return new FvmError('REGISTRY_KEY_NOT_FOUND', `registry key not found: ${key} (prefix ${prefix})`, 'Check the path; `fvm reg query VM HKCU\\Software` lists the subkeys of a key.');
}

/** A key's values and subkeys over its targets (HKCR: the user's classes over the machine's). */
function keyInfo(views: HiveViews, refs: readonly HiveKeyRef[], label: string): RegistryKeyInfo {
  const values = new Map<string, RegValue>();
  const subkeys = new Map<string, string>();
  let cased = label;
  for (const ref of [...refs].reverse()) {
    const hv = views.get(ref.hive).view;
    const index = indexHive(hv);
    const id = keyId(ref.path);
    const k = index.written.get(id);
    for (const v of k?.values ?? []) values.set(foldName(v.name), v);
    for (const sid of subkeyIds(hv, ref.path)) {
      const p = index.all.get(sid);
      if (p) subkeys.set(sid, p[p.length - 1]);
    }
    if (refs.length === 1) {
      const p = id === '' ? [] : index.all.get(id);
      if (p) cased = toUserPath({ hive: ref.hive, path: p });
    }
  }
  return { key: cased, values: [...values.values()].map(describeValue), subkeys: [...subkeys.values()] };
}

function toChanges(rec: PrefixRecord, h: HiveFile, list: ReturnType<typeof regDiff>): RegistryChange[] {
  return list.map((c) => ({
    prefix: rec.path,
    kind: c.kind,
    key: toUserPath({ hive: h, path: c.path }),
    ...(c.value !== undefined ? { value: c.value } : {}),
    ...(c.before ? { before: describeValue(c.before) } : {}),
    ...(c.after ? { after: describeValue(c.after) } : {}),
  }));
}

export { toChanges as registryChanges };
