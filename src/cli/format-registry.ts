/** Text output of registry results: `fvm reg query`, `fvm reg diff` and the registry part of `fvm diff`. */
import type { ChangeKind, RegistryChange, RegistryKeyInfo, RegistryValueInfo } from '../shared/types.js';

const LETTER: Readonly<Record<ChangeKind, string>> = { added: 'A', modified: 'M', deleted: 'D' };

function valueName(name: string): string {
  return name === '' ? '(Default)' : name;
}

function valueText(v: RegistryValueInfo): string {
  return `${v.type} ${JSON.stringify(v.data)}`;
}

/** Like `reg query`: the key, its values (name, type, data), then its subkeys. */
export function formatRegistryKeys(keys: readonly RegistryKeyInfo[]): string {
  const out: string[] = [];
  for (const k of keys) {
    if (out.length) out.push('');
    out.push(k.key);
    const width = Math.max(0, ...k.values.map((v) => valueName(v.name).length));
    for (const v of k.values) out.push(`    ${valueName(v.name).padEnd(width)}    ${v.type}    ${v.data}`);
    for (const s of k.subkeys) out.push(`    ${k.key}\\${s}`);
  }
  return out.join('\n');
}

/**
 * One line per changed key (`A|M|D KEY`); with `values`, the key's changed values under it:
 * `    A "name" REG_SZ "data"`, `    M "name" old -> new`. A key that exists on both sides is `M`.
 */
export function formatRegistryChanges(changes: readonly RegistryChange[], values: boolean): string {
  const byKey = new Map<string, RegistryChange[]>();
  for (const c of changes) {
    const id = `${c.prefix}\0${c.key}`;
    const list = byKey.get(id);
    if (list) list.push(c);
    else byKey.set(id, [c]);
  }
  const prefixes = new Set(changes.map((c) => c.prefix));
  const out: string[] = [];
  for (const list of byKey.values()) {
    const own = list.find((c) => c.value === undefined);
    const kind = own?.kind ?? 'modified';
    const where = prefixes.size > 1 ? `  [${list[0].prefix}]` : '';
    out.push(`${LETTER[kind]} ${list[0].key}${where}`);
    if (!values) continue;
    for (const c of list) {
      if (c.value === undefined) continue;
      const name = JSON.stringify(valueName(c.value));
      if (c.kind === 'added' && c.after) out.push(`    A ${name} ${valueText(c.after)}`);
      else if (c.kind === 'deleted') out.push(`    D ${name}${c.before ? ` (was ${valueText(c.before)})` : ''}`);
      else if (c.before && c.after) out.push(`    M ${name} ${valueText(c.before)} -> ${valueText(c.after)}`);
    }
  }
  return out.join('\n');
}

