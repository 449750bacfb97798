/**
 * Builds bundles by hand for the import tests: valid ones, and hostile ones that no exporter
 * would write (names climbing out, links, devices, duplicates, lies in the manifest or index).
 *
 * Headers come from node-tar's Header; the manifest and the index are computed from the entries
 * unless a test overrides them, so each hostile bundle differs from a valid one in one way only.
 */
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { Header } from 'tar';

export type ForgeType = 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'BlockDevice' | 'FIFO';

export interface ForgeEntry {
  readonly name: string;
  readonly type?: ForgeType;
  readonly mode?: number;
  readonly data?: string | Buffer;
  readonly linkpath?: string;
  /** Size written in the header when it must differ from the data (a lie). */
  readonly headerSize?: number;
  /** Left out of the computed index. */
  readonly unindexed?: boolean;
}

export interface ForgeOptions {
  /** The exporting user's $HOME recorded in the manifest. */
  readonly home: string;
  readonly vmName?: string;
  readonly entries: readonly ForgeEntry[];
  /** Merged over the computed manifest. */
  readonly manifest?: Record<string, unknown>;
  /** Replaces the computed `contents` of the manifest. */
  readonly contents?: { entries: number; bytes: number };
  /** Edits the computed index before it is written; 'none' leaves it out. */
  readonly index?: 'none' | ((index: { formatVersion: number; manifestSha256: string; entries: Array<Record<string, unknown>> }) => void);
  /** Entries written before the manifest. */
  readonly before?: readonly ForgeEntry[];
  /** Raw bytes appended to the tar stream (inside the gzip). */
  readonly trailer?: Buffer;
  readonly gzip?: boolean;
  /** The deletion log appended after the entries; null leaves it out. */
  readonly deletionLog?: string | null;
}

const sha = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

function block(e: ForgeEntry, size: number): Buffer {
  const type = e.type ?? 'File';
  const h = new Header({
    path: type === 'Directory' && !e.name.endsWith('/') ? `${e.name}/` : e.name,
    type,
    mode: e.mode ?? (type === 'Directory' ? 0o755 : 0o644),
    size,
    mtime: new Date(1_700_000_000_000),
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    linkpath: e.linkpath ?? '',
    devmaj: type === 'CharacterDevice' || type === 'BlockDevice' ? 1 : 0,
    devmin: type === 'CharacterDevice' || type === 'BlockDevice' ? 3 : 0,
  });
  const buf = Buffer.alloc(512);
  h.encode(buf);
  return buf;
}

function entryBytes(e: ForgeEntry): Buffer {
  const data = e.data === undefined ? Buffer.alloc(0) : Buffer.from(e.data);
  const size = e.headerSize ?? ((e.type ?? 'File') === 'File' ? data.length : 0);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  return Buffer.concat([block(e, size), data, pad]);
}

export const EMPTY_DELETION_LOG = '# fvm deletion log v1\n';

/** The raw tar (or tar.gz) of a forged bundle. */
export function forgeBundle(o: ForgeOptions): Buffer {
  const log = o.deletionLog === undefined ? EMPTY_DELETION_LOG : o.deletionLog;
  const entries = log === null ? o.entries : [...o.entries, { name: 'deleted.log', data: log }];
  const bytes = entries.reduce((n, e) => n + ((e.type ?? 'File') === 'File' ? (e.headerSize ?? Buffer.byteLength(e.data ?? '')) : 0), 0);
  const manifest = {
    format: 'fvm-bundle',
    formatVersion: 1,
    created: new Date(1_700_000_000_000).toISOString(),
    source: { user: 'forger', uid: 4242, home: o.home, hostname: 'forge', kernel: '6.0', distribution: 'test', fvmVersion: '0.1.0' },
    vm: { name: o.vmName ?? 'forged', created: new Date(1_700_000_000_000).toISOString(), config: { network: 'none', preset: 'default', rules: [], hostname: null } },
    contents: o.contents ?? { entries: entries.length, bytes },
    ...(o.manifest ?? {}),
  };
  const manifestData = Buffer.from(JSON.stringify(manifest));
  const index = {
    formatVersion: 1,
    manifestSha256: sha(manifestData),
    entries: entries
      .filter((e) => !e.unindexed)
      .map((e) => {
        const type = e.type ?? 'File';
        const name = e.name.endsWith('/') ? e.name.slice(0, -1) : e.name;
        if (type === 'Directory') return { path: name, type: 'dir', mode: e.mode ?? 0o755, size: 0 };
        if (type === 'SymbolicLink') return { path: name, type: 'symlink', mode: 0o777, size: 0, target: e.linkpath };
        const data = Buffer.from(e.data ?? '');
        return { path: name, type: 'file', mode: e.mode ?? 0o644, size: e.headerSize ?? data.length, sha256: sha(data) };
      }) as Array<Record<string, unknown>>,
  };
  if (typeof o.index === 'function') o.index(index);
  const parts: Buffer[] = [];
  for (const e of o.before ?? []) parts.push(entryBytes(e));
  parts.push(entryBytes({ name: 'fvm-bundle.json', data: manifestData }));
  for (const e of entries) parts.push(entryBytes(e));
  if (o.index !== 'none') parts.push(entryBytes({ name: 'fvm-index.json', data: JSON.stringify(index) }));
  parts.push(Buffer.alloc(1024));
  if (o.trailer) parts.push(o.trailer);
  const tar = Buffer.concat(parts);
  return o.gzip === false ? tar : zlib.gzipSync(tar);
}

/** The tree entries (with their directories) of a small valid VM holding `files` under `home`. */
export function treeOf(home: string, files: Record<string, string>): ForgeEntry[] {
  const out: ForgeEntry[] = [];
  const dirs = new Set<string>();
  const addDir = (d: string) => {
    if (d === '' || dirs.has(d)) return;
    const parent = d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '';
    addDir(parent);
    dirs.add(d);
    out.push({ name: `tree/${d}`, type: 'Directory' });
  };
  addDir(home.slice(1));
  for (const [rel, data] of Object.entries(files)) {
    const full = `${home.slice(1)}/${rel}`;
    addDir(full.slice(0, full.lastIndexOf('/')));
    out.push({ name: `tree/${full}`, data });
  }
  return out;
}
