/**
 * The guard a commit passes before it writes below a host path: every ancestor must be a real
 * directory, since a symlink placed there would redirect the commit outside the tree the VM
 * changed.
 *
 * A commit of 10,000 files into one directory would lstat the same five ancestors 10,000
 * times; within one run over a plan each directory is proven once. What the plan itself moves
 * away from the host (a pre-image) is forgotten with everything proven below it, so a later op
 * proves the new one. What the cache cannot see is another host process swapping a proven
 * directory for a symlink while the commit runs; the per-op check only narrowed that window.
 */
import path from 'node:path';
import { FvmError } from '../shared/errors.js';
import { lstatOrNull } from './tree-ops.js';

export class RealParents {
  /** Directories found real; each one's ancestors were found real (or absent) too. */
  private readonly proven = new Set<string>();

  /** Throws COMMIT_CONFLICT unless every existing ancestor of `hostPath` is a real directory. */
  assert(hostPath: string): void {
    for (let d = path.dirname(hostPath); d !== '/' && !this.proven.has(d); d = path.dirname(d)) {
      const st = lstatOrNull(d);
      if (!st) continue; // created by an earlier op of this plan
      if (!st.isDirectory()) {
        throw new FvmError('COMMIT_CONFLICT', `cannot commit ${hostPath}: ${d} on the host is not a directory (${st.isSymbolicLink() ? 'a symlink' : 'a file'})`, 'The host changed under the VM; look at that path, then commit again (or --force after fixing it).');
      }
      this.proven.add(d);
    }
  }

  /** The plan moved `hostPath` off the host: nothing at or below it is proven any more. */
  forget(hostPath: string): void {
    if (!this.proven.has(hostPath)) return; // then nothing below it is either
    const below = `${hostPath}/`;
    for (const d of this.proven) if (d === hostPath || d.startsWith(below)) this.proven.delete(d);
  }
}
