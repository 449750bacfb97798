import { describe, expect, it } from 'vitest';
import { ProcessWatch } from '../../../src/fvm-core/process-watch.js';
import type { ProcessInfo } from '../../../src/shared/types.js';

const p = (vm: string, pid: number, cmd = 'x'): ProcessInfo => ({ vm, pid, ppid: 1, vmPid: pid, cmd, state: 'S' });

describe('ProcessWatch', () => {
  it('emits starts and exits between polls, per VM', () => {
    let snap: ProcessInfo[] = [p('a', 10)];
    const events: Array<[string, unknown]> = [];
    const w = new ProcessWatch({ snapshot: () => snap, emit: (c, x) => events.push([c, x]) });
    w.poll();
    expect(events).toEqual([['process:started', { vm: 'a', pid: 10, ppid: 1, cmd: 'x' }]]);
    events.length = 0;
    snap = [p('a', 11, 'y'), p('b', 10)];
    w.poll();
    expect(events).toEqual([
      ['process:started', { vm: 'a', pid: 11, ppid: 1, cmd: 'y' }],
      ['process:started', { vm: 'b', pid: 10, ppid: 1, cmd: 'x' }],
      ['process:exited', { vm: 'a', pid: 10, status: null }],
    ]);
  });
});
