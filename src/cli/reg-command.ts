/**
 * `fvm reg query|add|delete|diff|export|import NAME …`: the VM's Windows registry (DESIGN.md §6).
 *
 * Every subcommand works on the VM's view of one Wine prefix: `--prefix DIR`, else $WINEPREFIX,
 * else ~/.wine. Key paths are Windows' (`HKCU\Software\X`, `HKEY_LOCAL_MACHINE\…`); `--32` reads
 * and writes what a 32-bit program sees (Wow6432Node), like `reg /reg:32`.
 */
import os from 'node:os';
import path from 'node:path';
import { FvmError } from '../shared/errors.js';
import { assertVmName } from '../shared/names.js';
import { REG_WRITABLE_TYPES, type RegWritableType } from '../shared/types.js';
import { normalizeHostPath } from '../redirect/host-path.js';
import type { Engine } from '../fvm-core/engine.js';
import { expectPositionals, one, parseArgs, usage, type OptionSpec, type Parsed } from './args.js';
import { formatRegistryChanges, formatRegistryKeys } from './format-registry.js';

export interface RegCtx {
  readonly json: boolean;
  readonly engine: () => Engine;
  out(text: string): void;
  doc(value: unknown): void;
}

const COMMON: OptionSpec = { prefix: 'value', '32': 'flag' };

function parse(sub: string, args: readonly string[], spec: OptionSpec, names: string, min: number, max: number): Parsed {
  const p = parseArgs(args, { ...COMMON, ...spec }, `reg ${sub}`);
  expectPositionals(p, `reg ${sub}`, min, max, names);
  return p;
}

/** --prefix, else an absolute $WINEPREFIX, else the engine's default (~/.wine). */
function prefixOf(p: Parsed): string | undefined {
  const given = one(p, 'prefix');
  if (given !== undefined) return normalizeHostPath(given, os.homedir());
  const env = process.env.WINEPREFIX;
  return env && path.isAbsolute(env) ? path.resolve(env) : undefined;
}

function viewOf(p: Parsed): '32' | undefined {
  return p.flags.has('32') ? '32' : undefined;
}

