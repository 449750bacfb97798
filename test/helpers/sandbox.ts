/**
 * A throwaway world for integration tests: a temporary FVM_HOME and a temporary $HOME, the real
 * `fvm` CLI (bin/fvm.js, built), and cleanup that stops every VM the test started.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const FVM = path.join(ROOT, 'bin/fvm.js');
export const IS_ROOT = process.getuid?.() === 0;

export interface FvmResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class Sandbox {
  readonly dir: string;
  readonly home: string;
  readonly fvmHome: string;

  constructor(prefix = 'fvm-it-') {
    // Under /tmp (not $HOME): the store must not sit inside the home the tests compare.
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.home = path.join(this.dir, 'home');
    this.fvmHome = path.join(this.dir, 'fvm');
    fs.mkdirSync(this.home, { mode: 0o755 });
  }

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.home,
      USER: os.userInfo().username,
      LANG: 'C.UTF-8',
      FVM_HOME: this.fvmHome,
      FVM_LINGER_SECONDS: '0',
      ...extra,
    };
  }

  /** Runs the real CLI synchronously. */
  fvm(args: readonly string[], opts: { env?: Record<string, string>; input?: string; timeout?: number } = {}): FvmResult {
    const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [FVM, ...args], {
      env: this.env(opts.env),
      cwd: this.home,
      input: opts.input ?? '',
      encoding: 'utf8',
      timeout: opts.timeout ?? 60_000,
    });
    return { status: r.status ?? (r.signal ? 128 : 1), stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Like fvm() but parses the one JSON document it prints. */
  json<T = Record<string, unknown>>(args: readonly string[], opts: { env?: Record<string, string> } = {}): T {
    const r = this.fvm(['--json', ...args], opts);
    try {
      return JSON.parse(r.stdout) as T;
    } catch {
      throw new Error(`fvm ${args.join(' ')} printed no JSON (status ${r.status}): ${r.stdout}\n${r.stderr}`);
    }
  }

  /** Runs fvm with `ok` expected; throws with its output otherwise. */
  ok(args: readonly string[], opts: { env?: Record<string, string>; input?: string } = {}): FvmResult {
    const r = this.fvm(args, opts);
    if (r.status !== 0) throw new Error(`fvm ${args.join(' ')} failed with ${r.status}:\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  /** Starts the CLI without waiting (for kill -9 tests). */
  spawnFvm(args: readonly string[], env: Record<string, string> = {}) {
    return spawn(process.execPath, [FVM, ...args], { env: this.env(env), cwd: this.home, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  cleanup(): void {
    const list = this.fvm(['--json', 'list']);
    try {
      for (const vm of (JSON.parse(list.stdout) as { vms: Array<{ name: string; state: string }> }).vms) {
        if (vm.state !== 'stopped') this.fvm(['stop', vm.name]);
      }
    } catch {
      // no repository yet
    }
    spawnSync('/bin/chmod', ['-R', 'u+rwx', this.dir]);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A stable digest of a tree: every entry's type, mode, owner, bytes or link target. */
export function treeDigest(root: string, skip: (p: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string) => {
    if (skip(p)) return;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch {
      return;
    }
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) out.set(p, `link ${fs.readlinkSync(p)}`);
    else if (st.isFile()) {
      let h = 'unreadable';
      try {
        h = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex');
      } catch {
        // sockets and unreadable files keep only their metadata
      }
      out.set(p, `file ${mode} ${st.uid}:${st.gid} ${h}`);
    } else if (st.isDirectory()) {
      out.set(p, `dir ${mode} ${st.uid}:${st.gid}`);
      let names: string[] = [];
      try {
        names = fs.readdirSync(p);
      } catch {
        return;
      }
      for (const n of names.sort()) walk(path.join(p, n));
    } else out.set(p, `other ${mode}`);
  };
  walk(root);
  return out;
}

export function diffDigests(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) out.push(`${k}: ${v} -> ${b.get(k) ?? 'missing'}`);
  for (const k of b.keys()) if (!a.has(k)) out.push(`${k}: new`);
  return out;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` returns something truthy. The bound is generous: CI machines are shared and slow. */
export async function waitFor<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
