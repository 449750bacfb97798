/** Parsing and checking what the create dialog's fields hold, before the contract sees it. */
import { VM_NAME_PATTERN } from '../../src/shared/names.js';
import type { Rule, RuleMode } from '../../src/shared/types.js';

const MODES: readonly RuleMode[] = ['cow', 'open', 'ro', 'hidden'];

export type RulesParse = { readonly ok: true; readonly rules: readonly Rule[] } | { readonly ok: false; readonly error: string };

/**
 * One rule per line, `MODE:PATH` (`ro:/etc`), or a bare absolute path for `cow`. Blank lines and
 * lines starting with `#` are skipped.
 */
export function parseRules(text: string): RulesParse {
  const rules: Rule[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const mode = colon > 0 && !line.startsWith('/') ? line.slice(0, colon).trim().toLowerCase() : 'cow';
    const path = colon > 0 && !line.startsWith('/') ? line.slice(colon + 1).trim() : line;
    if (!(MODES as readonly string[]).includes(mode)) {
      return { ok: false, error: `line ${i + 1}: unknown mode "${mode}" (use ${MODES.join(', ')})` };
    }
    if (!path.startsWith('/')) return { ok: false, error: `line ${i + 1}: "${path}" is not an absolute path` };
    rules.push({ mode: mode as RuleMode, path });
  }
  return { ok: true, rules };
}

export function nameProblem(name: string): string | null {
  if (name === '') return 'A name is required.';
  if (!VM_NAME_PATTERN.test(name)) return 'Use letters, digits, ".", "_" or "-" (at most 64, starting with a letter or digit).';
  return null;
}

/** `~/Downloads/Some Setup 1.2.msi` → `some-setup-1.2`, a valid VM name (or `vm`). */
export function suggestVmName(filePath: string, taken: ReadonlySet<string>): string {
  const base = filePath.slice(filePath.lastIndexOf('/') + 1).replace(/\.(sh|appimage|deb|msi|exe)$/i, '');
  let name = base
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 56)
    .replace(/[-.]+$/, '');
  if (name === '') name = 'vm';
  if (!taken.has(name)) return name;
  for (let n = 2; ; n++) {
    const candidate = `${name}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
