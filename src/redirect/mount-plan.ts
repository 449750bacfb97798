/**
 * The launcher's mount plan: typed operations computed in Node, applied in order by one script
 * (resources/fvm-init.sh) inside the VM's fresh user and mount namespaces.
 *
 * Why per-directory overlays: `lowerdir=/` is impossible for an unprivileged user because
 * inherited mounts are locked in a user namespace; a directory with child mounts becomes a
 * read-only tmpfs skeleton with one overlay or bind per entry (launcher.md §0, §1.3).
 */
import path from 'node:path';
import type { MountEntry } from './mountinfo.js';
import { hasChildMounts } from './mountinfo.js';
import { isWithin, upperPathOf } from './host-path.js';
import type { NetworkMode, Rule } from '../shared/types.js';
import { assertNever } from '../shared/errors.js';

export type MountOp =
  | { readonly kind: 'mkdir'; readonly target: string }
  | { readonly kind: 'touch'; readonly target: string }
  | { readonly kind: 'symlink'; readonly target: string; readonly linkTo: string }
  | { readonly kind: 'tmpfs'; readonly target: string; readonly mode: string; readonly readOnly: boolean }
  /**
   * `layers`: shared read-only layers between the VM's upper and the host, nearest first.
   * overlayfs refuses a lower layer inside another lower (ELOOP), and a layer lives in the
   * store, often inside the very host dir it is stacked on ($HOME, /tmp). An upper inside a
   * lower is allowed, so the oldest layer becomes the read-only upper of an inner overlay on
   * the host dir (at `stage`, with `layerWork`), and the VM's overlay stacks the newer layers
   * on that inner mount: stacking depth 2, the kernel's maximum.
   */
  | {
      readonly kind: 'overlay';
      readonly lower: string;
      readonly layers: readonly string[];
      readonly upper: string;
      readonly work: string;
      readonly target: string;
      readonly layerWork?: string;
      readonly stage?: string;
    }
  | { readonly kind: 'bind'; readonly source: string; readonly target: string; readonly readOnly: boolean }
  | { readonly kind: 'remount-ro'; readonly target: string }
  | { readonly kind: 'proc'; readonly target: string }
  | { readonly kind: 'sys'; readonly target: string }
  | { readonly kind: 'dev'; readonly target: string };

