/**
 * The one API contract: every operation of the engine, declared once.
 *
 * The CLI, the Electron IPC gateway, the preload bridge and the browser bridge are all built from
 * or checked against this table. Channel names are `domain:verb`. Inputs are validated with these
 * schemas at every trust boundary before they reach the engine.
 */
import { z } from 'zod';
import { VM_NAME_PATTERN } from './names.js';
import { REG_WRITABLE_TYPES, type Change, type DoctorCheck, type ProcessInfo, type RegistryChange, type RegistryKeyInfo, type VmInfo, type VmSummary } from './types.js';
import type { ErrorData } from './errors.js';
import type { VmReport } from './types.js';

const vmName = z.string().regex(VM_NAME_PATTERN, 'invalid VM name');
const absPath = z.string().min(1).max(4096).refine((p) => p.startsWith('/') && !p.includes('\0'), 'must be an absolute path');
const ruleMode = z.enum(['cow', 'open', 'ro', 'hidden']);
const network = z.enum(['private', 'none', 'host']);
// A user-facing registry key path (`HKCU\Software\X`); parsed and checked by src/registry/key-path.ts.
const regKey = z.string().min(1).max(32767).refine((k) => !k.includes('\0'), 'must not contain NUL');
const regView = z.enum(['64', '32']);
const regValueName = z.string().max(16383).refine((k) => !k.includes('\0'), 'must not contain NUL');

export const schemas = {
  'vm:list': z.object({}).strict(),
  'vm:info': z.object({ name: vmName }).strict(),
  'vm:create': z
    .object({
      name: vmName,
      network: network.optional(),
      preset: z.enum(['default', 'untrusted']).optional(),
      rules: z.array(z.object({ mode: ruleMode, path: absPath }).strict()).max(256).optional(),
      hostname: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/).nullable().optional(),
    })
    .strict(),
  'vm:run': z
    .object({
      name: vmName,
      command: z.array(z.string().max(65536)).min(1).max(4096),
      cwd: absPath.optional(),
      env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(65536)).optional(),
      root: z.boolean().optional(),
    })
    .strict(),
  'vm:ps': z.object({ name: vmName.optional() }).strict(),
  'vm:suspend': z.object({ name: vmName }).strict(),
  'vm:resume': z.object({ name: vmName }).strict(),
  'vm:stop': z.object({ name: vmName }).strict(),
  'vm:diff': z.object({ name: vmName }).strict(),
  // What the VM did, with risk flags (src/fvm-core/report.ts).
  'vm:report': z.object({ name: vmName }).strict(),
  'vm:commit': z
    .object({
      name: vmName,
      paths: z.array(absPath).max(100000).optional(),
      keys: z.array(regKey).max(10000).optional(),
      dryRun: z.boolean().optional(),
      force: z.boolean().optional(),
    })
    .strict(),
  'vm:uncommit': z.object({ name: vmName }).strict(),
  'vm:copy': z.object({ source: vmName, target: vmName }).strict(),
  'vm:delete': z.object({ name: vmName }).strict(),
  // Export/import of single-file bundles (src/fvm-core/bundle/).
  'vm:export': z.object({ name: vmName, file: absPath }).strict(),
  'vm:import': z.object({ file: absPath, name: vmName.optional() }).strict(),
  'app:doctor': z.object({}).strict(),
  // The VM's Windows registry (Wine prefixes; src/fvm-core/registry/). `prefix` defaults to ~/.wine.
  'reg:query': z.object({ name: vmName, key: regKey, prefix: absPath.optional(), view: regView.optional(), recursive: z.boolean().optional() }).strict(),
  'reg:add': z
    .object({
      name: vmName,
      key: regKey,
      prefix: absPath.optional(),
      view: regView.optional(),
      value: z.object({ name: regValueName, type: z.enum(REG_WRITABLE_TYPES), data: z.string().max(1 << 20) }).strict().optional(),
    })
    .strict(),
  'reg:delete': z.object({ name: vmName, key: regKey, prefix: absPath.optional(), view: regView.optional(), value: regValueName.optional() }).strict(),
  'reg:diff': z.object({ name: vmName, prefix: absPath.optional(), includeNoise: z.boolean().optional() }).strict(),
  'reg:export': z.object({ name: vmName, key: regKey, file: absPath, prefix: absPath.optional(), view: regView.optional(), format: z.enum(['v5', 'regedit4']).optional() }).strict(),
  'reg:import': z.object({ name: vmName, file: absPath, prefix: absPath.optional() }).strict(),
} as const;

