/**
 * The upper-tree scan (one `find -printf` process, parsed into columns) and the merged walk and
 * diff built on it, against a plain reference written here: readdir, lstat and readlink per
 * entry, names sorted with Array.prototype.sort, overlayfs's merge rules spelled out. Odd names
 * (newline, backslash, spaces, a name that is not UTF-8), symlinks, whiteouts, opaque dirs,
 * sockets' cousins (FIFOs), unreadable dirs, sort-order traps ("a" beside "a-b") and
 * directories large enough to be listed instead of lstat'ed per name.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Change } from '../../../src/shared/types.js';
import { diffVm } from '../../../src/fvm-core/diff.js';
import { walkUpper } from '../../../src/fvm-core/upper-walk.js';
import { sortByTail } from '../../../src/fvm-core/sibling-sort.js';
import { vmPaths } from '../../../src/fvm-core/repository.js';
import { makeWhiteout } from '../../../src/fvm-core/tree-ops.js';
import { findOpaqueDirs, setOpaque } from '../../../src/redirect/xattr.js';
import { mirrorMode } from '../../../src/redirect/mount-plan.js';

const asRoot = process.getuid?.() === 0;

// ---- the reference: what the engine did before the scan, one lstat per entry ----------------

interface RefEntry {
  host: string;
  upper: string;
  kind: string;
  opaque: boolean;
  owned: boolean;
  st: fs.Stats;
}

function kindOf(st: fs.Stats): string {
  if (st.isCharacterDevice() && st.rdev === 0) return 'whiteout';
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

/** Names of a directory that Node strings can name (the rest cannot be acted on anyway). */
function namesOf(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { encoding: 'buffer' }).flatMap((b) => {
      const s = b.toString('utf8');
      return Buffer.from(s).equals(b) ? [s] : [];
    });
  } catch {
    return [];
  }
}

function allDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of namesOf(d)) {
      const p = `${d}/${n}`;
      if (lstatOrNull(p)?.isDirectory()) {
        out.push(p);
        walk(p);
      }
    }
  };
  walk(root);
  return out;
}

function referenceWalk(roots: readonly string[], onlyOverHostDirs: boolean): RefEntry[] {
  const hostOf = (d: string) => d.slice((roots.find((r) => d.startsWith(`${r}/`)) ?? roots[0]).length);
  const opaque = findOpaqueDirs(roots.flatMap(allDirs).filter((d) => !onlyOverHostDirs || lstatOrNull(hostOf(d))?.isDirectory() === true));
  const out: RefEntry[] = [];
  const walk = (host: string, sources: Array<{ dir: string; owned: boolean }>) => {
    const names = new Set<string>();
    for (const s of sources) for (const n of namesOf(s.dir)) names.add(n);
    for (const name of [...names].sort()) {
      const h = host === '/' ? `/${name}` : `${host}/${name}`;
      const i = sources.findIndex((s) => lstatOrNull(`${s.dir}/${name}`));
      if (i < 0) continue;
      const top = { path: `${sources[i].dir}/${name}`, st: lstatOrNull(`${sources[i].dir}/${name}`) as fs.Stats, owned: sources[i].owned };
      const kind = kindOf(top.st);
      const below: Array<{ dir: string; owned: boolean }> = [];
      let isOpaque = false;
      if (kind === 'dir') {
        for (let j = i; j < sources.length; j++) {
          const p = `${sources[j].dir}/${name}`;
          const st = lstatOrNull(p);
          if (!st) continue;
          if (!st.isDirectory()) break;
          below.push({ dir: p, owned: sources[j].owned });
          if (opaque.has(p)) {
            isOpaque = true;
            break;
          }
        }
      }
      out.push({ host: h, upper: top.path, kind, opaque: isOpaque, owned: top.owned, st: top.st });
      if (kind === 'dir') walk(h, below);
    }
  };
  walk('/', roots.map((dir, i) => ({ dir, owned: i === 0 })));
  return out;
}

function entryType(st: fs.Stats): Change['type'] {
  return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
}

