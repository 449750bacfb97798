/** A small, strict argument parser: unknown options are usage errors, never ignored. */
import { FvmError } from '../shared/errors.js';

export interface OptionSpec {
  readonly [name: string]: 'flag' | 'value' | 'multi';
}

export interface Parsed {
  readonly positional: string[];
  readonly flags: Set<string>;
  readonly values: Map<string, string[]>;
  /** Words after `--`. */
  readonly rest: string[];
}

export function usage(message: string, hint = 'Run `fvm --help` for the commands and their options.'): FvmError {
  return new FvmError('USAGE', message, hint);
}

export function parseArgs(argv: readonly string[], spec: OptionSpec, command: string): Parsed {
  const positional: string[] = [];
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      const kind = spec[name];
      if (!kind) throw usage(`${command}: unknown option --${name}`, `Run \`fvm ${command} --help\`.`);
      if (kind === 'flag') {
        if (eq > 0) throw usage(`${command}: --${name} takes no value`);
        flags.add(name);
        continue;
      }
      const v = eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw usage(`${command}: --${name} needs a value`);
      const list = values.get(name) ?? [];
      if (kind === 'value' && list.length > 0) throw usage(`${command}: --${name} given twice`);
      list.push(v);
      values.set(name, list);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) throw usage(`${command}: unknown option ${a}`, `Run \`fvm ${command} --help\`.`);
    positional.push(a);
  }
  return { positional, flags, values, rest };
}

export function one(p: Parsed, name: string): string | undefined {
  return p.values.get(name)?.[0];
}

export function expectPositionals(p: Parsed, command: string, min: number, max: number, names: string): void {
  if (p.positional.length < min) throw usage(`${command}: missing ${names}`, `Usage: fvm ${command} ${names}`);
  if (p.positional.length > max) throw usage(`${command}: unexpected argument '${p.positional[max]}'`, `Usage: fvm ${command} ${names}`);
}
