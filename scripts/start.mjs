// `npm start`: the Electron window when an Electron binary can run here; otherwise one line
// saying why, then the same UI in browser mode (`node bin/fvm.js ui --web`).
// Builds first when the bundles are missing. Extra arguments go to `fvm ui --web` (e.g. --port 8080).
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);

function runnable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The Electron binary, or the reason there is none (same rules as src/cli/electron-binary.ts). */
function electron() {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidates = [override && path.join(override, 'electron'), path.join(root, 'node_modules/electron/dist/electron')].filter(Boolean);
  const found = candidates.find(runnable);
  if (!found) return { reason: 'no Electron binary (node_modules/electron/dist is absent: this electron package ships types only; set ELECTRON_OVERRIDE_DIST_PATH to use one)' };
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'no display ($DISPLAY and $WAYLAND_DISPLAY are unset)' };
  if (process.getuid?.() === 0) return { reason: 'Electron will not run as root with its sandbox on' };
  return { path: found };
}

const built = ['dist/cli.js', 'out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'].every((f) => existsSync(path.join(root, f)));
if (!built) {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const found = electron();
let child;
if (found.path) {
  child = spawn(found.path, [root, ...args], { cwd: root, stdio: 'inherit' });
} else {
  console.error(`fvm: starting the UI in browser mode: ${found.reason}`);
  child = spawn(process.execPath, [path.join(root, 'bin/fvm.js'), 'ui', '--web', ...args], { cwd: root, stdio: 'inherit' });
}
// Ctrl+C reaches the child through the terminal's process group; a SIGTERM aimed at us is passed on.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
