/**
 * The VM's registry changes grouped by key, and the rows the Changes view lists: one per key,
 * followed by its values when the key is expanded.
 */
import type { ChangeKind, RegistryChange } from '../../src/shared/types.js';

export interface RegistryKeyGroup {
  /** Prefix and key: the same key in two Wine prefixes is two groups. */
  readonly id: string;
  readonly prefix: string;
  readonly key: string;
  /** The key's own change; `modified` when only its values changed. */
  readonly kind: ChangeKind;
  /** Changes of its values, in the engine's order. */
  readonly values: readonly RegistryChange[];
}

export type RegistryRow =
  | { readonly kind: 'key'; readonly id: string; readonly group: RegistryKeyGroup }
  | { readonly kind: 'value'; readonly id: string; readonly group: RegistryKeyGroup; readonly change: RegistryChange };

/** Orders keys component by component, so a key's subkeys follow it (`A\B` before `A2`). */
export function compareKeys(a: string, b: string): number {
  const pa = a.toLowerCase().split('\\');
  const pb = b.toLowerCase().split('\\');
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** Groups per-key and per-value changes by prefix and key; prefixes, then keys, in tree order. */
export function groupRegistryChanges(changes: readonly RegistryChange[]): RegistryKeyGroup[] {
  const byId = new Map<string, { prefix: string; key: string; kind: ChangeKind | null; values: RegistryChange[] }>();
  for (const c of changes) {
    const id = `${c.prefix}\0${c.key}`;
    let g = byId.get(id);
    if (!g) byId.set(id, (g = { prefix: c.prefix, key: c.key, kind: null, values: [] }));
    if (c.value === undefined) g.kind = c.kind;
    else g.values.push(c);
  }
  const groups: RegistryKeyGroup[] = [];
  for (const [id, g] of byId) groups.push({ id, prefix: g.prefix, key: g.key, kind: g.kind ?? 'modified', values: g.values });
  groups.sort((a, b) => (a.prefix === b.prefix ? compareKeys(a.key, b.key) : a.prefix < b.prefix ? -1 : 1));
  return groups;
}

/** The rows to list: every key, and the values of the expanded ones. */
export function registryRows(groups: readonly RegistryKeyGroup[], expanded: ReadonlySet<string>): RegistryRow[] {
  const rows: RegistryRow[] = [];
  for (const group of groups) {
    rows.push({ kind: 'key', id: group.id, group });
    if (!expanded.has(group.id)) continue;
    for (const change of group.values) rows.push({ kind: 'value', id: `${group.id}\0${change.value ?? ''}`, group, change });
  }
  return rows;
}
