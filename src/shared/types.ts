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

/** Registry value types `fvm reg add` writes (Windows' names). */
export const REG_WRITABLE_TYPES = ['REG_SZ', 'REG_EXPAND_SZ', 'REG_MULTI_SZ', 'REG_DWORD', 'REG_QWORD', 'REG_BINARY', 'REG_NONE'] as const;
export type RegWritableType = (typeof REG_WRITABLE_TYPES)[number];

/** A registry value as text: `REG_SZ` and its string, `REG_DWORD` as `0x0000002a (42)`, binary as hex bytes. */
export interface RegistryValueInfo {
  readonly name: string;
  readonly type: string;
  readonly data: string;
}

/** One key of a VM's registry view. */
export interface RegistryKeyInfo {
  /** User-facing path (`HKCU\Software\X`), in the case the key has. */
  readonly key: string;
  readonly values: readonly RegistryValueInfo[];
  /** Names of the direct subkeys. */
  readonly subkeys: readonly string[];
}

/** One change of a VM's registry against the host's hives: a key, or one value of a key. */
export interface RegistryChange {
  /** Host path of the Wine prefix. */
  readonly prefix: string;
  readonly kind: ChangeKind;
  /** User-facing key path as stored (`HKLM\Software\Wow6432Node\X` for a 32-bit installer's key). */
  readonly key: string;
  /** The value's name ('' is the default value); absent when the change is the key itself. */
  readonly value?: string;
  readonly before?: RegistryValueInfo;
  readonly after?: RegistryValueInfo;
}

// ---- The report of what a VM did (`fvm report`, `vm:report`; src/fvm-core/report.ts) ----

export type RiskSeverity = 'high' | 'medium' | 'low';

/** Stable ids of the risk flags: scripts and tests match on them, so they never change meaning. */
export type RiskId =
  | 'autostart'
  | 'shell-rc'
  | 'login-environment'
  | 'ld-preload'
  | 'systemd-unit'
  | 'cron-job'
  | 'ssh-access'
  | 'privilege-rules'
  | 'user-accounts'
  | 'setuid'
  | 'path-shim'
  | 'binary-replaced'
  | 'trust-store'
  | 'browser-policy'
  | 'browser-extension'
  | 'package-sources'
  | 'kernel-modules'
  | 'boot-scripts'
  | 'windows-autostart'
  | 'mime-handler'
  | 'desktop-entry'
  | 'browser-profile'
  | 'git-hooks'
  | 'git-config'
  | 'name-resolution'
  | 'package-manager-config'
  | 'interpreter-hooks'
  | 'desktop-extension'
  | 'dbus-service'
  | 'path-executable'
  | 'certificate-file'
  | 'host-deletions';

/** One path behind a risk flag. */
export interface RiskPath {
  /** Host path, or for a registry flag the key (`HKCU\Software\...`). */
  readonly path: string;
  readonly change: ChangeKind;
  /** What the VM's version says, briefly: lines it added, the command it starts, what it shadows. */
  readonly detail: readonly string[];
}

export interface RiskFlag {
  readonly id: RiskId;
  readonly severity: RiskSeverity;
  readonly title: string;
  /** One line: why this matters to the user. */
  readonly explanation: string;
  /** The paths involved, at most a few dozen; `count` is how many there are in all. */
  readonly paths: readonly RiskPath[];
  readonly count: number;
}

export interface ReportSummary {
  readonly changes: number;
  readonly added: number;
  readonly modified: number;
  readonly deleted: number;
  /** Bytes in files the VM added. */
  readonly bytesAdded: number;
  /** Bytes in the VM's versions of files it modified. */
  readonly bytesModified: number;
  /** The biggest added or modified files, biggest first. */
  readonly largest: readonly { readonly path: string; readonly size: number; readonly kind: ChangeKind }[];
  /** Directories with the most changes, most first. */
  readonly topDirs: readonly { readonly path: string; readonly changes: number; readonly bytes: number }[];
  readonly registryChanges: number;
}

/** What a VM did, with risk flags: high first, then medium, then low. */
export interface VmReport {
  readonly vm: string;
  readonly state: VmState;
  readonly generated: string;
  readonly flags: readonly RiskFlag[];
  readonly summary: ReportSummary;
  /** Its processes while it runs; empty when it is stopped. */
  readonly processes: readonly ProcessInfo[];
}
