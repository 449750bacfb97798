/**
 * An in-memory Windows registry for the fake engine: the host's keys, and per VM a copy it
 * changes, diffed key by key like the real engine's delta (src/fvm-core/registry/). One Wine
 * prefix, no hive files, no noise filter (a fixed noise change stands in for Wine's own).
 *
 * Like the real engine, a hive's root (`HKCU`, `HKLM`) lists its top-level keys and `HKU` its
 * two users; no value can be set on a root.
 */
import { FvmError } from '../../src/shared/errors.js';
import type { RegistryChange, RegistryKeyInfo, RegistryValueInfo, RegWritableType } from '../../src/shared/types.js';

export const FAKE_PREFIX = '/home/user/.wine';

interface Key {
  /** The key's path in the case it was made. */
  readonly path: string;
  values: Map<string, RegistryValueInfo>;
}

type Tree = Map<string, Key>;

const NOISE: RegistryChange = { prefix: FAKE_PREFIX, kind: 'deleted', key: 'HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion\\NetworkCards' };

function fold(path: string): string {
  return path.toLowerCase();
}

function notFound(key: string): FvmError {
  return new FvmError('REGISTRY_KEY_NOT_FOUND', `registry key not found: ${key} (prefix ${FAKE_PREFIX})`, 'Check the path; `fvm reg query VM HKCU\\Software` lists the subkeys of a key.');
}

/** `HKLM\Software` in the 32-bit view is `HKLM\Software\Wow6432Node`. */
function stored(key: string, view?: '64' | '32'): string {
  const parts = key.split('\\').filter((p) => p !== '');
  if (view === '32' && fold(parts[0]) === 'hklm' && fold(parts[1]) === 'software' && fold(parts[2] ?? '') !== 'wow6432node') parts.splice(2, 0, 'Wow6432Node');
  return parts.join('\\');
}

function describe(type: RegWritableType, data: string): string {
  if (type !== 'REG_DWORD' && type !== 'REG_QWORD') return data;
  const t = data.trim();
  if (!/^(0x[0-9a-f]+|[0-9]+)$/i.test(t)) throw new FvmError('INVALID_ARGUMENT', `'${data}' is not a number`, `${type} data is a number: decimal (42) or hexadecimal (0x2a).`);
  const n = BigInt(t);
  return `0x${n.toString(16).padStart(type === 'REG_DWORD' ? 8 : 16, '0')} (${n})`;
}

function copyTree(tree: Tree): Tree {
  return new Map([...tree].map(([id, k]) => [id, { path: k.path, values: new Map(k.values) }]));
}

function within(id: string, top: string): boolean {
  return id === top || id.startsWith(`${top}\\`);
}

/** The host's registry; every VM's starts as a copy of it. */
export class FakeHostRegistry {
  tree: Tree = new Map();

  constructor() {
    this.seed('HKCU\\Software\\Wine', [{ name: 'Version', type: 'REG_SZ', data: 'win10' }]);
    this.seed('HKCU\\Control Panel\\Desktop', [{ name: 'Wallpaper', type: 'REG_SZ', data: '' }]);
    this.seed('HKLM\\Software\\Microsoft\\Windows\\CurrentVersion', [{ name: 'ProgramFilesDir', type: 'REG_SZ', data: 'C:\\Program Files' }]);
    this.seed('HKLM\\Software\\Microsoft\\Windows NT\\CurrentVersion\\NetworkCards', []);
    this.seed('HKLM\\Software\\Wow6432Node\\Microsoft', []);
  }

  /** Adds a key with its parents and values. */
  seed(path: string, values: readonly RegistryValueInfo[]): void {
    addKey(this.tree, path);
    const k = this.tree.get(fold(path))!;
    for (const v of values) k.values.set(fold(v.name), v);
  }
}

function addKey(tree: Tree, path: string): Key {
  const parts = path.split('\\');
  for (let i = 2; i <= parts.length; i++) {
    const p = parts.slice(0, i).join('\\');
    if (!tree.has(fold(p))) tree.set(fold(p), { path: p, values: new Map() });
  }
  return tree.get(fold(path))!;
}

/** One VM's registry over the host's. */
export class FakeVmRegistry {
  tree: Tree;
  /** A program ran and Wine wrote its own noise. */
  noisy = false;

  constructor(private readonly host: FakeHostRegistry) {
    this.tree = copyTree(host.tree);
  }

  copy(): FakeVmRegistry {
    const c = new FakeVmRegistry(this.host);
    c.tree = copyTree(this.tree);
    c.noisy = this.noisy;
    return c;
  }

