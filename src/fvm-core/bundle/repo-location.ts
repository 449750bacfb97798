/**
 * Where the repository lives, in this order: `--home`, then $FVM_HOME, then a portable
 * `FVMRep/` beside the app (for the AppImage, beside $APPIMAGE; FVM_PORTABLE=1 creates it),
 * then $XDG_DATA_HOME/fvm.
 *
 * A repository on a file system that cannot hold an overlay's upper tree (FAT, exFAT: a memory
 * stick) becomes a bundle store: its VMs are kept there as bundles and run from a local cache,
 * $XDG_CACHE_HOME/fvm/portable/<hash of the store's path>/. FVM_BUNDLE_STORE=1 (or 0) overrides
 * the detection, for file systems it gets wrong.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultHome } from '../repository.js';
import { upperTreeSupport } from './fs-capability.js';

export const PORTABLE_DIR = 'FVMRep';

export interface RepositoryLocation {
  /** The repository the engine opens. */
  readonly home: string;
  readonly source: 'option' | 'env' | 'portable' | 'default';
  /** For a bundle store: the directory on the stick that holds the bundles; `home` is then the cache. */
  readonly bundleStore: string | null;
  /** Why it is a bundle store (the file system found), for messages. */
  readonly fsType: string | null;
}

/** The directory the app sits in: beside the AppImage, the Electron binary, or the CLI package. */
export function appDirectory(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.APPIMAGE && path.isAbsolute(env.APPIMAGE)) return path.dirname(env.APPIMAGE);
  if (process.versions.electron) return path.dirname(process.execPath);
  const script = process.argv[1];
  if (!script) return null;
  try {
    const real = fs.realpathSync(script);
    // bin/fvm.js of the package: the package directory is the app.
    if (path.basename(path.dirname(real)) === 'bin') return path.dirname(path.dirname(real));
  } catch {
    return null;
  }
  return null;
}

/** The portable repository beside the app, when it exists or FVM_PORTABLE=1 asks for it. */
export function portableHome(env: NodeJS.ProcessEnv, appDir: string | null): string | null {
  if (!appDir) return null;
  const dir = path.join(appDir, PORTABLE_DIR);
  if (env.FVM_PORTABLE === '1') return dir;
  try {
    return fs.statSync(dir).isDirectory() ? dir : null;
  } catch {
    return null;
  }
}

/** The local cache a bundle store's VMs run from, one per store. */
export function portableCacheDir(store: string, env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  let real = path.resolve(store);
  try {
    real = fs.realpathSync(store);
  } catch {
    // not created yet: its given path names it
  }
  const hash = crypto.createHash('sha256').update(real).digest('hex').slice(0, 16);
  return path.join(cache, 'fvm', 'portable', hash);
}

export function resolveRepositoryLocation(option: string | undefined, env: NodeJS.ProcessEnv = process.env, appDir: string | null = appDirectory(env)): RepositoryLocation {
  let home: string;
  let source: RepositoryLocation['source'];
  const portable = portableHome(env, appDir);
  if (option) [home, source] = [path.resolve(option), 'option'];
  else if (env.FVM_HOME) [home, source] = [path.resolve(env.FVM_HOME), 'env'];
  else if (portable) [home, source] = [portable, 'portable'];
  else [home, source] = [defaultHome(env), 'default'];
  const forced = env.FVM_BUNDLE_STORE;
  let fsType: string | null = null;
  let bundles = forced === '1';
  if (forced !== '1' && forced !== '0') {
    const support = upperTreeSupport(home);
    bundles = !support.ok;
    fsType = support.ok ? null : support.fsType;
  }
  if (!bundles) return { home, source, bundleStore: null, fsType: null };
  return { home: portableCacheDir(home, env), source, bundleStore: home, fsType: fsType ?? 'forced by FVM_BUNDLE_STORE=1' };
}
