/**
 * lstat of many host paths, asked parents first, as the diff and the commit's drift check ask
 * them: a VM that wrote 10,000 files into one host directory would cost 10,000 failing lstats.
 *
 * Below a path found absent nothing can exist, so it is not asked. Past a few questions about
 * one directory, a single readdir of it answers "absent" for every name it lacks; a name it has
 * is still lstat'ed (the listing proves presence of a name, not what is there now).
 */
import fs from 'node:fs';
import { lstatOrNull } from './tree-ops.js';

/** Lookups in one directory before it is listed instead. */
const LIST_AFTER = 16;

export class HostLookup {
  private readonly absent = new Set<string>();
  private readonly asked = new Map<string, number>();
  private readonly listings = new Map<string, Set<string> | null>();

  /** fs.lstatSync(hostPath), or null where that throws. */
  lstat(hostPath: string): fs.Stats | null {
    const cut = hostPath.lastIndexOf('/');
    const dir = cut <= 0 ? '/' : hostPath.slice(0, cut);
    if (this.absent.has(dir)) {
      this.absent.add(hostPath);
      return null;
    }
    let names = this.listings.get(dir);
    if (names === undefined) {
      const n = (this.asked.get(dir) ?? 0) + 1;
      this.asked.set(dir, n);
      if (n >= LIST_AFTER) {
        names = listNames(dir);
        this.listings.set(dir, names);
      }
    }
    if (names && !names.has(hostPath.slice(cut + 1))) {
      this.absent.add(hostPath);
      return null;
    }
    const st = lstatOrNull(hostPath);
    if (!st) this.absent.add(hostPath);
    return st;
  }
}

/** The names in a directory; null when it cannot be listed (then every name is lstat'ed). */
function listNames(dir: string): Set<string> | null {
  try {
    return new Set(fs.readdirSync(dir));
  } catch {
    return null;
  }
}
