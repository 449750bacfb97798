/**
 * User-facing registry key paths (`HKCU\Software\X`) and where Wine stores them.
 *
 * HKLM lives in `system.reg` (root `REGISTRY\Machine`), HKCU in `user.reg` (root
 * `REGISTRY\User\S-1-5-21-0-0-0-1000`, whatever the Unix user), `HKU\.Default` in `userdef.reg`.
 * HKCR is not a file: it is HKCU\Software\Classes laid over HKLM\Software\Classes. The 32-bit
 * view of HKLM\Software (what x86 installers write) is `Software\Wow6432Node` in `system.reg`.
 */
import { FvmError } from '../shared/errors.js';
import { DEFAULT_USER_ROOT, MACHINE_ROOT, USER_ROOT, USER_SID } from './reg-model.js';
import { foldName } from './reg-names.js';

/** The three hive files of a Wine prefix. */
export type HiveFile = 'system.reg' | 'user.reg' | 'userdef.reg';
/** Every hive file, in the order the engine handles them. */
export const HIVE_FILES: readonly HiveFile[] = ['system.reg', 'user.reg', 'userdef.reg'];
/** A registry root in its short form. */
export type RootName = 'HKLM' | 'HKCU' | 'HKU' | 'HKCR';
/** Registry view: '64' is the native one; '32' is what 32-bit programs see (KEY_WOW64_32KEY). */
export type RegView = '64' | '32';

/** A key inside one hive file, by its path relative to the file's root. */
export interface HiveKeyRef {
  readonly hive: HiveFile;
  readonly path: readonly string[];
}

/** A parsed user-facing key path and the stored keys it stands for. */
export interface ResolvedKeyPath {
  readonly root: RootName;
  /** Components after the root, as typed. */
  readonly subpath: readonly string[];
  /** Where the key is stored, in lookup order: one target, or HKCU then HKLM classes for HKCR. */
  readonly targets: readonly HiveKeyRef[];
}

const ROOTS: ReadonlyMap<string, RootName> = new Map([
  ['hkey_local_machine', 'HKLM'],
  ['hklm', 'HKLM'],
  ['hkey_current_user', 'HKCU'],
  ['hkcu', 'HKCU'],
  ['hkey_users', 'HKU'],
  ['hku', 'HKU'],
  ['hkey_classes_root', 'HKCR'],
  ['hkcr', 'HKCR'],
]);

const WOW = 'Wow6432Node';
/** Windows' limit on a key name (Wine's server allows one unit more). */
const MAX_NAME = 255;
const HINT =
  'Write a key as ROOT\\path, e.g. HKCU\\Software\\Wine. Roots: HKLM, HKCU, HKU, HKCR (or HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, HKEY_USERS, HKEY_CLASSES_ROOT).';

/** The root a name stands for (`HKEY_LOCAL_MACHINE`, `hklm`, … in any case), or null. */
export function rootName(name: string): RootName | null {
  return ROOTS.get(name.toLowerCase()) ?? null;
}

function invalid(input: string, why: string): FvmError {
  return new FvmError('INVALID_ARGUMENT', `invalid registry key path "${input}": ${why}`, HINT);
}

/** The root components a hive file's header carries. */
export function hiveRoot(hive: HiveFile): readonly string[] {
  return hive === 'system.reg' ? MACHINE_ROOT : hive === 'user.reg' ? USER_ROOT : DEFAULT_USER_ROOT;
}

/** The hive file whose header names this root, or null for a root Wine keeps in no file. */
export function hiveFileForRoot(root: readonly string[] | null): HiveFile | null {
  if (root === null) return null;
  for (const hive of HIVE_FILES) {
    const r = hiveRoot(hive);
    if (r.length === root.length && r.every((c, i) => foldName(c) === foldName(root[i]))) return hive;
  }
  return null;
}

/**
 * Parses a user-facing key path and maps it to the hive file(s) that store it.
 *
 * Accepts full and short root names in any case, `\Registry\Machine\…` and
 * `\Registry\User\<sid>\…` (the form of link targets), and one trailing backslash. In the '32'
 * view, HKLM\Software and the classes are redirected to their `Wow6432Node` keys, as Wine does
 * for 32-bit programs; a path that names `Wow6432Node` itself is taken as written.
 */
