/**
 * Relocation on import: a VM exported by a user whose $HOME was /home/a, imported by one whose
 * $HOME is /home/b, has every host path under /home/a moved to /home/b (its tree, deletions,
 * absolute symlink targets and rules). Paths elsewhere keep their names.
 */
import type { BundleRelocation } from '../../shared/contract.js';
import { isWithin } from '../../redirect/host-path.js';

export interface Relocation {
  readonly from: string;
  readonly to: string;
}

/** What an import remapped, for the user (text and --json). */
export type RelocationReport = BundleRelocation;

/** The relocation to apply, or null when both homes are the same path. */
export function relocationFor(from: string, to: string): Relocation | null {
  const a = stripSlash(from);
  const b = stripSlash(to);
  if (a === b || a === '/' || b === '/') return null;
  return { from: a, to: b };
}

function stripSlash(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** The host path after relocation (unchanged when it is not under the old home). */
export function relocatePath(r: Relocation | null, p: string): string {
  if (!r || !isWithin(p, r.from)) return p;
  return r.to + p.slice(r.from.length);
}

export function isRelocated(r: Relocation | null, p: string): boolean {
  return !!r && isWithin(p, r.from);
}
