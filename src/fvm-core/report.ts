/**
 * The report of what a VM did: risk flags from its diff, and a summary.
 *
 * Classification is pure: it sees the changes, the registry changes and a `VersionProbe` that
 * answers the few questions the diff cannot (a file's mode, the lines of a config, whether the
 * host has a command of that name). The engine passes the real probe (report-probe.ts); tests
 * pass a table.
 */
import path from 'node:path';
import type { Change, ChangeKind, ProcessInfo, RegistryChange, ReportSummary, RiskFlag, RiskId, RiskPath, VmReport, VmState } from '../shared/types.js';
import { isWithin } from '../redirect/host-path.js';
import { PathRuleMatcher, RISKS, WINDOWS_AUTOSTART_KEYS } from './report-rules.js';

/** What the report may ask about the VM's version of a host path, and about the host. */
export interface VersionProbe {
  /** Mode (with the file type bits) and owner of the VM's version, or null. */
  statOf(hostPath: string): { readonly mode: number; readonly uid: number } | null;
  /** The VM's version as text: null if it is no regular file, larger than `maxBytes`, or binary. */
  readVm(hostPath: string, maxBytes: number): string | null;
  /** The host's version as text, on the same terms. */
  readHost(hostPath: string, maxBytes: number): string | null;
  /** Target of the VM's version when it is a symlink. */
  linkOf(hostPath: string): string | null;
  /** True when the host has an executable file at this path (a command of that name). */
  hostExecutable(hostPath: string): boolean;
}

export interface ReportInput {
  readonly vm: string;
  readonly state: VmState;
  readonly changes: readonly Change[];
  readonly registry: readonly RegistryChange[];
  readonly processes: readonly ProcessInfo[];
  /** The VM owner's home: `~` of the rules. */
  readonly home: string;
  /** The user's PATH as the engine sees it ($PATH). */
  readonly envPath: string | undefined;
  readonly probe: VersionProbe;
  readonly now?: Date;
}

/** Paths kept per flag (the count has them all). */
export const MAX_PATHS = 50;
/** Paths per flag whose files are read for detail lines. */
const MAX_READ = 10;
const MAX_READ_BYTES = 256 * 1024;
const MAX_DETAIL_LINES = 3;
const MAX_LINE = 160;
const SEVERITY_RANK = { high: 0, medium: 1, low: 2 } as const;
const RISK_ORDER = new Map(Object.keys(RISKS).map((id, i) => [id, i]));

export function buildReport(input: ReportInput): VmReport {
  return {
    vm: input.vm,
    state: input.state,
    generated: (input.now ?? new Date()).toISOString(),
    flags: classify(input),
    summary: summarize(input.changes, input.home, input.registry.length),
    processes: input.state === 'stopped' ? [] : input.processes,
  };
}

/**
 * The directories searched for commands, in order: $PATH, with ~/bin and ~/.local/bin in front
 * (Debian's ~/.profile puts them there once they exist) and the standard directories after it.
 */
export function effectivePath(envPath: string | undefined, home: string): string[] {
  const env = (envPath ?? '').split(':').filter((d) => d.startsWith('/')).map((d) => path.normalize(d).replace(/(.)\/$/, '$1'));
  const user = [path.join(home, 'bin'), path.join(home, '.local/bin')].filter((d) => !env.includes(d));
  const standard = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].filter((d) => !env.includes(d));
  return [...new Set([...user, ...env, ...standard])];
}

class FlagSet {
  private readonly flags = new Map<RiskId, { paths: RiskPath[]; count: number }>();

  add(id: RiskId, p: RiskPath | (() => RiskPath), fallback: { path: string; change: ChangeKind }): void {
    let f = this.flags.get(id);
    if (!f) this.flags.set(id, (f = { paths: [], count: 0 }));
    f.count++;
    if (f.paths.length < MAX_PATHS) f.paths.push(typeof p === 'function' ? (f.paths.length < MAX_READ ? p() : { ...fallback, detail: [] }) : p);
  }

  toList(): RiskFlag[] {
    return [...this.flags]
      .map(([id, f]) => ({ id, ...RISKS[id], paths: f.paths, count: f.count }))
      .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || (RISK_ORDER.get(a.id) ?? 0) - (RISK_ORDER.get(b.id) ?? 0));
  }
}

/** The risk flags of a VM's changes: high first, then medium, then low. */
export function classify(input: Pick<ReportInput, 'changes' | 'registry' | 'home' | 'envPath' | 'probe'>): RiskFlag[] {
  const { probe } = input;
  const rules = new PathRuleMatcher(input.home);
  const pathDirs = effectivePath(input.envPath, input.home);
  const pathIndex = new Map(pathDirs.map((d, i) => [d, i]));
  const flags = new FlagSet();
  for (const c of input.changes) {
    const plain = { path: c.path, change: c.kind };
    if (c.kind === 'deleted') {
      flags.add('host-deletions', { ...plain, detail: c.type === 'dir' ? ['a directory, with everything in it'] : [] }, plain);
      continue;
    }
    if (c.type === 'dir') continue;
    const rule = rules.match(c.path, c.kind);
    if (rule) flags.add(rule.id, () => ({ ...plain, detail: rule.read ? describeVersion(c, probe) : linkDetail(c, probe) }), plain);
    if (c.type !== 'file' && c.type !== 'symlink') continue;
    const st = c.type === 'file' ? probe.statOf(c.path) : null;
    if (st && (st.mode & 0o6000) !== 0) {
      const bits = [(st.mode & 0o4000) !== 0 ? 'set-user-ID' : '', (st.mode & 0o2000) !== 0 ? 'set-group-ID' : ''].filter(Boolean).join(' and ');
      flags.add('setuid', { ...plain, detail: [`${bits}, mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}, owner uid ${st.uid}`] }, plain);
    }
    const at = pathIndex.get(path.dirname(c.path));
    if (at === undefined) continue;
    if (c.kind === 'modified') {
      flags.add('binary-replaced', () => ({ ...plain, detail: linkDetail(c, probe) }), plain);
      continue;
    }
    if (c.type === 'file' && (!st || (st.mode & 0o111) === 0)) continue;
    const name = path.basename(c.path);
    const shadowed = pathDirs.slice(at + 1).map((d) => path.join(d, name)).find((p) => probe.hostExecutable(p));
    if (shadowed) flags.add('path-shim', { ...plain, detail: [`shadows ${shadowed}`, ...linkDetail(c, probe)] }, plain);
    else flags.add('path-executable', () => ({ ...plain, detail: linkDetail(c, probe) }), plain);
  }
  for (const r of input.registry) {
    if (r.kind === 'deleted' || !WINDOWS_AUTOSTART_KEYS.some((re) => re.test(r.key))) continue;
    const shown = r.value === undefined ? r.key : `${r.key}\\${r.value === '' ? '(Default)' : r.value}`;
    const detail = r.after ? [clip(`${r.after.type} ${r.after.data}`)] : [];
    flags.add('windows-autostart', { path: shown, change: r.kind, detail }, { path: shown, change: r.kind });
  }
  return flags.toList();
}

