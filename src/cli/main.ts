/**
 * The `fvm` command: a thin client of the engine (DESIGN.md §4). Every command takes --json and
 * then prints exactly one JSON document on stdout; errors are `fvm: CODE: message` plus a hint.
 */
import os from 'node:os';
import { exitStatusFor, FvmError, toErrorData } from '../shared/errors.js';
import type { Progress, Rule } from '../shared/types.js';
import { assertVmName } from '../shared/names.js';
import { normalizeHostPath } from '../redirect/host-path.js';
import { isPresetName, parseRule } from '../redirect/rules.js';
import { openEngine, type Engine } from '../fvm-core/engine.js';
import { expectPositionals, one, parseArgs, usage, type OptionSpec } from './args.js';
import { formatChanges, formatDoctor, formatInfo, formatList, formatPs, formatReport, humanSize, progressLine } from './format.js';
import { HELP, commandHelp } from './help.js';
import type { ImportResult } from '../shared/contract.js';
import { resolveRepositoryLocation } from '../fvm-core/bundle/repo-location.js';
import { runReg } from './reg-command.js';
import { formatRegistryChanges } from './format-registry.js';

interface Ctx {
  readonly json: boolean;
  readonly home: string | undefined;
  readonly engine: () => Engine;
  out(text: string): void;
  doc(value: unknown): void;
}

type Handler = (args: readonly string[], ctx: Ctx) => Promise<number>;

const NETWORKS = ['private', 'none', 'host'] as const;

function progressPrinter(ctx: Ctx): ((p: Progress) => void) | undefined {
  if (ctx.json || !process.stderr.isTTY) return undefined;
  return (p) => {
    process.stderr.write(progressLine(p));
    if (p.done >= p.total) process.stderr.write('\n');
  };
}

function simple(command: string, spec: OptionSpec, names: string, min: number, max: number) {
  return (args: readonly string[]) => {
    const p = parseArgs(args, spec, command);
    expectPositionals(p, command, min, max, names);
    return p;
  };
}

