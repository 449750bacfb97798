/** Finding a runnable Electron for `fvm ui`, or the one-line reason there is none. */
import fs from 'node:fs';
import path from 'node:path';

export type ElectronLookup = { readonly kind: 'found'; readonly path: string } | { readonly kind: 'missing'; readonly reason: string };

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function findElectron(appRoot: string, env: NodeJS.ProcessEnv = process.env, uid: number = process.getuid?.() ?? -1): ElectronLookup {
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidates = [override ? path.join(override, 'electron') : null, path.join(appRoot, 'node_modules/electron/dist/electron')].filter(
    (c): c is string => c !== null,
  );
  const found = candidates.find(executable);
  if (!found) {
    return {
      kind: 'missing',
      reason: `no Electron binary (${override ? `nothing runnable at ${candidates[0]}, ` : ''}node_modules/electron/dist is absent: this electron package ships types only)`,
    };
  }
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return { kind: 'missing', reason: 'no display ($DISPLAY and $WAYLAND_DISPLAY are unset)' };
  // Chromium refuses root unless its sandbox is switched off, which FVM will not do.
  if (uid === 0) return { kind: 'missing', reason: 'Electron will not run as root with its sandbox on' };
  return { kind: 'found', path: found };
}

/** The checkout or installed package holding out/renderer, from a module inside it. */
export function findAppRoot(fromDir: string): string | null {
  let dir = fromDir;
  for (let i = 0; i < 5; i++) {
    if (fs.existsSync(path.join(dir, 'out/renderer/index.html'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return null;
}
