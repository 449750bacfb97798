/**
 * The real thing under test: `fvm ui --web --port N` with its own FVM_HOME, started as a child
 * process, and the URL it prints. No fake engine here: VMs are real namespaces and overlays.
 *
 * FVM_E2E_CLI overrides the command that stands for `fvm` (default `node bin/fvm.js`), e.g. to
 * drive an installed build.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface RunningUi {
  readonly url: string;
  readonly home: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '../..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

function fvmCommand(): [string, string[]] {
  const [command, ...prefix] = (process.env.FVM_E2E_CLI ?? `${process.execPath} bin/fvm.js`).split(' ');
  return [command, prefix];
}

/** VMs outlive the UI by design: stop what a failed test left running before removing the home. */
function stopLeftoverVms(home: string): void {
  const [command, prefix] = fvmCommand();
  const env = { ...process.env, FVM_HOME: home };
  const list = spawnSync(command, [...prefix, '--json', 'list'], { cwd: root, env, encoding: 'utf8', timeout: 30_000 });
  let names: string[] = [];
  try {
    names = (JSON.parse(list.stdout) as { vms: { name: string; state: string }[] }).vms.filter((v) => v.state !== 'stopped').map((v) => v.name);
  } catch {
    return;
  }
  for (const name of names) {
    spawnSync(command, [...prefix, 'resume', name], { cwd: root, env, timeout: 30_000 });
    spawnSync(command, [...prefix, 'stop', name], { cwd: root, env, timeout: 60_000 });
  }
}

export interface UiOptions {
  /** $HOME of the engine (and so of its VMs' owner), e.g. one with a Wine prefix; default the test's own. */
  readonly userHome?: string;
}

export async function startUi(options: UiOptions = {}): Promise<RunningUi> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'fvm-e2e-home-'));
  const port = await freePort();
  const [command, prefix] = fvmCommand();
  const child = spawn(command, [...prefix, 'ui', '--web', '--port', String(port)], {
    cwd: root,
    env: { ...process.env, FVM_HOME: home, ...(options.userHome ? { HOME: options.userHome } : {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fvm ui --web printed no URL within 30 s:\n${log}`)), 30_000);
    const look = () => {
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[0]);
      }
    };
    child.stdout?.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fvm ui --web exited with ${code} before printing its URL:\n${log}`));
    });
  });
  if (!url.includes(`:${port}/`)) throw new Error(`fvm ui --web listens on another port than --port ${port}: ${url}`);

  return {
    url,
    home,
    output: () => log,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited(child);
      clearTimeout(timer);
      stopLeftoverVms(home);
      rmSync(home, { recursive: true, force: true });
    },
  };
}