const commands: Record<string, Handler> = {
  async doctor(args, ctx) {
    simple('doctor', {}, '', 0, 0)(args);
    const r = ctx.engine().doctor();
    if (ctx.json) ctx.doc(r);
    else ctx.out(`${formatDoctor(r.checks)}\n${r.ok ? 'FVM can run VMs here.' : 'FVM cannot run VMs here until the failures above are fixed.'}`);
    return r.ok ? 0 : 1;
  },

  async create(args, ctx) {
    const p = simple('create', { network: 'value', rule: 'multi', preset: 'value', hostname: 'value' }, 'NAME', 1, 1)(args);
    const name = assertVmName(p.positional[0]);
    const network = one(p, 'network');
    if (network !== undefined && !(NETWORKS as readonly string[]).includes(network)) {
      throw new FvmError('INVALID_ARGUMENT', `unknown network '${network}'`, 'Use --network private (default: Internet, but not the host\'s localhost), none or host.');
    }
    const preset = one(p, 'preset');
    if (preset !== undefined && !isPresetName(preset)) throw new FvmError('INVALID_ARGUMENT', `unknown preset '${preset}'`, 'Presets: default, untrusted.');
    const rules: Rule[] = (p.values.get('rule') ?? []).map((r) => parseRule(r, os.homedir()));
    const info = await ctx.engine().invoke('vm:create', {
      name,
      network: network as (typeof NETWORKS)[number] | undefined,
      preset: preset as 'default' | 'untrusted' | undefined,
      rules,
      hostname: one(p, 'hostname') ?? null,
    });
    if (ctx.json) ctx.doc(info);
    else ctx.out(`created VM ${info.name} (${info.id}, network ${info.config.network}, preset ${info.config.preset})`);
    return 0;
  },

  async list(args, ctx) {
    simple('list', {}, '', 0, 0)(args);
    const r = await ctx.engine().invoke('vm:list', {});
    if (ctx.json) ctx.doc(r);
    else ctx.out(formatList(r.vms));
    return 0;
  },

  async info(args, ctx) {
    const p = simple('info', {}, 'NAME', 1, 1)(args);
    const r = await ctx.engine().invoke('vm:info', { name: assertVmName(p.positional[0]) });
    if (ctx.json) ctx.doc(r);
    else ctx.out(formatInfo(r));
    return 0;
  },

  async run(args, ctx) {
    const p = parseArgs(args, { root: 'flag', cwd: 'value', env: 'multi' }, 'run');
    expectPositionals(p, 'run', 1, 1, 'NAME -- CMD [ARG...]');
    if (p.rest.length === 0) throw usage('run: missing the command after --', 'Usage: fvm run NAME -- CMD [ARG...]');
    const env: Record<string, string> = {};
    for (const kv of p.values.get('env') ?? []) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(kv);
      if (!m) throw new FvmError('INVALID_ARGUMENT', `--env ${kv} is not K=V`, 'Write --env NAME=value.');
      env[m[1]] = m[2];
    }
    const cwd = one(p, 'cwd');
    const status = await ctx.engine().runAttached(assertVmName(p.positional[0]), {
      command: p.rest,
      cwd: cwd ? normalizeHostPath(cwd, os.homedir()) : undefined,
      env,
      root: p.flags.has('root'),
    });
    if (ctx.json) ctx.doc({ status });
    return status;
  },

  async ps(args, ctx) {
    const p = simple('ps', {}, '[NAME]', 0, 1)(args);
    const name = p.positional[0] !== undefined ? assertVmName(p.positional[0]) : undefined;
    const r = await ctx.engine().invoke('vm:ps', name ? { name } : {});
    if (ctx.json) ctx.doc(r);
    else ctx.out(formatPs(r.processes));
    return 0;
  },

  async suspend(args, ctx) {
    return stateCommand('suspend', args, ctx);
  },
  async resume(args, ctx) {
    return stateCommand('resume', args, ctx);
  },
  async stop(args, ctx) {
    return stateCommand('stop', args, ctx);
  },

  async diff(args, ctx) {
    const p = simple('diff', {}, 'NAME', 1, 1)(args);
    const r = await ctx.engine().invoke('vm:diff', { name: assertVmName(p.positional[0]) });
    if (ctx.json) ctx.doc({ changes: r.changes.map((c) => ({ kind: c.kind, path: c.path, type: c.type })), registry: r.registry });
    else {
      // Host paths first (they start with '/'), then one line per changed registry key.
      const text = [formatChanges(r.changes), formatRegistryChanges(r.registry, false)].filter(Boolean).join('\n');
      if (text) ctx.out(text);
    }
    return 0;
  },

  async report(args, ctx) {
    const p = simple('report', {}, 'NAME', 1, 1)(args);
    const r = await ctx.engine().invoke('vm:report', { name: assertVmName(p.positional[0]) });
    if (ctx.json) ctx.doc(r);
    else ctx.out(formatReport(r));
    return 0;
  },

  async commit(args, ctx) {
    const p = simple('commit', { path: 'multi', key: 'multi', 'dry-run': 'flag', force: 'flag' }, 'NAME', 1, 1)(args);
    const name = assertVmName(p.positional[0]);
    const paths = (p.values.get('path') ?? []).map((x) => normalizeHostPath(x, os.homedir()));
    const keys = p.values.get('key') ?? [];
    const r = await ctx.engine().commit(
      name,
      { paths: paths.length ? paths : undefined, keys: keys.length ? keys : undefined, dryRun: p.flags.has('dry-run'), force: p.flags.has('force') },
      progressPrinter(ctx),
    );
    const regKeys = new Set(r.registry.map((c) => `${c.prefix}\0${c.key}`)).size;
    const what = [r.applied.length ? `${r.applied.length} change(s)` : '', regKeys ? `${regKeys} registry key(s)` : ''].filter(Boolean).join(' and ');
    if (ctx.json) ctx.doc(r);
    else if (!what) ctx.out('nothing to commit');
    else if (r.dryRun) ctx.out(`would commit ${what}:\n${[formatChanges(r.applied), formatRegistryChanges(r.registry, true)].filter(Boolean).join('\n')}`);
    else ctx.out(`committed ${what} as commit ${r.commit} (undo with: fvm uncommit ${name})`);
    return 0;
  },

  async uncommit(args, ctx) {
    const p = simple('uncommit', {}, 'NAME', 1, 1)(args);
    const r = await ctx.engine().invoke('vm:uncommit', { name: assertVmName(p.positional[0]) });
    if (ctx.json) ctx.doc(r);
    else ctx.out(`undid commit ${r.commit} (${r.restored} operation(s) reversed${r.registryHives ? `, ${r.registryHives} registry hive(s) restored` : ''})`);
    return 0;
  },

  async copy(args, ctx) {
    const p = simple('copy', {}, 'SRC DST', 2, 2)(args);
    const r = await ctx.engine().copy(assertVmName(p.positional[0]), assertVmName(p.positional[1]), progressPrinter(ctx));
    if (ctx.json) ctx.doc(r);
    else ctx.out(`copied ${p.positional[0]} to ${r.name} (${r.id})`);
    return 0;
  },

  async ui(args, ctx) {
    const p = simple('ui', { web: 'flag', port: 'value' }, '', 0, 0)(args);
    const portText = one(p, 'port');
    const port = portText === undefined ? undefined : Number(portText);
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
      throw new FvmError('INVALID_ARGUMENT', `ui: --port ${portText} is not a port number`, 'Give a port from 1 to 65535, or 0 for any free port.');
    }
    // Loaded here, not at start: the web server's WebSocket library alone takes longer to load
    // than every other command needs in all.
    const { runUi } = await import('./ui-command.js');
    return runUi({ web: p.flags.has('web'), port, home: ctx.home });
  },

  async delete(args, ctx) {
    const p = simple('delete', {}, 'NAME', 1, 1)(args);
    const r = await ctx.engine().invoke('vm:delete', { name: assertVmName(p.positional[0]) });
    if (ctx.json) ctx.doc(r);
    else ctx.out(`deleted VM ${r.name}`);
    return 0;
  },

  async reg(args, ctx) {
    return runReg(args, ctx);
  },

  // Bundles: one file per VM, for a memory stick (src/fvm-core/bundle/).
  async export(args, ctx) {
    const p = simple('export', {}, 'NAME FILE', 2, 2)(args);
    const name = assertVmName(p.positional[0]);
    const r = await ctx.engine().exportVm(name, normalizeHostPath(p.positional[1], os.homedir()), progressPrinter(ctx));
    if (ctx.json) ctx.doc(r);
    else ctx.out(`exported ${r.name} to ${r.file} (${humanSize(r.bytes)}, ${r.entries} entries)${r.skipped.length ? `; left out ${r.skipped.length} socket(s)/FIFO(s)` : ''}`);
    return 0;
  },

  async import(args, ctx) {
    const p = simple('import', {}, 'FILE [NAME]', 1, 2)(args);
    const name = p.positional[1] === undefined ? undefined : assertVmName(p.positional[1]);
    const r = await ctx.engine().importVm(normalizeHostPath(p.positional[0], os.homedir()), name, progressPrinter(ctx));
    if (ctx.json) ctx.doc(r);
    else ctx.out(importText(r));
    return 0;
  },
};

