/**
 * The few things the registry needs done inside a running VM, each through a join (so through
 * the VM's mounts, as its programs see them): write a hive file, wait for a prefix's wineserver
 * to save and exit, ask it to save and stop.
 */
import path from 'node:path';
import { FvmError } from '../../shared/errors.js';
import type { Runtime } from '../runtime.js';
import { joinVm } from '../join.js';
import type { VmFileWriter } from './vm-registry.js';

/** Runs a command in the VM; resolves with its status (null on timeout, after killing it). */
function runIn(rt: Runtime, env: Readonly<Record<string, string>>, command: readonly string[], input: Buffer | null, timeoutMs: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = joinVm(rt, { command, cwd: '/', env, stdio: [input ? 'pipe' : 'ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 4096) stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // gone already
      }
      resolve({ code: null, stderr });
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
    if (input && child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    }
  });
}

/**
 * A writer that replaces a file in the VM atomically: written beside it, then renamed over it,
 * as Wine itself saves a hive. The rename replaces a symlink the VM may have put there instead
 * of following it.
 */
export function vmFileWriter(rt: Runtime, env: Readonly<Record<string, string>>): VmFileWriter {
  return async (hostPath, bytes) => {
    const tmp = path.join(path.dirname(hostPath), `.${path.basename(hostPath)}.fvm-${process.pid}.tmp`);
    const script = 'umask 022; cat > "$1" && mv -f -- "$1" "$2" || { rm -f -- "$1"; exit 1; }';
    const r = await runIn(rt, env, ['/bin/sh', '-c', script, 'sh', tmp, hostPath], bytes, 60_000);
    if (r.code !== 0) {
      throw new FvmError('IO_ERROR', `cannot write ${hostPath} in the VM: ${r.stderr.trim() || (r.code === null ? 'timed out' : `exit ${r.code}`)}`, 'Check that the prefix directory is writable in the VM (fvm run VM -- ls -ld PREFIX).');
    }
  };
}

/**
 * Waits until the wineserver of each prefix has saved and exited (`wineserver -w`, research/
 * wine.md §3.4). Returns the prefixes whose server was still running at the deadline (a Wine
 * program left running in the background): their files are not consistent yet.
 */
export async function waitForWineservers(rt: Runtime, env: Readonly<Record<string, string>>, prefixes: readonly string[], timeoutMs = 30_000): Promise<string[]> {
  const results = await Promise.all(
    prefixes.map((prefix) => runIn(rt, { ...env, WINEPREFIX: prefix }, ['wineserver', '-w'], null, timeoutMs).catch(() => ({ code: null }))),
  );
  return prefixes.filter((_, i) => results[i].code === null);
}

/** Asks each prefix's wineserver to end its clients, save and exit (`wineserver -k`), then waits. */
export async function stopWineservers(rt: Runtime, env: Readonly<Record<string, string>>, prefixes: readonly string[]): Promise<void> {
  for (const prefix of prefixes) {
    const e = { ...env, WINEPREFIX: prefix };
    await runIn(rt, e, ['wineserver', '-k'], null, 10_000).catch(() => undefined);
    await runIn(rt, e, ['wineserver', '-w'], null, 10_000).catch(() => undefined);
  }
}