function linkDetail(c: Change, probe: VersionProbe): string[] {
  if (c.type !== 'symlink') return [];
  const target = probe.linkOf(c.path);
  return target === null ? [] : [`-> ${clip(target)}`];
}

/** A few lines that say what the VM's version of a config or script does. */
function describeVersion(c: Change, probe: VersionProbe): string[] {
  if (c.type === 'symlink') return linkDetail(c, probe);
  const mine = probe.readVm(c.path, MAX_READ_BYTES);
  if (mine === null) return [];
  const theirs = c.kind === 'modified' ? probe.readHost(c.path, MAX_READ_BYTES) : null;
  return describeText(mine, theirs, c.path.endsWith('.desktop'));
}

/**
 * Detail lines for a text file: for a .desktop file the program it starts and the types it
 * handles; for a modified file the lines it gained (`+`) and lost (`-`); for a new file its
 * first lines that are not comments.
 */
export function describeText(mine: string, host: string | null, desktop: boolean): string[] {
  const lines = mine.split(/\r?\n/).map((l) => l.trim());
  if (desktop) {
    const keys = ['Exec=', 'MimeType=', 'Hidden=', 'NoDisplay='];
    return keys.map((k) => lines.find((l) => l.startsWith(k))).filter((l): l is string => l !== undefined && l !== 'Hidden=false' && l !== 'NoDisplay=false').map(clip);
  }
  let shown: string[];
  if (host !== null) {
    const before = new Set(host.split(/\r?\n/).map((l) => l.trim()));
    const after = new Set(lines);
    const gained = lines.filter((l) => l !== '' && !before.has(l)).map((l) => `+ ${l}`);
    const lost = [...before].filter((l) => l !== '' && !after.has(l)).map((l) => `- ${l}`);
    shown = [...gained, ...lost];
  } else shown = lines.filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith(';'));
  const out = shown.slice(0, MAX_DETAIL_LINES).map(clip);
  if (shown.length > MAX_DETAIL_LINES) out.push(`… ${shown.length - MAX_DETAIL_LINES} more line(s)`);
  return out;
}

function clip(line: string): string {
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}

const TOP = 10;

/** Counts, bytes, the biggest files and the busiest directories of a diff. */
export function summarize(changes: readonly Change[], home: string, registryChanges = 0): ReportSummary {
  let added = 0;
  let modified = 0;
  let deleted = 0;
  let bytesAdded = 0;
  let bytesModified = 0;
  const largest: Array<{ path: string; size: number; kind: ChangeKind }> = [];
  const dirs = new Map<string, { changes: number; bytes: number }>();
  for (const c of changes) {
    if (c.kind === 'added') added++;
    else if (c.kind === 'modified') modified++;
    else deleted++;
    const bytes = c.kind === 'deleted' || c.type !== 'file' ? 0 : c.size;
    if (c.kind === 'added') bytesAdded += bytes;
    if (c.kind === 'modified') bytesModified += bytes;
    if (c.type === 'file' && c.kind !== 'deleted' && (largest.length < TOP || c.size > largest[largest.length - 1].size)) {
      largest.push({ path: c.path, size: c.size, kind: c.kind });
      largest.sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : 1));
      if (largest.length > TOP) largest.pop();
    }
    const key = dirKey(c.path, home);
    const d = dirs.get(key) ?? { changes: 0, bytes: 0 };
    d.changes++;
    d.bytes += bytes;
    dirs.set(key, d);
  }
  const topDirs = [...dirs]
    .map(([p, d]) => ({ path: p, ...d }))
    .sort((a, b) => b.changes - a.changes || b.bytes - a.bytes || (a.path < b.path ? -1 : 1))
    .slice(0, TOP);
  return { changes: changes.length, added, modified, deleted, bytesAdded, bytesModified, largest, topDirs, registryChanges };
}

/**
 * The directory a change is counted under: its parent, cut to two levels below the home
 * (`~/.local/share`, `~/.mozilla/firefox`) or three below the root (`/usr/local/lib`), so a
 * package's thousand files add up under one line.
 */
export function dirKey(hostPath: string, home: string): string {
  const parent = path.dirname(hostPath);
  const depth = isWithin(parent, home) && home !== '/' ? home.split('/').length - 1 + 2 : 3;
  const parts = parent.split('/');
  return parts.length - 1 <= depth ? parent : parts.slice(0, depth + 1).join('/');
}
