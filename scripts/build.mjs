// Builds the CLI/engine bundle (esbuild) and, when its config is present, the Electron app
// (electron-vite: main, preload, renderer). No Electron binary is needed for either.
import { build } from 'esbuild';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
// Build beside dist/ and swap it in: a running test or CLI never sees dist/ missing.
const next = path.join(root, `dist.next-${process.pid}`);
const old = path.join(root, `dist.old-${process.pid}`);
rmSync(next, { recursive: true, force: true });
await build({
  entryPoints: { cli: path.join(root, 'src/cli/main.ts') },
  outdir: next,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Modules imported with import() (the ui command) become chunks of their own, loaded with
  // their dependencies only when a command needs them.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // Dependencies are bundled too: zod alone is dozens of small modules, each resolved, read and
  // linked at every start of the CLI (about 100 ms in all).
  packages: 'bundle',
  // A bundled CommonJS package (ws) requires Node's built-in modules; an ES module has no
  // require of its own, so each output file gets one.
  banner: { js: "import { createRequire as fvmCreateRequire } from 'node:module';\nconst require = fvmCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  logLevel: 'warning',
});
if (existsSync(path.join(root, 'dist'))) renameSync(path.join(root, 'dist'), old);
renameSync(next, path.join(root, 'dist'));
rmSync(old, { recursive: true, force: true });
if (!process.argv.includes('--cli-only') && existsSync(path.join(root, 'electron.vite.config.ts'))) {
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
