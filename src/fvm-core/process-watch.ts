/**
 * Process start/exit events for every running VM, including daemons the app did not start:
 * a poll of /proc (cheap: one readlink per host process) diffed against the previous poll.
 */
import type { ProcessInfo } from '../shared/types.js';

export interface ProcessWatchDeps {
  readonly snapshot: () => ProcessInfo[];
  readonly emit: (channel: 'process:started' | 'process:exited', payload: unknown) => void;
}

export class ProcessWatch {
  private known = new Map<string, ProcessInfo>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: ProcessWatchDeps) {}

  /** One poll: emits what started and what exited since the last one. */
  poll(): void {
    const now = new Map<string, ProcessInfo>();
    for (const p of this.deps.snapshot()) now.set(`${p.vm}:${p.pid}`, p);
    for (const [k, p] of now) if (!this.known.has(k)) this.deps.emit('process:started', { vm: p.vm, pid: p.pid, ppid: p.ppid, cmd: p.cmd });
    for (const [k, p] of this.known) if (!now.has(k)) this.deps.emit('process:exited', { vm: p.vm, pid: p.pid, status: null });
    this.known = now;
  }

  start(intervalMs = 500): void {
    if (this.timer) return;
    this.known = new Map(this.deps.snapshot().map((p) => [`${p.vm}:${p.pid}`, p]));
    this.timer = setInterval(() => this.poll(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
