import path from 'node:path';
import { FvmError } from '../shared/errors.js';
import type { NetworkMode, PresetName, Rule, RuleMode } from '../shared/types.js';

const MODES: readonly RuleMode[] = ['cow', 'open', 'ro', 'hidden'];

export interface Preset {
  readonly name: PresetName;
  readonly description: string;
  readonly network: NetworkMode | null;
  /** Paths relative to $HOME that the preset hides. */
  readonly hiddenInHome: readonly string[];
}

/**
 * Visibility presets. `untrusted` hides the secrets an installer has no business reading: an FVM
 * isolates writes, not reads, so without it every file the user can read is readable in the VM.
 */
export const PRESETS: Readonly<Record<PresetName, Preset>> = {
  default: { name: 'default', description: 'whole host visible, copy-on-write', network: null, hiddenInHome: [] },
  untrusted: {
    name: 'untrusted',
    description: 'no network; SSH, GnuPG, cloud and Git-host credentials, browser profiles and keyrings hidden',
    network: 'none',
    hiddenInHome: [
      '.ssh',
      '.gnupg',
      '.aws',
      '.azure',
      '.kube',
      '.docker',
      '.netrc',
      '.git-credentials',
      '.config/gh',
      '.config/gcloud',
      '.password-store',
      '.local/share/keyrings',
      '.mozilla',
      '.thunderbird',
      '.config/google-chrome',
      '.config/chromium',
      '.config/BraveSoftware',
      '.config/microsoft-edge',
      '.config/vivaldi',
      '.config/opera',
      '.var/app/org.mozilla.firefox',
      '.var/app/com.google.Chrome',
      '.var/app/org.chromium.Chromium',
    ],
  },
};

export function isPresetName(x: unknown): x is PresetName {
  return x === 'default' || x === 'untrusted';
}

/** Parses `MODE:PATH` (or a bare path, meaning `cow`). */
export function parseRule(spec: string, home: string): Rule {
  const m = /^([a-z]+):(.*)$/.exec(spec);
  const mode = (m ? m[1] : 'cow') as RuleMode;
  const raw = m ? m[2] : spec;
  if (!MODES.includes(mode)) {
    throw new FvmError('INVALID_ARGUMENT', `unknown rule mode '${m?.[1]}' in --rule ${spec}`, 'Rule modes are cow, open, ro and hidden: --rule ro:/path');
  }
  let p = raw;
  if (p === '~') p = home;
  else if (p.startsWith('~/')) p = path.join(home, p.slice(2));
  if (!path.isAbsolute(p) || p.includes('\0')) {
    throw new FvmError('INVALID_ARGUMENT', `rule path '${raw}' is not absolute`, 'Write rule paths as absolute paths or ~/...: --rule hidden:~/.ssh');
  }
  const norm = path.resolve(p);
  if (norm === '/') {
    throw new FvmError('INVALID_ARGUMENT', `a rule cannot cover / (--rule ${spec})`, 'Name the directory the rule is for, e.g. --rule open:~/Downloads');
  }
  return { mode, path: norm };
}

/** Rules of a preset, followed by the user's own (later rules for the same path win). */
export function effectiveRules(preset: PresetName, rules: readonly Rule[], home: string): Rule[] {
  const byPath = new Map<string, Rule>();
  for (const rel of PRESETS[preset].hiddenInHome) {
    const p = path.join(home, rel);
    byPath.set(p, { mode: 'hidden', path: p });
  }
  for (const r of rules) byPath.set(r.path, r);
  return [...byPath.values()].filter((r) => r.mode !== 'cow' || rules.includes(r));
}