export type OperationName = keyof typeof schemas;
export type OperationInput<K extends OperationName> = z.infer<(typeof schemas)[K]>;

export interface CommitResult {
  readonly commit: number | null;
  readonly dryRun: boolean;
  readonly applied: readonly Change[];
}

/** A commit of files and registry keys. */
export interface VmCommitResult extends CommitResult {
  /** Registry changes carried into the host's hives (or that would be, for a dry run). */
  readonly registry: readonly RegistryChange[];
}

/** What `vm:export` wrote. `skipped`: host paths of sockets and FIFOs, which carry no data. */
export interface ExportResult {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
  readonly entries: number;
  readonly skipped: readonly string[];
}

/** Paths under the exporting user's $HOME moved to the importing user's, with counts. */
export interface BundleRelocation {
  readonly from: string;
  readonly to: string;
  readonly paths: number;
  readonly deletions: number;
  readonly symlinks: number;
  readonly rules: number;
}

export interface ImportResult {
  readonly vm: VmInfo;
  readonly file: string;
  /** Who exported the bundle, from what machine, when. */
  readonly source: {
    readonly user: string;
    readonly uid: number;
    readonly home: string;
    readonly hostname: string;
    readonly kernel: string;
    readonly distribution: string;
    readonly exported: string;
  };
  /** null when the exporting and importing $HOME are the same path. */
  readonly relocation: BundleRelocation | null;
  readonly entries: number;
  readonly bytes: number;
}

export interface RunStarted {
  readonly vm: string;
  readonly runId: string;
  readonly pid: number;
}

export interface OperationResults {
  'vm:list': { readonly vms: readonly VmSummary[] };
  'vm:info': VmInfo;
  'vm:create': VmInfo;
  'vm:run': RunStarted;
  'vm:ps': { readonly processes: readonly ProcessInfo[] };
  'vm:suspend': VmInfo;
  'vm:resume': VmInfo;
  'vm:stop': VmInfo;
  /** `registry`: changes of the VM's Wine registries; their hive files are not in `changes`. */
  'vm:diff': { readonly changes: readonly Change[]; readonly registry: readonly RegistryChange[] };
  'vm:report': VmReport;
  'vm:commit': VmCommitResult;
  'vm:uncommit': { readonly commit: number; readonly restored: number; readonly registryHives: number };
  'vm:copy': VmInfo;
  'vm:delete': { readonly name: string };
  'vm:export': ExportResult;
  'vm:import': ImportResult;
  'app:doctor': { readonly ok: boolean; readonly checks: readonly DoctorCheck[] };
  'reg:query': { readonly prefix: string; readonly keys: readonly RegistryKeyInfo[] };
  'reg:add': { readonly prefix: string; readonly key: string };
  'reg:delete': { readonly prefix: string; readonly key: string; readonly value?: string };
  'reg:diff': { readonly changes: readonly RegistryChange[] };
  'reg:export': { readonly prefix: string; readonly file: string; readonly keys: number };
  'reg:import': { readonly prefix: string; readonly keys: number; readonly values: number };
}

export type OperationResult<K extends OperationName> = OperationResults[K];

/** What crosses IPC or a socket: errors as data, since Electron keeps only `message` of a throw. */
export type Envelope<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorData };

export const OPERATIONS = Object.keys(schemas) as OperationName[];

/** Push events from the engine to the front ends. */
export const EVENT_CHANNELS = ['vm:state', 'process:started', 'process:exited', 'process:output', 'fs:changed', 'op:progress'] as const;
export type EventChannel = (typeof EVENT_CHANNELS)[number];
