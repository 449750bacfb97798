/**
 * Registry key paths as the Browse view walks them: roots, parents, breadcrumbs.
 *
 * The engine parses and checks every path (src/registry/key-path.ts); this only splits and joins
 * them for navigation, and knows which paths are the roots of Wine's hive files.
 */

/** The roots the Browse view offers, in the order shown. */
export const BROWSE_ROOTS = ['HKLM', 'HKCU', 'HKU'] as const;

const LONG_ROOTS: ReadonlyMap<string, string> = new Map([
  ['hkey_local_machine', 'HKLM'],
  ['hklm', 'HKLM'],
  ['hkey_current_user', 'HKCU'],
  ['hkcu', 'HKCU'],
  ['hkey_users', 'HKU'],
  ['hku', 'HKU'],
  ['hkey_classes_root', 'HKCR'],
  ['hkcr', 'HKCR'],
]);

/** Components of a key path, the root in its short form; empty components dropped. */
export function keyParts(path: string): string[] {
  const parts = path.split('\\').filter((p) => p !== '');
  if (parts.length > 0) parts[0] = LONG_ROOTS.get(parts[0].toLowerCase()) ?? parts[0];
  return parts;
}

/** `HKEY_CURRENT_USER\Software\` → `HKCU\Software`. */
export function normalizeKeyPath(path: string): string {
  return keyParts(path.trim()).join('\\');
}

export function childKeyPath(path: string, name: string): string {
  return `${normalizeKeyPath(path)}\\${name}`;
}

/** The parent key, or null for a root. */
export function parentKeyPath(path: string): string | null {
  const parts = keyParts(path);
  return parts.length > 1 ? parts.slice(0, -1).join('\\') : null;
}

/** The last component: the key's own name. */
export function keyName(path: string): string {
  const parts = keyParts(path);
  return parts[parts.length - 1] ?? '';
}

/** One crumb per component, each with the path up to it. */
export function breadcrumbs(path: string): { readonly name: string; readonly path: string }[] {
  const parts = keyParts(path);
  return parts.map((name, i) => ({ name, path: parts.slice(0, i + 1).join('\\') }));
}


/** True when `key` is `ancestor` or below it (case-insensitive, as Windows compares key names). */
export function isKeyWithin(key: string, ancestor: string): boolean {
  const k = key.toLowerCase();
  const a = ancestor.toLowerCase();
  return k === a || k.startsWith(`${a}\\`);
}

/** True for a hive's root (`HKCU`, `HKU\.Default` …) and for `HKU`: no values can be set there. */
export function isHiveRoot(path: string): boolean {
  const parts = keyParts(path);
  return parts.length <= 1 || (parts.length === 2 && parts[0] === 'HKU');
}
