/**
 * What an export writes, decided before a byte is written (STYLE.md §6: plan, then apply):
 * the VM's merged upper tree (its shared layers flattened, whiteouts turned into the deletion
 * log), its registry delta, and the totals the manifest declares.
 */
import fs from 'node:fs';
import path from 'node:path';
import { assertNever } from '../../shared/errors.js';
import { deletionLogOf, serializeDeletionLog } from '../../redirect/deletion-log.js';
import { mirrorMode } from '../../redirect/mount-plan.js';
import { walkUpper } from '../upper-walk.js';
import { sourceDirs, type VmPaths } from '../repository.js';
import { DELETION_LOG_NAME, REGISTRY_DIR, TREE_DIR } from './bundle-format.js';

export type PlannedEntry =
  | {
      readonly kind: 'dir';
      readonly name: string;
      readonly mode: number;
      readonly mtime: Date;
      /** The mode is the host dir's (or its mirror, DESIGN §1): import gives it the importing host's. */
      readonly mirrorsHost?: boolean;
    }
  | { readonly kind: 'file'; readonly name: string; readonly source: string; readonly mode: number; readonly size: number; readonly mtime: Date }
  | { readonly kind: 'symlink'; readonly name: string; readonly target: string; readonly mtime: Date }
  | { readonly kind: 'data'; readonly name: string; readonly data: Buffer };

export interface ExportPlan {
  readonly entries: readonly PlannedEntry[];
  /** Bytes of file data (regular files and generated data), as the manifest declares them. */
  readonly bytes: number;
  /** Host paths of sockets and FIFOs: they carry no data and are left out. */
  readonly skipped: readonly string[];
  readonly deletions: number;
}

function treeName(hostPath: string): string {
  return `${TREE_DIR}${hostPath}`;
}

/** Whether a directory of the tree only carries its host dir's mode (as the diff sees it: no change). */
function mirrorsHostMode(hostPath: string, mode: number): boolean {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(hostPath);
  } catch {
    return false;
  }
  if (!st.isDirectory()) return false;
  const uid = process.getuid?.() ?? 0;
  const mirrored = mirrorMode({ type: 'dir', mode: st.mode, uid: st.uid, gid: st.gid, enterable: true }, uid, uid === 0);
  return mode === (st.mode & 0o7777) || mode === mirrored;
}

/** As fs.Stats.mtime makes its Date from mtimeMs. */
function dateOfMs(ms: number): Date {
  return new Date(Math.round(ms));
}

/** The plan of a stopped VM's bundle. */
export function planExport(p: VmPaths): ExportPlan {
  const [own, ...layers] = sourceDirs(p);
  const { entries } = walkUpper(own, layers, { times: true });
  const out: PlannedEntry[] = [];
  const skipped: string[] = [];
  let bytes = 0;
  for (const e of entries) {
    const mode = e.stat.mode & 0o7777;
    const mtime = dateOfMs(e.stat.mtimeMs);
    switch (e.kind) {
      case 'whiteout':
        break;
      case 'dir':
        out.push({ kind: 'dir', name: treeName(e.host), mode, mtime, mirrorsHost: mirrorsHostMode(e.host, mode) });
        break;
      case 'file':
        out.push({ kind: 'file', name: treeName(e.host), source: e.upper, mode, size: e.stat.size, mtime });
        bytes += e.stat.size;
        break;
      case 'symlink':
        out.push({ kind: 'symlink', name: treeName(e.host), target: e.target ?? fs.readlinkSync(e.upper), mtime });
        break;
      case 'other':
        skipped.push(e.host);
        break;
      default:
        assertNever(e.kind, 'upper entry kind');
    }
  }
  const deletions = deletionLogOf(entries);
  const log = Buffer.from(serializeDeletionLog(deletions));
  out.push({ kind: 'data', name: DELETION_LOG_NAME, data: log });
  bytes += log.length;
  bytes += planRegistry(p.registry, REGISTRY_DIR, out);
  return { entries: out, bytes, skipped, deletions: deletions.length };
}

/** Appends the registry delta's directories and files (nothing else belongs there). */
function planRegistry(dir: string, name: string, out: PlannedEntry[]): number {
  let names: string[];
  try {
    names = fs.readdirSync(dir).sort();
  } catch {
    return 0;
  }
  let bytes = 0;
  for (const n of names) {
    const src = path.join(dir, n);
    const st = fs.lstatSync(src);
    const child = `${name}/${n}`;
    if (st.isDirectory()) {
      out.push({ kind: 'dir', name: child, mode: st.mode & 0o7777, mtime: st.mtime });
      bytes += planRegistry(src, child, out);
    } else if (st.isFile()) {
      out.push({ kind: 'file', name: child, source: src, mode: st.mode & 0o7777, size: st.size, mtime: st.mtime });
      bytes += st.size;
    }
  }
  return bytes;
}
