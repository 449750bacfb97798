/**
 * `fvm ui [--web] [--port N]`: the desktop app when Electron can run here, else (or with --web)
 * the same renderer served on 127.0.0.1 with a token.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEngine } from '../fvm-core/engine.js';
import { FvmError } from '../shared/errors.js';
import { findAppRoot, findElectron } from './electron-binary.js';
import { startWebServer } from './web-server.js';

export interface UiArgs {
  readonly web: boolean;
  readonly port?: number;
  readonly home?: string;
}

function appRoot(): string {
  const root = findAppRoot(path.dirname(fileURLToPath(import.meta.url)));
  if (!root) throw new FvmError('IO_ERROR', 'fvm ui: the UI is not built (no out/renderer/index.html)', 'Run `npm run build` in the FVM checkout first.');
  return root;
}

async function runElectron(electron: string, root: string, home: string | undefined): Promise<number> {
  const env = { ...process.env };
  if (home) env.FVM_HOME = path.resolve(home);
  const child = spawn(electron, [root], { stdio: 'inherit', env });
  return new Promise<number>((resolve, reject) => {
    child.on('error', (err) => reject(new FvmError('LAUNCH_FAILED', `fvm ui: cannot start ${electron}: ${err.message}`, 'Use `fvm ui --web` instead.')));
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Serves until SIGINT or SIGTERM; resolves with the exit status. */
async function serveWeb(root: string, args: UiArgs): Promise<number> {
  const engine = openEngine({ home: args.home });
  let server;
  try {
    server = await startWebServer(engine, { port: args.port, host: '127.0.0.1', staticDir: path.join(root, 'out/renderer') });
  } catch (err) {
    await engine.close();
    throw err;
  }
  process.stdout.write(`${server.url}\n`);
  process.stderr.write('fvm: the FVM UI is served at the URL above, on 127.0.0.1 only; open it in a browser. Ctrl+C stops it.\n');
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  await engine.close();
  return 0;
}

export async function runUi(args: UiArgs): Promise<number> {
  const root = appRoot();
  if (!args.web) {
    const electron = findElectron(root);
    if (electron.kind === 'found') return runElectron(electron.path, root, args.home);
    process.stderr.write(`fvm: opening the UI in browser mode: ${electron.reason}\n`);
  }
  return serveWeb(root, args);
}