  query(input: { key: string; view?: '64' | '32' }): { prefix: string; keys: RegistryKeyInfo[] } {
    const path = stored(input.key, input.view);
    const root = path.split('\\').length === 1;
    if (root && fold(path) === 'hku') return { prefix: FAKE_PREFIX, keys: [{ key: 'HKU', values: [], subkeys: ['.Default', 'S-1-5-21-0-0-0-1000'] }] };
    const k = root ? { path: path.toUpperCase(), values: new Map<string, RegistryValueInfo>() } : this.tree.get(fold(path));
    if (!k) throw notFound(input.key);
    const depth = path.split('\\').length;
    const subkeys = [...this.tree.values()].filter((s) => within(fold(s.path), fold(path)) && s.path.split('\\').length === depth + 1).map((s) => s.path.split('\\')[depth]);
    return { prefix: FAKE_PREFIX, keys: [{ key: k.path, values: [...k.values.values()], subkeys: subkeys.sort((a, b) => (fold(a) < fold(b) ? -1 : 1)) }] };
  }

  add(input: { key: string; view?: '64' | '32'; value?: { name: string; type: RegWritableType; data: string } }): { prefix: string; key: string } {
    const path = stored(input.key, input.view);
    if (!path.includes('\\')) {
      throw new FvmError('INVALID_ARGUMENT', `invalid registry key path "${input.key}": name a key below the root`, 'Write a key as ROOT\\path, e.g. HKCU\\Software\\Wine.');
    }
    const k = addKey(this.tree, path);
    if (input.value) k.values.set(fold(input.value.name), { name: input.value.name, type: input.value.type, data: describe(input.value.type, input.value.data) });
    return { prefix: FAKE_PREFIX, key: k.path };
  }

  delete(input: { key: string; view?: '64' | '32'; value?: string }): { prefix: string; key: string; value?: string } {
    const path = stored(input.key, input.view);
    const k = this.tree.get(fold(path));
    if (!k) throw notFound(input.key);
    if (input.value !== undefined) {
      if (!k.values.delete(fold(input.value))) throw new FvmError('REGISTRY_KEY_NOT_FOUND', `no value '${input.value}' in ${input.key}`, 'Check the value name.');
      return { prefix: FAKE_PREFIX, key: k.path, value: input.value };
    }
    for (const id of [...this.tree.keys()]) if (within(id, fold(path))) this.tree.delete(id);
    return { prefix: FAKE_PREFIX, key: k.path };
  }

  /** Key and value changes against the host, keys in tree order. */
  diff(includeNoise = false): RegistryChange[] {
    const out = diffTrees(this.host.tree, this.tree);
    return includeNoise && this.noisy ? [NOISE, ...out] : out;
  }

  /** Merges the subtrees of `keys` into the host; returns what changed there. */
  commit(keys: readonly string[] | undefined, dryRun: boolean): RegistryChange[] {
    const tops = keys?.map((k) => fold(stored(k)));
    const selected = (id: string) => !tops || tops.some((t) => within(id, t));
    const changes = this.diff().filter((c) => selected(fold(c.key)));
    if (keys && keys.length > 0 && changes.length === 0) {
      throw new FvmError('PATH_NOT_CHANGED', `${keys[0]} is not among the VM's registry changes`, 'See them with `fvm reg diff NAME`; --key takes one of those keys or a key above them.');
    }
    if (dryRun) return changes;
    for (const id of [...this.host.tree.keys()]) if (selected(id) && !this.tree.has(id)) this.host.tree.delete(id);
    for (const [id, k] of this.tree) if (selected(id)) this.host.tree.set(id, { path: k.path, values: new Map(k.values) });
    return changes;
  }
}

function diffTrees(before: Tree, after: Tree): RegistryChange[] {
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort();
  const out: RegistryChange[] = [];
  for (const id of ids) {
    const b = before.get(id);
    const a = after.get(id);
    if (b && !a) {
      out.push({ prefix: FAKE_PREFIX, kind: 'deleted', key: b.path });
      continue;
    }
    if (!a) continue;
    if (!b) out.push({ prefix: FAKE_PREFIX, kind: 'added', key: a.path });
    const names = [...new Set([...(b?.values.keys() ?? []), ...a.values.keys()])];
    for (const n of names) {
      const bv = b?.values.get(n);
      const av = a.values.get(n);
      if (bv && av && bv.type === av.type && bv.data === av.data) continue;
      const kind = !bv ? 'added' : !av ? 'deleted' : 'modified';
      out.push({ prefix: FAKE_PREFIX, kind, key: a.path, value: (av ?? bv)!.name, ...(bv ? { before: bv } : {}), ...(av ? { after: av } : {}) });
    }
  }
  return out;
}
