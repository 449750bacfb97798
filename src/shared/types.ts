/** Models shared by the engine and every front end. Readonly data; unions carry a `kind`. */

export type VmState = 'stopped' | 'running' | 'suspended';
export type NetworkMode = 'private' | 'none' | 'host';
export type RuleMode = 'cow' | 'open' | 'ro' | 'hidden';
export type PresetName = 'default' | 'untrusted';

export interface Rule {
  readonly mode: RuleMode;
  /** Absolute host path. */
  readonly path: string;
}

export interface VmConfig {
  readonly network: NetworkMode;
  readonly rules: readonly Rule[];
  readonly preset: PresetName;
  /** Hostname inside the VM; null keeps the host's name (still in a private UTS namespace). */
  readonly hostname: string | null;
}

export interface VmSummary {
  readonly name: string;
  readonly id: string;
  readonly state: VmState;
  readonly sizeBytes: number;
  readonly created: string;
  readonly processCount: number;
}

export interface VmInfo extends VmSummary {
  readonly config: VmConfig;
  readonly path: string;
  readonly initPid: number | null;
  readonly commits: number;
}

export type ChangeKind = 'added' | 'modified' | 'deleted';
export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface Change {
  readonly kind: ChangeKind;
  /** Host path the change applies to. */
  readonly path: string;
  readonly type: EntryType;
  /** Size in bytes of the VM's version (0 for deletions and directories). */
  readonly size: number;
}

export interface ProcessInfo {
  readonly vm: string;
  /** Host PID. */
  readonly pid: number;
  /** Host PID of the parent; for a program joined from outside, the VM's init. */
  readonly ppid: number;
  /** PID inside the VM's PID namespace. */
  readonly vmPid: number;
  readonly cmd: string;
  readonly state: string;
}

export interface DoctorCheck {
  readonly id: string;
  readonly ok: boolean;
  /** Optional checks do not fail the doctor: they enable extra features. */
  readonly optional: boolean;
  readonly detail: string;
  readonly fix: string;
}

export interface Progress {
  readonly op: string;
  readonly done: number;
  readonly total: number;
  readonly path?: string;
}

export type VmEvent =
  | { readonly kind: 'vm-state'; readonly vm: string; readonly state: VmState }
  | { readonly kind: 'vm-created'; readonly vm: string }
  | { readonly kind: 'vm-deleted'; readonly vm: string }
  | { readonly kind: 'process-started'; readonly vm: string; readonly pid: number; readonly cmd: string }
  | { readonly kind: 'process-exited'; readonly vm: string; readonly pid: number; readonly status: number | null }
  | { readonly kind: 'progress'; readonly vm: string; readonly progress: Progress };
