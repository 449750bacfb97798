import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../../../src/fvm-core/engine.js';
import { Sandbox, waitFor } from '../../helpers/sandbox.js';

// The app subscribes to the engine's push events; here the real engine, in process.
describe('engine events', () => {
  const sb = new Sandbox();
  let engine: Engine;
  const events: Array<{ channel: string; payload: Record<string, unknown> }> = [];
  let off: () => void;

  beforeAll(() => {
    process.env.HOME = sb.home; // the VM's $HOME and the engine's view of it
    process.env.FVM_LINGER_SECONDS = '0';
    engine = openEngine({ home: sb.fvmHome });
    off = engine.onEvent((channel, payload) => events.push({ channel, payload: payload as Record<string, unknown> }));
  });
  afterAll(async () => {
    off();
    await engine.close();
    sb.cleanup();
  });

  it('pushes state changes, process starts and exits, and a live change feed', async () => {
    await engine.invoke('vm:create', { name: 'ev', network: 'none' });
    const started = await engine.invoke('vm:run', { name: 'ev', command: ['sh', '-c', 'sleep 0.3; echo hi > ~/live.txt; sleep 0.6; echo out'] });
    expect(started.pid).toBeGreaterThan(0);
    await waitFor('the run to exit', () => events.find((e) => e.channel === 'process:exited' && e.payload.runId === started.runId));
    await waitFor('a live change', () =>
      events.find((e) => e.channel === 'fs:changed' && (e.payload.changes as Array<{ path: string }>).some((c) => c.path === path.join(sb.home, 'live.txt'))),
    );
    const live = events.find((e) => e.channel === 'fs:changed')?.payload.changes as Array<{ kind: string; path: string }>;
    expect(live.find((c) => c.path === path.join(sb.home, 'live.txt'))?.kind).toBe('added');
    expect(events.some((e) => e.channel === 'vm:state' && e.payload.state === 'running')).toBe(true);
    expect(events.some((e) => e.channel === 'process:output' && e.payload.data === 'out\n')).toBe(true);
    // The process watch sees processes the app did not start itself (the sleeps of the script).
    expect(events.some((e) => e.channel === 'process:started' && String(e.payload.cmd).startsWith('sleep'))).toBe(true);
    await engine.stop('ev');
    expect(events.some((e) => e.channel === 'vm:state' && e.payload.state === 'stopped')).toBe(true);
  });
});
