/**
 * Registry changes that Wine makes by itself and that a diff should not show as the program's.
 *
 * One table, from what was measured on Debian 12's Wine 8.0 (research/wine.md §3.7 and §4.4,
 * research/wine-reg-format.md §10). Key time stamps (`] seconds`, `#time=`) are not listed: the
 * diff never compares them, since every Wine start rewrites some.
 */
import type { HiveFile } from './key-path.js';
import { foldName } from './reg-names.js';

/** One kind of change Wine makes by itself. */
export interface NoiseRule {
  /** Hive file the rule applies to. */
  readonly hive: HiveFile;
  /** Key path relative to the hive; `*` matches any one key name. */
  readonly key: readonly string[];
  /** Whether keys below `key` match too. */
  readonly subtree: boolean;
  /** Only this value (case-insensitive; '' = default value); absent: the keys and all their values. */
  readonly value?: string;
  /** Why it is noise, for the UI and for whoever extends the table. */
  readonly reason: string;
}

const CLASS = ['System', 'CurrentControlSet', 'Control', 'Class'];

/** The noise table: every rule the diff applies. */
export const NOISE_RULES: readonly NoiseRule[] = [
  {
    hive: 'system.reg',
    key: [...CLASS, '*', '*'],
    subtree: false,
    value: 'DriverDateData',
    reason: 'device driver date (FILETIME) rewritten by every Wine start',
  },
  {
    hive: 'system.reg',
    key: [...CLASS, '*', '*'],
    subtree: false,
    value: 'DriverDate',
    reason: 'device driver date (text) rewritten by every Wine start on a new day',
  },
  {
    hive: 'system.reg',
    key: [...CLASS, '{4D36E968-E325-11CE-BFC1-08002BE10318}'],
    subtree: false,
    value: '',
    reason: 'display device class default value, removed by the first start after wineboot',
  },
  {
    hive: 'system.reg',
    key: [...CLASS, '{4D36E96E-E325-11CE-BFC1-08002BE10318}'],
    subtree: false,
    value: '',
    reason: 'monitor device class default value, removed by the first start after wineboot',
  },
  {
    hive: 'system.reg',
    key: ['Software', 'Microsoft', 'Windows NT', 'CurrentVersion', 'NetworkCards'],
    subtree: true,
    reason: 'network adapter list, rebuilt by the first start after wineboot',
  },
  {
    hive: 'user.reg',
    key: ['Software', 'Wine', 'Fonts'],
    subtree: true,
    reason: "Wine's font cache (font list and external fonts found on the host), refreshed at every start",
  },
  {
    hive: 'user.reg',
    key: ['Software', 'Wine', 'MenuFiles'],
    subtree: true,
    reason: 'host paths of the .desktop/.menu files winemenubuilder wrote; the files show in the file diff',
  },
];

function keyMatches(rule: NoiseRule, path: readonly string[]): boolean {
  if (path.length < rule.key.length || (!rule.subtree && path.length !== rule.key.length)) return false;
  for (let i = 0; i < rule.key.length; i++) {
    if (rule.key[i] !== '*' && foldName(rule.key[i]) !== foldName(path[i])) return false;
  }
  return true;
}

/**
 * The rule that makes a change noise, or undefined.
 *
 * `value` undefined asks about the key itself (added, deleted, or its class or link changed):
 * only rules without a value name can cover that.
 */
export function noiseRuleFor(hive: HiveFile, path: readonly string[], value?: string): NoiseRule | undefined {
  for (const rule of NOISE_RULES) {
    if (rule.hive !== hive || !keyMatches(rule, path)) continue;
    if (rule.value === undefined) return rule;
    if (value !== undefined && foldName(rule.value) === foldName(value)) return rule;
  }
  return undefined;
}

/** True when the change is noise (see noiseRuleFor). */
export function isNoise(hive: HiveFile, path: readonly string[], value?: string): boolean {
  return noiseRuleFor(hive, path, value) !== undefined;
}