function referenceDiff(roots: readonly string[]): Change[] {
  const uid = process.getuid?.() ?? 0;
  const entries = referenceWalk(roots, true);
  const changes: Change[] = [];
  const added = new Set<string>();
  for (const e of entries) {
    const hst = added.has(path.dirname(e.host)) ? null : lstatOrNull(e.host);
    if (e.kind === 'whiteout') {
      if (hst) changes.push({ kind: 'deleted', path: e.host, type: entryType(hst), size: 0 });
      continue;
    }
    const type = e.kind as Change['type'];
    if (!hst) {
      if (e.kind === 'dir') added.add(e.host);
      changes.push({ kind: 'added', path: e.host, type, size: e.kind === 'file' ? e.st.size : 0 });
      continue;
    }
    if (e.kind === 'dir') {
      if (!hst.isDirectory()) {
        added.add(e.host);
        changes.push({ kind: 'modified', path: e.host, type: 'dir', size: 0 });
        continue;
      }
      const um = e.st.mode & 0o7777;
      const mirrored = mirrorMode({ type: 'dir', mode: hst.mode, uid: hst.uid, gid: hst.gid, enterable: true }, uid, asRoot);
      const ownerDiff = asRoot && (e.st.uid !== hst.uid || e.st.gid !== hst.gid);
      if ((um !== (hst.mode & 0o7777) && um !== mirrored) || ownerDiff) changes.push({ kind: 'modified', path: e.host, type: 'dir', size: 0 });
      if (e.opaque) {
        const mine = new Set(entries.filter((x) => path.dirname(x.host) === e.host).map((x) => path.basename(x.host)));
        for (const n of fs.readdirSync(e.host).sort()) {
          const cst = mine.has(n) ? null : lstatOrNull(path.join(e.host, n));
          if (cst) changes.push({ kind: 'deleted', path: path.join(e.host, n), type: entryType(cst), size: 0 });
        }
      }
      continue;
    }
    const same =
      entryType(hst) === type &&
      !(asRoot && (e.st.uid !== hst.uid || e.st.gid !== hst.gid)) &&
      (e.kind === 'symlink'
        ? fs.readlinkSync(e.upper) === fs.readlinkSync(e.host)
        : (e.st.mode & 0o7777) === (hst.mode & 0o7777) && e.kind === 'file' && e.st.size === hst.size && fs.readFileSync(e.upper).equals(fs.readFileSync(e.host)));
    if (!same) changes.push({ kind: 'modified', path: e.host, type, size: e.kind === 'file' ? e.st.size : 0 });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// ---- the trees ---------------------------------------------------------------------------

const ODD = ['plain', 'a', 'a b', 'a-b', 'a.b', 'a0', 'new\nline', 'back\\slash', ' lead', 'tab\there', 'ü', '日本', '\u{1F600}', 'z'];

describe('upper tree scan, merged walk and diff', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fvm-scan-unit-'));
  const host = path.join(tmp, 'host');
  const p = vmPaths(path.join(tmp, 'repo'), 'vm1');
  const layer = path.join(tmp, 'repo', 'layers', 'l1', 'fs');
  const up = (root: string, h: string) => path.join(root, h);
  const H = (rel: string) => path.join(host, rel);

  beforeAll(() => {
    // The host: a tree the VM's upper trees change.
    for (const n of ODD) {
      fs.mkdirSync(H(`dir/${n}`), { recursive: true });
      fs.writeFileSync(H(`dir/${n}/f`), 'host\n');
    }
    fs.mkdirSync(H('big'));
    for (let i = 0; i < 40; i++) fs.writeFileSync(H(`big/h${i}`), `host ${i}\n`);
    fs.mkdirSync(H('replaced/inner'), { recursive: true });
    fs.writeFileSync(H('replaced/inner/x'), 'x');
    fs.writeFileSync(H('same.txt'), 'same\n');
    fs.symlinkSync('target-a', H('link'));
    fs.writeFileSync(H('was-file'), 'file\n');

    // The VM's own tree.
    const own = (h: string) => up(p.fs, host + (h ? `/${h}` : ''));
    fs.mkdirSync(own('dir'), { recursive: true });
    for (const n of ODD) {
      fs.mkdirSync(own(`dir/${n}`));
      fs.writeFileSync(own(`dir/${n}/f`), `vm ${n}\n`);
      fs.writeFileSync(own(`dir/${n}/new`), 'new\n');
      fs.mkdirSync(own(`new/${n}/deeper`), { recursive: true });
      fs.writeFileSync(own(`new/${n}/deeper/${n}`), 'x'.repeat(ODD.indexOf(n)));
    }
    fs.writeFileSync(Buffer.from(`${own('dir')}/bad-\xff-name`, 'latin1'), 'not utf-8\n');
    fs.mkdirSync(Buffer.from(`${own('new')}/bad-dir-\xfe`, 'latin1'));
    fs.writeFileSync(Buffer.from(`${own('new')}/bad-dir-\xfe/inside`, 'latin1'), 'hidden\n');
    fs.mkdirSync(own('big'));
    for (let i = 0; i < 60; i += 2) fs.writeFileSync(own(`big/h${i}`), i % 4 === 0 ? `host ${i}\n` : 'changed\n');
    for (let i = 0; i < 30; i++) fs.writeFileSync(own(`big/v${i}`), 'vm\n');
    makeWhiteout(own('big/h1'));
    makeWhiteout(own('big/never-there'));
    fs.mkdirSync(own('replaced'));
    setOpaque(own('replaced'), true);
    fs.writeFileSync(own('replaced/fresh'), 'fresh\n');
    fs.copyFileSync(H('same.txt'), own('same.txt'));
    fs.symlinkSync('target-b', own('link'));
    fs.symlinkSync('/etc/passwd', own('abs-link'));
    fs.symlinkSync('dangling/nowhere', own('dangling'));
    fs.mkdirSync(own('was-file'));
    fs.writeFileSync(own('was-file/child'), 'c\n');
    execFileSync('mkfifo', [own('fifo')]);
    fs.mkdirSync(own('locked/inner'), { recursive: true });
    fs.writeFileSync(own('locked/inner/x'), 'x');
    fs.chmodSync(own('locked'), 0o311); // searchable, not listable (for a plain user)
    fs.mkdirSync(own('old'));
    fs.utimesSync(own('old'), new Date(-1500), new Date(-1500));

    // A shared layer below it: hidden by a whiteout, by a file and by an opaque dir, or shown.
    const low = (h: string) => up(layer, host + (h ? `/${h}` : ''));
    fs.mkdirSync(low('dir/plain'), { recursive: true });
    fs.writeFileSync(low('dir/plain/from-layer'), 'layer\n');
    fs.mkdirSync(low('big'));
    fs.writeFileSync(low('big/h1'), 'layer h1\n');
    fs.mkdirSync(low('replaced'), { recursive: true });
    fs.writeFileSync(low('replaced/layer-only'), 'hidden by opaque\n');
    fs.mkdirSync(low('layer-dir/sub'), { recursive: true });
    fs.writeFileSync(low('layer-dir/sub/f'), 'layer\n');
    fs.writeFileSync(low('same.txt'), 'hidden by the own copy\n');
    fs.mkdirSync(low('link'));
    fs.writeFileSync(low('link/under-a-symlink'), 'hidden\n');
  });

  afterAll(() => {
    execFileSync('/bin/chmod', ['-R', 'u+rwx', tmp]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const view = (e: { host: string; upper: string; kind: string; opaque: boolean; owned: boolean }, st: { mode: number; uid: number; gid: number; size: number; mtimeMs: number }, target: string | undefined) => [
    e.host,
    e.upper,
    e.kind,
    e.opaque,
    e.owned,
    st.mode,
    st.uid,
    st.gid,
    st.size,
    st.mtimeMs,
    target,
  ];

  for (const [label, layers] of [
    ['one tree', [] as string[]],
    ['a tree over a shared layer', [layer]],
  ] as const) {
    for (const onlyOverHostDirs of [false, true]) {
      it(`walks ${label} as the lstat reference does (opaque markers ${onlyOverHostDirs ? 'over host dirs' : 'everywhere'})`, () => {
        const want = referenceWalk([p.fs, ...layers], onlyOverHostDirs).map((e) => view(e, e.st, e.kind === 'symlink' ? fs.readlinkSync(e.upper) : undefined));
        for (const scan of ['find', 'lstat'] as const) {
          const got = walkUpper(p.fs, layers, { opaqueOnlyOverHostDirs: onlyOverHostDirs, times: true, scan });
          expect(got.entries.map((e) => view(e, e.stat, e.target))).toEqual(want);
          expect([...got.opaque].sort()).toEqual(want.filter((e) => e[3]).map((e) => e[0] as string));
          for (const e of got.entries) expect(e.parent).toBe(path.dirname(e.host));
        }
      });
    }
  }

  it('leaves out names that are not UTF-8 and everything below them', () => {
    const hosts = walkUpper(p.fs).entries.map((e) => e.host);
    expect(hosts.some((h) => h.includes('bad-'))).toBe(false);
    expect(hosts).toContain(`${host}/dir/new\nline/f`);
  });

  it('diffs as the reference does, in path order', () => {
    for (const layers of [[], ['l1']]) {
      fs.writeFileSync(p.manifest, JSON.stringify({ layers }));
      const layerDirs = layers.map((l) => path.join(tmp, 'repo', 'layers', l, 'fs'));
      const d = diffVm(p);
      expect(d.changes).toEqual(referenceDiff([p.fs, ...layerDirs]));
      expect(d.entries.map((e) => [e.host, e.kind, e.opaque])).toEqual(referenceWalk([p.fs, ...layerDirs], true).map((e) => [e.host, e.kind, e.opaque]));
    }
    fs.rmSync(p.manifest);
  });

  it('sorts siblings as Array.prototype.sort sorts their names', () => {
    const alphabet = ['a', 'b', 'A', '.', '-', ' ', '0', '9', 'é', 'ÿ', 'Ā', '日', '\u{1F600}', '\uFFFF', '\u0001', 'z'];
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return Math.floor((seed / 0x80000000) * n); // the high bits: the low ones of this LCG cycle fast
    };
    for (let round = 0; round < 40; round++) {
      const set = new Set<string>();
      const size = round % 4 === 0 ? 3000 : rnd(200);
      while (set.size < size) {
        let s = '';
        for (let k = 0, len = 1 + rnd(8); k < len; k++) s += alphabet[rnd(round % 2 ? alphabet.length : 3)];
        set.add(s);
      }
      const names = [...set];
      const prefix = '/some/dir/';
      const text = names.map((n) => prefix + n).join('');
      const starts = new Int32Array(names.length);
      const ends = new Int32Array(names.length);
      let at = 0;
      names.forEach((n, i) => {
        starts[i] = at;
        at += prefix.length + n.length;
        ends[i] = at;
      });
      const items = names.map((_, i) => i);
      sortByTail(items, text, starts, ends, prefix.length);
      expect(items.map((i) => names[i])).toEqual([...names].sort());
    }
  });
});
