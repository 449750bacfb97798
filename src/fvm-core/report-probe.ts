/**
 * The report's window on files: the VM's version of a host path is the topmost entry in its own
 * upper tree or one of its shared layers (a whiteout there, or an opaque directory above, means
 * the VM has none); see vm-file.ts.
 *
 * Nothing here follows a symlink of the VM's: its links are read as links, and its files are
 * opened with O_NOFOLLOW, so a hostile VM cannot make the report read outside its tree.
 */
import fs from 'node:fs';
import type { VmPaths } from './repository.js';
import { resolveVmEntry } from './vm-file.js';
import type { VersionProbe } from './report.js';

/** Reads a regular file of at most `maxBytes` as UTF-8 text; null for binary data or any error. */
function readTextSync(file: string, maxBytes: number, flags: number): string | null {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, flags);
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > maxBytes) return null;
    const buf = Buffer.alloc(st.size);
    let got = 0;
    while (got < buf.length) {
      const n = fs.readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    const bytes = buf.subarray(0, got);
    return bytes.includes(0) ? null : bytes.toString('utf8');
  } catch {
    return null;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

export function vmVersionProbe(p: VmPaths): VersionProbe {
  /** Where the VM's own version of `hostPath` lives, with its stat; null if the VM has none of its own. */
  const locate = (hostPath: string): { upper: string; st: fs.Stats } | null => {
    const e = resolveVmEntry(p, hostPath);
    return e.where === 'vm' ? { upper: e.file, st: e.stat } : null;
  };
  return {
    statOf(hostPath) {
      const at = locate(hostPath);
      return at ? { mode: at.st.mode, uid: at.st.uid } : null;
    },
    readVm(hostPath, maxBytes) {
      const at = locate(hostPath);
      if (!at || !at.st.isFile() || at.st.size > maxBytes) return null;
      return readTextSync(at.upper, maxBytes, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    },
    readHost(hostPath, maxBytes) {
      // The host's own files: following the user's dotfile symlinks is what they expect.
      return readTextSync(hostPath, maxBytes, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    },
    linkOf(hostPath) {
      const at = locate(hostPath);
      if (!at || !at.st.isSymbolicLink()) return null;
      try {
        return fs.readlinkSync(at.upper);
      } catch {
        return null;
      }
    },
    hostExecutable(hostPath) {
      try {
        const st = fs.statSync(hostPath);
        return st.isFile() && (st.mode & 0o111) !== 0;
      } catch {
        return false;
      }
    },
  };
}
