/**
 * Files the launcher itself executes or loads inside the VM while it still holds capabilities.
 *
 * After pivot_root, init runs umount, rmdir, mount, setpriv and (as root) unshare from the VM's
 * own tree; a join into a root VM of an older version runs setpriv from it too
 * (src/fvm-core/join.ts). The dynamic loader reads the VM's
 * /etc/ld.so.cache and /etc/ld.so.preload for each. A VM that replaced one of them would run
 * its code with every capability of its namespaces: enough, for a VM whose uid 0 is the host's,
 * to lift the masks over /proc/sys. Where a VM touched one, the plan binds the host's file over
 * it, read-only, before the pivot (the VM keeps its version in its upper tree).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** Tools run with capabilities after the pivot (resources/fvm-init.sh, src/fvm-core/join.ts). */
export const PRIVILEGED_TOOLS = ['/usr/bin/umount', '/usr/bin/mount', '/usr/bin/rmdir', '/usr/bin/setpriv', '/usr/bin/unshare', '/bin/sh'];

/** The loader's configuration: a plain user can replace these in a VM (it owns /etc's upper root). */
export const LOADER_FILES = ['/etc/ld.so.cache', '/etc/ld.so.preload'];

/** Shared libraries and loader of the given tools, as canonical host paths (via ldd). */
export function librariesOf(tools: readonly string[]): string[] {
  const out = new Set<string>();
  for (const tool of tools) {
    let text = '';
    try {
      text = execFileSync('/usr/bin/ldd', [tool], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      continue; // static, or no ldd: nothing to add
    }
    for (const line of text.split('\n')) {
      const m = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line);
      if (!m) continue;
      try {
        out.add(fs.realpathSync(m[1]));
      } catch {
        // listed but absent
      }
    }
  }
  return [...out].sort();
}

/** The host paths to guard for a VM: the loader's files, and as root the tools and their libraries. */
export function trustedPaths(fullMap: boolean, touched: (p: string) => boolean): string[] {
  const base = LOADER_FILES.filter(touched);
  if (!fullMap) return base;
  const tools = PRIVILEGED_TOOLS.flatMap((t) => {
    try {
      return [t, fs.realpathSync(t)];
    } catch {
      return [t];
    }
  });
  // ldd only when the VM touched something below the library or tool dirs at all (cheap check).
  const libs = [...new Set(tools)].some(touched) || ['/usr/lib', '/lib', '/lib64', '/usr/lib64'].some(touched) ? librariesOf(PRIVILEGED_TOOLS) : [];
  return [...new Set([...base, ...tools, ...libs])].filter(touched);
}
