/**
 * Files the app was asked to open: `fvm-desktop FILE…` (the desktop entry's MIME handler) and
 * `fvm-desktop --open-in-new-vm FILE` (its "Open in a new FVM VM" action) both mean: offer to
 * run FILE in a new VM. Pure, so the second instance's argv goes through the same code.
 */
import path from 'node:path';

export const OPEN_IN_NEW_VM_FLAG = '--open-in-new-vm';

/**
 * @param argv the full argv (process.argv or the one 'second-instance' hands over)
 * @param leading how many entries name the executable (and the app directory when unpackaged)
 */
export function filesToOpen(argv: readonly string[], leading: number, cwd: string): string[] {
  const files: string[] = [];
  const args = argv.slice(leading);
  let positionalOnly = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!positionalOnly && arg === '--') {
      positionalOnly = true;
    } else if (!positionalOnly && arg === OPEN_IN_NEW_VM_FLAG) {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('-')) {
        files.push(next);
        i++;
      }
    } else if (!positionalOnly && arg.startsWith(`${OPEN_IN_NEW_VM_FLAG}=`)) {
      files.push(arg.slice(OPEN_IN_NEW_VM_FLAG.length + 1));
    } else if (positionalOnly || !arg.startsWith('-')) {
      // Chromium switches (--no-sandbox, --enable-features=…) start with '-' and are not files.
      files.push(arg);
    }
  }
  return files.filter((f) => f.length > 0 && !f.includes('\0')).map((f) => (f.startsWith('file://') ? decodeFileUrl(f) : path.resolve(cwd, f)));
}

function decodeFileUrl(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname);
  } catch {
    return url;
  }
}