/** A directory the engine creates on the host before launch (an upper root or a workdir). */
export interface HostDir {
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface MountPlan {
  readonly hostDirs: readonly HostDir[];
  readonly ops: readonly MountOp[];
}

export interface HostStat {
  readonly type: 'dir' | 'file' | 'symlink' | 'socket' | 'other';
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly linkTarget?: string;
  /** Readable and searchable by the launching user. */
  readonly enterable: boolean;
}

/** What the planner may learn about the host; the real one reads the file system. */
export interface HostView {
  stat(p: string): HostStat | null;
  list(dir: string): string[];
  /** Whether the VM's upper tree holds a whiteout at this upper path. */
  isWhiteout(upperPath: string): boolean;
  /** Type of the entry at an upper path, or null. */
  upperStat(upperPath: string): HostStat | null;
}

export interface PlanInput {
  readonly host: HostView;
  readonly mounts: readonly MountEntry[];
  readonly fsDir: string;
  /** Upper trees of the VM's shared layers, nearest first. */
  readonly layerDirs?: readonly string[];
  /** The new root's mount point (layered overlays stage their inner mount below it). */
  readonly mntDir?: string;
  readonly workDir: string;
  readonly uid: number;
  readonly gid: number;
  /** Running as real root with every uid mapped. */
  readonly fullMap: boolean;
  readonly extraRoots: readonly string[];
  readonly rules: readonly Rule[];
  /** Hidden from the VM (the repository store). */
  readonly storeDir: string;
  readonly home: string;
  readonly runtimeDir: string;
  readonly network: NetworkMode;
  /** Host files the VM touched that the launcher must not take from the VM (trusted-files.ts). */
  readonly guarded?: readonly string[];
}

const SPECIAL = new Set(['/proc', '/sys', '/dev', '/run']);

/** The mode the merged root of an overlay shows: the user's real rights on the host dir. */
export function mirrorMode(st: HostStat, uid: number, fullMap: boolean): number {
  const m = st.mode & 0o7777;
  if (fullMap || st.uid === uid) return m;
  const other = m & 0o7;
  const group = (m >> 3) & 0o7;
  return (m & 0o7000) | (other << 6) | (group << 3) | other;
}

/** Workdir key: `/` becomes `%`, and `%` itself is doubled, so keys never collide. */
export function workKey(hostPath: string): string {
  return hostPath.slice(1).replace(/%/g, '%%').replace(/\//g, '%') || '%root';
}

export function computeMountPlan(input: PlanInput): MountPlan {
  const { host, fsDir, workDir, uid, gid, fullMap } = input;
  const ops: MountOp[] = [];
  const hostDirs = new Map<string, HostDir>();
  const overlaid = new Set<string>();
  let stages = 0;

  const ensureUpper = (p: string): void => {
    // Parents first: every directory on the way needs the mirrored mode of its host dir.
    if (p === '/' || hostDirs.has(p)) return;
    ensureUpper(path.dirname(p));
    const st = host.stat(p);
    if (!st || st.type !== 'dir') return;
    hostDirs.set(p, {
      path: upperPathOf(fsDir, p),
      mode: mirrorMode(st, uid, fullMap),
      uid: fullMap ? st.uid : uid,
      gid: fullMap ? st.gid : gid,
    });
  };

  const overlay = (p: string): void => {
    ensureUpper(p);
    const work = path.join(workDir, workKey(p));
    hostDirs.set(`work:${p}`, { path: work, mode: 0o700, uid, gid });
    const layers = (input.layerDirs ?? []).map((l) => upperPathOf(l, p)).filter((l) => host.upperStat(l)?.type === 'dir');
    if (layers.length === 0) {
      ops.push({ kind: 'overlay', lower: p, layers, upper: upperPathOf(fsDir, p), work, target: p });
    } else {
      const layerWork = path.join(workDir, `${workKey(p)}@layer`);
      hostDirs.set(`lwork:${p}`, { path: layerWork, mode: 0o700, uid, gid });
      const stage = path.join(input.mntDir ?? '/', `.fvm-stage-${++stages}`);
      ops.push({ kind: 'overlay', lower: p, layers, upper: upperPathOf(fsDir, p), work, target: p, layerWork, stage });
    }
    overlaid.add(p);
  };

  const deletedInLayers = (p: string) => (input.layerDirs ?? []).some((l) => host.isWhiteout(upperPathOf(l, p)));
  const build = (p: string): void => {
    const up = upperPathOf(fsDir, p);
    if (host.isWhiteout(up) || (!host.upperStat(up) && deletedInLayers(p))) return; // deleted inside the VM earlier
    const st = host.stat(p);
    if (!st) return;
    if (st.type !== 'dir') {
      const ust = host.upperStat(up);
      if (st.type === 'socket') return; // a bound socket stays connectable: never bind one
      if (ust?.type === 'symlink') ops.push({ kind: 'symlink', target: p, linkTo: ust.linkTarget ?? '' });
      else if (ust) {
        ops.push({ kind: 'touch', target: p }, { kind: 'bind', source: up, target: p, readOnly: false });
      } else if (st.type === 'symlink') ops.push({ kind: 'symlink', target: p, linkTo: st.linkTarget ?? '' });
      else ops.push({ kind: 'touch', target: p }, { kind: 'bind', source: p, target: p, readOnly: true });
      return;
    }
    ops.push({ kind: 'mkdir', target: p });
    if (!st.enterable) return; // e.g. /root for a plain user: an empty directory
    if (!hasChildMounts(input.mounts, p)) {
      overlay(p);
      return;
    }
    ops.push({ kind: 'tmpfs', target: p, mode: mirrorMode(st, uid, fullMap).toString(8), readOnly: false });
    const names = new Set(host.list(p));
    for (const name of [...names].sort()) build(p === '/' ? `/${name}` : `${p}/${name}`);
    // Entries that exist only in the VM's upper tree at this level.
    const ust = host.upperStat(up);
    if (ust?.type === 'dir') {
      for (const name of host.list(up).sort()) {
        const child = `${p}/${name}`;
        const cup = upperPathOf(fsDir, child);
        if (names.has(name) || host.isWhiteout(cup)) continue;
        const cst = host.upperStat(cup);
        if (!cst) continue;
        if (cst.type === 'symlink') ops.push({ kind: 'symlink', target: child, linkTo: cst.linkTarget ?? '' });
        else if (cst.type === 'dir') ops.push({ kind: 'mkdir', target: child }, { kind: 'bind', source: cup, target: child, readOnly: false });
        else ops.push({ kind: 'touch', target: child }, { kind: 'bind', source: cup, target: child, readOnly: false });
      }
    }
    ops.push({ kind: 'remount-ro', target: p }); // new names at this level would be lost
  };

  for (const name of host.list('/').sort()) {
    const p = `/${name}`;
    if (SPECIAL.has(p)) ops.push({ kind: 'mkdir', target: p });
    else build(p);
  }

  // Extra overlay roots: user-writable dirs below parents we cannot copy up (EOVERFLOW).
  const roots = [...input.extraRoots].sort((a, b) => a.length - b.length);
  for (const x of roots) {
    if (overlaid.has(x) || x === '/') continue;
    const st = host.stat(x);
    if (!st || st.type !== 'dir' || !st.enterable) continue;
    const top = `/${x.split('/')[1]}`;
    if (SPECIAL.has(top) || !overlaid.has(top) && ![...overlaid].some((o) => isWithin(x, o))) continue;
    if (ancestorsDeleted(host, fsDir, x)) continue;
    overlay(x);
  }

  // Visibility rules, outer paths first so inner rules land on top.
  for (const r of [...input.rules].sort((a, b) => a.path.length - b.path.length)) {
    const st = host.stat(r.path);
    if (!st || r.mode === 'cow') continue;
    const isDir = st.type === 'dir';
    switch (r.mode) {
      case 'hidden':
        if (isDir) ops.push({ kind: 'tmpfs', target: r.path, mode: '700', readOnly: false });
        else ops.push({ kind: 'bind', source: '/dev/null', target: r.path, readOnly: true });
        break;
      case 'ro':
        ops.push({ kind: 'bind', source: r.path, target: r.path, readOnly: true });
        break;
      case 'open':
        ops.push({ kind: 'bind', source: r.path, target: r.path, readOnly: false });
        break;
      default:
        assertNever(r.mode, 'rule mode');
    }
  }

  // Guarded files: the host's version over the VM's, read-only, while init still holds
  // capabilities (and, as root, for the setpriv of every join).
  for (const g of input.guarded ?? []) {
    const st = host.stat(g);
    if (st && st.type !== 'dir') ops.push({ kind: 'bind', source: g, target: g, readOnly: true });
    else if (!st && g === '/etc/ld.so.preload') ops.push({ kind: 'bind', source: '/dev/null', target: g, readOnly: true });
  }

  // Private /run: host /run is full of IPC endpoints (system bus, docker.sock, the session bus).
  ops.push({ kind: 'tmpfs', target: '/run', mode: '755', readOnly: false });
  // The runtime dir: private and empty, mode 0700 as the XDG spec requires.
  ops.push({ kind: 'mkdir', target: '/run/lock' }, { kind: 'tmpfs', target: `/run/user/${uid}`, mode: '700', readOnly: false });
  const resolv = host.stat('/etc/resolv.conf');
  if (resolv?.type === 'symlink' && resolv.linkTarget) {
    const target = path.resolve('/etc', resolv.linkTarget);
    if (target.startsWith('/run/')) {
      const dir = path.dirname(target);
      ops.push({ kind: 'mkdir', target: dir }, { kind: 'bind', source: dir, target: dir, readOnly: true });
    }
  }
  // The runtime dir holds the D-Bus session bus, Wayland, agents: an empty private one instead.
  if (!isWithin(input.runtimeDir, '/run') && host.stat(input.runtimeDir)?.type === 'dir') {
    ops.push({ kind: 'tmpfs', target: input.runtimeDir, mode: '700', readOnly: false });
  }
  if (host.stat('/tmp/.X11-unix')?.type === 'dir') {
    ops.push({ kind: 'tmpfs', target: '/tmp/.X11-unix', mode: '1777', readOnly: false });
  }
  // The repository store: the VM must not read other VMs or its own upper tree.
  if (host.stat(input.storeDir)?.type === 'dir') {
    ops.push({ kind: 'tmpfs', target: input.storeDir, mode: '555', readOnly: true });
  }
  ops.push({ kind: 'proc', target: '/proc' }, { kind: 'sys', target: '/sys' }, { kind: 'dev', target: '/dev' });
  return { hostDirs: [...hostDirs.values()], ops };
}

function ancestorsDeleted(host: HostView, fsDir: string, p: string): boolean {
  for (let q = path.dirname(p); q !== '/'; q = path.dirname(q)) {
    if (host.isWhiteout(upperPathOf(fsDir, q))) return true;
  }
  return host.isWhiteout(upperPathOf(fsDir, p));
}