export function parseKeyPath(input: string, options: { view?: RegView } = {}): ResolvedKeyPath {
  const view = options.view ?? '64';
  // Not trimmed: a key name may end in a space, and a stray one before the root is reported.
  let text = input;
  if (text === '') throw invalid(input, 'the path is empty');
  if (text.endsWith('\\') && !text.endsWith('\\\\')) text = text.slice(0, -1);
  let parts = text.split('\\');
  if (parts[0] === '' && parts.length > 1 && foldName(parts[1]) === 'registry') parts = ntToUser(parts.slice(2), input);
  for (const p of parts) {
    if (p === '') throw invalid(input, 'it has an empty key name (two backslashes in a row, or a leading backslash)');
    if (p.length > MAX_NAME) throw invalid(input, `a key name is longer than ${MAX_NAME} characters`);
  }
  const root = rootName(parts[0]);
  if (!root) throw invalid(input, `"${parts[0]}" is not a registry root`);
  const subpath = parts.slice(1);
  switch (root) {
    case 'HKLM':
      return { root, subpath, targets: [{ hive: 'system.reg', path: view === '32' ? redirectMachine(subpath) : subpath }] };
    case 'HKCU':
      return { root, subpath, targets: [{ hive: 'user.reg', path: view === '32' ? redirectUser(subpath) : subpath }] };
    case 'HKCR': {
      const classes = view === '32' ? redirectClasses(subpath) : subpath;
      const path = ['Software', 'Classes', ...classes];
      return { root, subpath, targets: [{ hive: 'user.reg', path }, { hive: 'system.reg', path }] };
    }
    case 'HKU': {
      if (subpath.length === 0) throw invalid(input, 'HKU itself is not stored in a hive; name a user, e.g. HKU\\.Default');
      const who = foldName(subpath[0]);
      const rest = subpath.slice(1);
      if (who === foldName(USER_SID)) return { root, subpath, targets: [{ hive: 'user.reg', path: view === '32' ? redirectUser(rest) : rest }] };
      if (who === '.default') return { root, subpath, targets: [{ hive: 'userdef.reg', path: rest }] };
      throw invalid(input, `Wine stores only the users ${USER_SID} and .Default in a prefix`);
    }
  }
}

/** `\Registry\Machine\X` → HKLM\X; `\Registry\User\<sid>\X` → HKU\<sid>\X. */
function ntToUser(rest: string[], input: string): string[] {
  const head = rest.length > 0 ? foldName(rest[0]) : '';
  if (head === 'machine') return ['HKLM', ...rest.slice(1)];
  if (head === 'user') return ['HKU', ...rest.slice(1)];
  throw invalid(input, 'an NT path must start with \\Registry\\Machine or \\Registry\\User');
}

function isWow(name: string | undefined): boolean {
  return name !== undefined && foldName(name) === foldName(WOW);
}

function redirectClasses(rest: readonly string[]): readonly string[] {
  return isWow(rest[0]) ? rest : [WOW, ...rest];
}

function redirectMachine(sub: readonly string[]): readonly string[] {
  if (sub.length === 0 || foldName(sub[0]) !== 'software') return sub;
  const rest = sub.slice(1);
  if (rest.length > 0 && foldName(rest[0]) === 'classes') return [sub[0], rest[0], ...redirectClasses(rest.slice(1))];
  return isWow(rest[0]) ? sub : [sub[0], WOW, ...rest];
}

function redirectUser(sub: readonly string[]): readonly string[] {
  if (sub.length >= 2 && foldName(sub[0]) === 'software' && foldName(sub[1]) === 'classes') {
    return [sub[0], sub[1], ...redirectClasses(sub.slice(2))];
  }
  return sub;
}

/**
 * Where a write through HKCR lands: the user's classes if the key exists there, else the
 * machine's (Windows' rule for an administrator's process; Wine's own HKCR is the machine's).
 */
export function hkcrWriteTarget(resolved: ResolvedKeyPath, existsInUser: boolean): HiveKeyRef {
  if (resolved.targets.length === 1) return resolved.targets[0];
  return existsInUser ? resolved.targets[0] : resolved.targets[resolved.targets.length - 1];
}

/** The root and leading components under which users see a hive file's keys. */
export function userRootOf(hive: HiveFile): { readonly root: RootName; readonly prefix: readonly string[] } {
  return hive === 'system.reg' ? { root: 'HKLM', prefix: [] } : hive === 'user.reg' ? { root: 'HKCU', prefix: [] } : { root: 'HKU', prefix: ['.Default'] };
}

/** The user-facing path of a key in a hive file, as stored (Wow6432Node left visible). */
export function toUserPath(ref: HiveKeyRef): string {
  const { root, prefix } = userRootOf(ref.hive);
  return [root, ...prefix, ...ref.path].join('\\');
}

/**
 * How a 32-bit program names a stored key: `Software\Wow6432Node\X` in system.reg is
 * `HKLM\Software\X` in the 32-bit view (research/wine-reg-format.md §10).
 */
export function toViewPath(ref: HiveKeyRef): { readonly path: string; readonly view: RegView } {
  const p = ref.path;
  const soft = p.length >= 2 && foldName(p[0]) === 'software';
  if (soft && ref.hive === 'system.reg' && isWow(p[1])) {
    return { path: toUserPath({ hive: ref.hive, path: [p[0], ...p.slice(2)] }), view: '32' };
  }
  if (soft && ref.hive !== 'userdef.reg' && p.length >= 3 && foldName(p[1]) === 'classes' && isWow(p[2])) {
    return { path: toUserPath({ hive: ref.hive, path: [p[0], p[1], ...p.slice(3)] }), view: '32' };
  }
  return { path: toUserPath(ref), view: '64' };
}
