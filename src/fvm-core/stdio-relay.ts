/**
 * The CLI's stdio for a program in a VM, relayed through pipes, never handed over.
 *
 * Handing the caller's descriptors to the VM lets its programs outlive `fvm run` with them: a
 * daemon keeps reading the caller's terminal (the user's next commands, passwords), and a host
 * file given as stdin or stdout can be reopened through /proc/self/fd and rewritten. Pipes end
 * with the main program. On a terminal the program gets a pty of its own inside the VM (util-
 * linux `script`), with the caller's terminal in raw mode, so interactive programs still work.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { shQuote } from '../redirect/plan-script.js';

export interface RelayPlan {
  readonly command: readonly string[];
  readonly pty: boolean;
}

/** Wraps the command in a pty when the caller sits at a terminal and `script` exists. */
export function planRelay(command: readonly string[], interactive: boolean, columns?: number, rows?: number): RelayPlan {
  if (!interactive || !fs.existsSync('/usr/bin/script')) return { command, pty: false };
  const size = columns && rows ? `stty cols ${columns} rows ${rows} 2>/dev/null; ` : '';
  const line = `${size}exec ${command.map(shQuote).join(' ')}`;
  return { command: ['/usr/bin/script', '-q', '-e', '-f', '-c', line, '/dev/null'], pty: true };
}

/** Relays stdio until the program exits; resolves with its exit status. */
export function relayStdio(child: ChildProcess, pty: boolean): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const stdin = process.stdin;
  const raw = pty && stdin.isTTY;
  if (raw) stdin.setRawMode(true);
  child.stdin?.on('error', () => undefined); // the program may exit without reading
  if (child.stdin) stdin.pipe(child.stdin);
  child.stdout?.pipe(process.stdout, { end: false });
  child.stderr?.pipe(process.stderr, { end: false });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      // Daemons may hold the pipes open: take what is already buffered, then cut them off.
      setTimeout(() => {
        if (child.stdin) stdin.unpipe(child.stdin);
        if (raw) stdin.setRawMode(false);
        stdin.pause();
        stdin.destroy();
        child.stdin?.destroy();
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve({ code, signal });
      }, 30);
    });
  });
}
