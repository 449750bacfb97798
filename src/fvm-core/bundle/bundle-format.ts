/**
 * The single-file bundle of a VM (`fvm export` / `fvm import`): a gzip-compressed tar whose
 * entries come in this order, and in no other:
 *
 *   fvm-bundle.json      the manifest: format version, who exported it from where, the VM's config
 *   tree/<host path>     the VM's merged upper tree (its shared layers flattened): dirs, files, symlinks
 *   deleted.log          the VM's deletions as data (never whiteout devices or xattrs)
 *   registry/<file>      the VM's registry delta, when it has one
 *   fvm-index.json       last: every entry's type, mode, size, link target and sha256, and the
 *                        manifest's sha256
 *
 * The index comes last so that export reads every file once (hashing while it streams); import
 * stages everything and trusts nothing until the index has matched. Modes, link targets and the
 * deletion log are data in the archive, so a bundle survives any file system (FAT, exFAT).
 */
import { z } from 'zod';
import { FvmError } from '../../shared/errors.js';
import { VM_NAME_PATTERN } from '../../shared/names.js';
import type { VmConfig } from '../../shared/types.js';

export const BUNDLE_FORMAT = 'fvm-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
export const BUNDLE_EXTENSION = '.fvm';

export const MANIFEST_NAME = 'fvm-bundle.json';
export const INDEX_NAME = 'fvm-index.json';
export const DELETION_LOG_NAME = 'deleted.log';
export const TREE_DIR = 'tree';
export const REGISTRY_DIR = 'registry';

/** Limits on what import holds in memory or accepts at all, whatever a bundle declares. */
export const LIMITS = {
  manifestBytes: 1 << 20,
  deletionLogBytes: 64 << 20,
  indexBytes: 256 << 20,
  entries: 5_000_000,
  pathBytes: 4096,
  nameBytes: 255,
} as const;

/** Who exported the bundle, and from what machine: for relocation and diagnostics. */
export interface BundleSource {
  readonly user: string;
  readonly uid: number;
  readonly home: string;
  readonly hostname: string;
  readonly kernel: string;
  readonly distribution: string;
  readonly fvmVersion: string;
}

export interface BundleManifest {
  readonly format: typeof BUNDLE_FORMAT;
  readonly formatVersion: number;
  readonly created: string;
  readonly source: BundleSource;
  readonly vm: { readonly name: string; readonly created: string; readonly config: VmConfig };
  /** Declared up front so import can refuse a bundle too large before writing anything. */
  readonly contents: { readonly entries: number; readonly bytes: number };
}

export type IndexEntryType = 'file' | 'dir' | 'symlink';

export interface IndexEntry {
  readonly path: string;
  readonly type: IndexEntryType;
  readonly mode: number;
  readonly size: number;
  readonly sha256?: string;
  readonly target?: string;
  /** A directory whose mode only mirrors its host dir's: import gives it the importing host's. */
  readonly mirrorsHost?: boolean;
}

export interface BundleIndex {
  readonly formatVersion: number;
  readonly manifestSha256: string;
  readonly entries: readonly IndexEntry[];
}

const absPath = z.string().min(1).max(LIMITS.pathBytes).refine((p) => p.startsWith('/') && !p.includes('\0'), 'must be an absolute path');

const manifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.number().int().min(1),
  created: z.string().max(64),
  source: z.object({
    user: z.string().max(256),
    uid: z.number().int().min(0),
    home: absPath,
    hostname: z.string().max(256),
    kernel: z.string().max(256),
    distribution: z.string().max(256),
    fvmVersion: z.string().max(64),
  }),
  vm: z.object({
    name: z.string().regex(VM_NAME_PATTERN),
    created: z.string().max(64),
    config: z.object({
      network: z.enum(['private', 'none', 'host']),
      preset: z.enum(['default', 'untrusted']),
      rules: z.array(z.object({ mode: z.enum(['cow', 'open', 'ro', 'hidden']), path: absPath })).max(256),
      hostname: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/).nullable(),
    }),
  }),
  contents: z.object({ entries: z.number().int().min(0), bytes: z.number().int().min(0) }),
});

/** Parses the manifest; a newer format is BUNDLE_VERSION, anything malformed BUNDLE_CORRUPT. */
export function parseManifest(text: string, file: string): BundleManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw corrupt(file, `${MANIFEST_NAME} is not JSON`);
  }
  const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > BUNDLE_FORMAT_VERSION) {
    throw new FvmError(
      'BUNDLE_VERSION',
      `import ${file}: bundle format ${version} is newer than this FVM reads (${BUNDLE_FORMAT_VERSION})`,
      'Upgrade FVM on this machine, or export the VM again with the FVM version installed here.',
    );
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw corrupt(file, `${MANIFEST_NAME}: ${issue?.path.join('.') || 'manifest'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data as BundleManifest;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Parses the index (shape only: the reader compares it with what it saw). */
export function parseIndex(text: string, file: string): BundleIndex {
  let raw: { formatVersion?: unknown; manifestSha256?: unknown; entries?: unknown };
  try {
    raw = JSON.parse(text);
  } catch {
    throw corrupt(file, `${INDEX_NAME} is not JSON`);
  }
  if (!raw || raw.formatVersion !== BUNDLE_FORMAT_VERSION || typeof raw.manifestSha256 !== 'string' || !SHA256.test(raw.manifestSha256) || !Array.isArray(raw.entries)) {
    throw corrupt(file, `${INDEX_NAME} lacks its version, the manifest's sha256 or its entries`);
  }
  for (const e of raw.entries as unknown[]) {
    const x = e as Partial<IndexEntry> | null;
    const ok =
      !!x &&
      typeof x.path === 'string' &&
      (x.type === 'file' || x.type === 'dir' || x.type === 'symlink') &&
      typeof x.mode === 'number' &&
      typeof x.size === 'number' &&
      (x.sha256 === undefined || (typeof x.sha256 === 'string' && SHA256.test(x.sha256))) &&
      (x.target === undefined || typeof x.target === 'string') &&
      (x.mirrorsHost === undefined || typeof x.mirrorsHost === 'boolean');
    if (!ok) throw corrupt(file, `${INDEX_NAME}: malformed entry ${JSON.stringify(e).slice(0, 200)}`);
  }
  return raw as BundleIndex;
}

export function corrupt(file: string, detail: string): FvmError {
  return new FvmError('BUNDLE_CORRUPT', `import ${file}: ${detail}`, 'The bundle is damaged or was not written by `fvm export`; export the VM again from its source.');
}
