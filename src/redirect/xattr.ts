/**
 * Reading and writing the overlay's xattrs from Node, which has no xattr API: through getfattr
 * and setfattr (Debian package `attr`), else python3's os.getxattr. Batched: one process for
 * thousands of paths.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { FvmError } from '../shared/errors.js';
import { decodeMountField } from './mountinfo.js';

export const OPAQUE_XATTR = 'user.overlay.opaque';

function tool(name: string): string | null {
  for (const d of ['/usr/bin', '/bin', '/usr/local/bin']) {
    if (fs.existsSync(`${d}/${name}`)) return `${d}/${name}`;
  }
  return null;
}

const PY_GET = `
import os, sys
data = sys.stdin.buffer.read().split(b"\\0")
out = []
for p in data:
    if not p: continue
    try:
        v = os.getxattr(p, sys.argv[1], follow_symlinks=False)
        if v == b"y": out.append(p)
    except OSError:
        pass
sys.stdout.buffer.write(b"\\0".join(out))
`;

/** getfattr's arguments (before `--` and the paths) that dump the opaque marker of each path. */
export const OPAQUE_DUMP_ARGS: readonly string[] = ['-h', '--absolute-names', '-d', '-m', '^user\\.overlay\\.opaque$'];

/** getfattr, where installed (Debian package attr). */
export function getfattrTool(): string | null {
  return tool('getfattr');
}

/** The paths marked opaque in the output of `getfattr OPAQUE_DUMP_ARGS -- PATHS…`. */
export function parseOpaqueDump(text: string, out = new Set<string>()): Set<string> {
  let file: string | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('# file: ')) file = decodeMountField(line.slice(8));
    else if (file && line === `${OPAQUE_XATTR}="y"`) out.add(file);
  }
  return out;
}

/** The subset of `dirs` that carry `user.overlay.opaque="y"`. */
export function findOpaqueDirs(dirs: readonly string[]): Set<string> {
  const out = new Set<string>();
  if (dirs.length === 0) return out;
  const getfattr = tool('getfattr');
  if (getfattr) {
    for (let i = 0; i < dirs.length; i += 1000) {
      const chunk = dirs.slice(i, i + 1000);
      let text: string;
      try {
        text = execFileSync(getfattr, [...OPAQUE_DUMP_ARGS, '--', ...chunk], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
          maxBuffer: 1 << 28,
        });
      } catch (err) {
        text = String((err as { stdout?: string }).stdout ?? '');
      }
      parseOpaqueDump(text, out);
    }
    return out;
  }
  const py = tool('python3');
  if (!py) {
    throw new FvmError('TOOL_MISSING', 'reading overlay xattrs needs getfattr or python3', 'Install the attr package: apt-get install attr');
  }
  const res = execFileSync(py, ['-c', PY_GET, OPAQUE_XATTR], { input: Buffer.from(dirs.join('\0')), maxBuffer: 1 << 28 });
  for (const p of res.toString('utf8').split('\0')) if (p) out.add(p);
  return out;
}

/** Marks a directory opaque (its lower contents hidden), as overlayfs does on rm -r + mkdir. */
export function setOpaque(dir: string, opaque: boolean): void {
  const setfattr = tool('setfattr');
  if (setfattr) {
    try {
      execFileSync(setfattr, opaque ? ['-h', '-n', OPAQUE_XATTR, '-v', 'y', '--', dir] : ['-h', '-x', OPAQUE_XATTR, '--', dir], { stdio: 'ignore' });
    } catch (err) {
      if (opaque) throw new FvmError('IO_ERROR', `cannot mark ${dir} opaque: ${(err as Error).message}`, 'The file system must support user xattrs.');
    }
    return;
  }
  const py = tool('python3');
  if (!py) throw new FvmError('TOOL_MISSING', 'writing overlay xattrs needs setfattr or python3', 'Install the attr package: apt-get install attr');
  const code = opaque
    ? 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], b"y", follow_symlinks=False)'
    : 'import os,sys\ntry: os.removexattr(sys.argv[1], sys.argv[2], follow_symlinks=False)\nexcept OSError: pass';
  execFileSync(py, ['-c', code, dir, OPAQUE_XATTR], { stdio: 'ignore' });
}