function importText(r: ImportResult): string {
  const s = r.source;
  const moved = r.relocation;
  return [
    `imported ${r.file} as VM ${r.vm.name} (${r.vm.id}): ${r.entries} entries, ${humanSize(r.bytes)}`,
    `exported by ${s.user} (uid ${s.uid}) on ${s.hostname}, ${s.distribution}, kernel ${s.kernel}, at ${s.exported}`,
    moved
      ? `remapped ${moved.from} -> ${moved.to}: ${moved.paths} path(s), ${moved.deletions} deletion(s), ${moved.symlinks} symlink target(s), ${moved.rules} rule(s)`
      : `remapped nothing: same home ${s.home}`,
    // The config came from elsewhere: show what reaches the host before anything runs in it.
    `network ${r.vm.config.network}; rules ${r.vm.config.rules.map((x) => `${x.mode}:${x.path}`).join(', ') || '(none)'}`,
  ].join('\n');
}

/** A repository on a FAT/exFAT stick keeps bundles: its VMs come in before a command and go back after. */
async function syncPortable(engine: Engine, when: 'before' | 'after'): Promise<void> {
  try {
    const r = await engine.syncPortable({ stopIdle: when === 'after' });
    for (const w of r?.warnings ?? []) process.stderr.write(`fvm: warning: ${w}\n`);
  } catch (err) {
    const e = toErrorData(err);
    process.stderr.write(`fvm: warning: cannot sync the portable store ${when} the command: ${e.code}: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
  }
}

async function stateCommand(verb: 'suspend' | 'resume' | 'stop', args: readonly string[], ctx: Ctx): Promise<number> {
  const p = simple(verb, {}, 'NAME', 1, 1)(args);
  const r = await ctx.engine().invoke(`vm:${verb}`, { name: assertVmName(p.positional[0]) });
  if (ctx.json) ctx.doc(r);
  else ctx.out(`${r.name}: ${r.state}`);
  return 0;
}

export async function main(argv: readonly string[]): Promise<number> {
  let json = argv.includes('--json') && !argv.slice(0, argv.indexOf('--json')).includes('--');
  try {
    let i = 0;
    let home: string | undefined;
    while (i < argv.length && argv[i].startsWith('-')) {
      const a = argv[i];
      if (a === '--json') json = true;
      else if (a === '--home') {
        home = argv[++i];
        if (!home) throw usage('--home needs a directory');
      } else if (a.startsWith('--home=')) home = a.slice(7);
      else if (a === '--help' || a === '-h') {
        process.stdout.write(`${HELP}\n`);
        return 0;
      } else if (a === '--version') {
        process.stdout.write('fvm 0.1.0\n');
        return 0;
      } else throw usage(`unknown option ${a}`);
      i++;
    }
    const command = argv[i];
    if (!command) {
      process.stdout.write(`${HELP}\n`);
      return 2;
    }
    const rest = argv.slice(i + 1);
    // --json after the command is accepted as well (before any `--`).
    const dd = rest.indexOf('--');
    const head = dd < 0 ? rest : rest.slice(0, dd);
    const args = [...head.filter((a) => a !== '--json'), ...(dd < 0 ? [] : rest.slice(dd))];
    if (head.includes('--help') || head.includes('-h')) {
      process.stdout.write(`${commandHelp(command)}\n`);
      return 0;
    }
    const handler = Object.hasOwn(commands, command) ? commands[command] : undefined;
    if (!handler) throw usage(`unknown command '${command}'`);
    let engine: Engine | undefined;
    const ctx: Ctx = {
      json,
      home,
      engine: () => (engine ??= openEngine({ home })),
      out: (t) => process.stdout.write(`${t}\n`),
      doc: (v) => process.stdout.write(`${JSON.stringify(v)}\n`),
    };
    if (resolveRepositoryLocation(home).bundleStore) await syncPortable(ctx.engine(), 'before');
    try {
      return await handler(args, ctx);
    } finally {
      if (engine?.repositoryLocation().bundleStore) await syncPortable(engine, 'after');
    }
  } catch (err) {
    const e = toErrorData(err);
    if (json) process.stdout.write(`${JSON.stringify({ error: e })}\n`);
    else process.stderr.write(`fvm: ${e.code}: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
    return exitStatusFor(e.code);
  }
}

const status = await main(process.argv.slice(2));
process.exitCode = status;