const SUBCOMMANDS: Record<string, (args: readonly string[], ctx: RegCtx) => Promise<number>> = {
  async query(args, ctx) {
    const p = parse('query', args, { recursive: 'flag' }, 'NAME KEY', 2, 2);
    const r = await ctx.engine().invoke('reg:query', {
      name: assertVmName(p.positional[0]),
      key: p.positional[1],
      prefix: prefixOf(p),
      view: viewOf(p),
      recursive: p.flags.has('recursive'),
    });
    if (ctx.json) ctx.doc(r);
    else ctx.out(formatRegistryKeys(r.keys));
    return 0;
  },

  async add(args, ctx) {
    const p = parse('add', args, { value: 'value', default: 'flag', type: 'value', data: 'value' }, 'NAME KEY', 2, 2);
    const valueName = p.flags.has('default') ? '' : one(p, 'value');
    const typeText = one(p, 'type');
    const data = one(p, 'data');
    if (valueName === undefined && (typeText !== undefined || data !== undefined)) {
      throw usage('reg add: --type and --data need --value NAME (or --default)', 'Example: fvm reg add VM "HKCU\\Software\\X" --value A --data 1');
    }
    const type = (typeText ?? 'REG_SZ').toUpperCase();
    if (!(REG_WRITABLE_TYPES as readonly string[]).includes(type)) {
      throw new FvmError('INVALID_ARGUMENT', `unknown registry type '${typeText}'`, `Use one of ${REG_WRITABLE_TYPES.join(', ')}.`);
    }
    const r = await ctx.engine().invoke('reg:add', {
      name: assertVmName(p.positional[0]),
      key: p.positional[1],
      prefix: prefixOf(p),
      view: viewOf(p),
      value: valueName === undefined ? undefined : { name: valueName, type: type as RegWritableType, data: data ?? '' },
    });
    if (ctx.json) ctx.doc(r);
    else ctx.out(`${valueName === undefined ? 'created' : `set ${valueName === '' ? '(default)' : `"${valueName}"`} in`} ${r.key} (prefix ${r.prefix}; the host's hive is unchanged)`);
    return 0;
  },

  async delete(args, ctx) {
    const p = parse('delete', args, { value: 'value', default: 'flag' }, 'NAME KEY', 2, 2);
    const value = p.flags.has('default') ? '' : one(p, 'value');
    const r = await ctx.engine().invoke('reg:delete', { name: assertVmName(p.positional[0]), key: p.positional[1], prefix: prefixOf(p), view: viewOf(p), value });
    if (ctx.json) ctx.doc(r);
    else ctx.out(`deleted ${value === undefined ? 'key' : value === '' ? '(default) of' : `"${value}" of`} ${r.key} in the VM (prefix ${r.prefix})`);
    return 0;
  },

  async diff(args, ctx) {
    const p = parse('diff', args, { noise: 'flag' }, 'NAME', 1, 1);
    const r = await ctx.engine().invoke('reg:diff', { name: assertVmName(p.positional[0]), prefix: one(p, 'prefix') === undefined ? undefined : prefixOf(p), includeNoise: p.flags.has('noise') });
    if (ctx.json) ctx.doc(r);
    else if (r.changes.length) ctx.out(formatRegistryChanges(r.changes, true));
    return 0;
  },

  async export(args, ctx) {
    const p = parse('export', args, { regedit4: 'flag' }, 'NAME KEY FILE', 3, 3);
    const r = await ctx.engine().invoke('reg:export', {
      name: assertVmName(p.positional[0]),
      key: p.positional[1],
      file: normalizeHostPath(p.positional[2], os.homedir()),
      prefix: prefixOf(p),
      view: viewOf(p),
      format: p.flags.has('regedit4') ? 'regedit4' : 'v5',
    });
    if (ctx.json) ctx.doc(r);
    else ctx.out(`exported ${r.keys} key(s) to ${r.file}`);
    return 0;
  },

  async import(args, ctx) {
    const p = parse('import', args, {}, 'NAME FILE', 2, 2);
    const r = await ctx.engine().invoke('reg:import', { name: assertVmName(p.positional[0]), file: normalizeHostPath(p.positional[1], os.homedir()), prefix: prefixOf(p) });
    if (ctx.json) ctx.doc(r);
    else ctx.out(`imported ${r.keys} key(s), ${r.values} value(s) into the VM (prefix ${r.prefix}; the host's hive is unchanged)`);
    return 0;
  },
};

export const REG_USAGE = `usage: fvm reg SUBCOMMAND NAME ... [--prefix DIR] [--32]
  query NAME KEY [--recursive]          a key's values and subkeys in the VM
  add NAME KEY [--value V | --default] [--type REG_SZ|REG_EXPAND_SZ|REG_MULTI_SZ|REG_DWORD|REG_QWORD|REG_BINARY|REG_NONE] [--data D]
  delete NAME KEY [--value V | --default]
                                        a key with its subkeys, or one value
  diff NAME [--noise]                   the VM's registry changes (Wine's own noise hidden unless --noise)
  export NAME KEY FILE [--regedit4]     the key and its subtree as a .reg file (regedit's Unicode format)
  import NAME FILE                      a .reg file (Version 5.00 or REGEDIT4) into the VM
The prefix is --prefix, else $WINEPREFIX, else ~/.wine. Changes stay in the VM until fvm commit.`;

export async function runReg(args: readonly string[], ctx: RegCtx): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub) throw usage('reg needs a subcommand', REG_USAGE);
  const fn = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
  if (!fn) throw usage(`unknown reg subcommand '${sub}'`, REG_USAGE);
  return fn(rest, ctx);
}
