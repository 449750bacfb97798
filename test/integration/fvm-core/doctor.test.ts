import { afterAll, describe, expect, it } from 'vitest';
import { IS_ROOT, Sandbox, sleep, waitFor } from '../../helpers/sandbox.js';

describe('fvm doctor', () => {
  const sb = new Sandbox();
  afterAll(() => sb.cleanup());

  it('exits 0 here and lists each check it made, with a fix for each failure', () => {
    const r = sb.fvm(['doctor']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const id of ['kernel', 'user-namespaces', 'tool:unshare', 'tool:nsenter', 'nsenter-wdns', 'xattr-reader', 'overlay-in-userns', 'network-private', 'freezer', 'run-as-root', 'wine']) {
      expect(r.stdout).toMatch(new RegExp(`^(ok  |note|FAIL) ${id}: `, 'm'));
    }
    expect(r.stdout).toContain('FVM can run VMs here.');
    const j = sb.json<{ ok: boolean; checks: Array<{ id: string; ok: boolean; optional: boolean; fix: string }> }>(['doctor']);
    expect(j.ok).toBe(true);
    expect(j.checks.filter((c) => !c.ok && !c.optional)).toEqual([]);
    for (const c of j.checks.filter((x) => !x.ok)) expect(c.fix.length, c.id).toBeGreaterThan(10);
    expect(j.checks.find((c) => c.id === 'run-as-root')?.ok).toBe(IS_ROOT);
  });
});

describe('signals', () => {
  const sb = new Sandbox();
  afterAll(() => sb.cleanup());

  it('SIGINT and SIGTERM to the CLI reach the program in the VM', async () => {
    sb.ok(['create', 'sig', '--network', 'none']);
    for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      const child = sb.spawnFvm(['run', 'sig', '--', 'sh', '-c', 'echo started; exec sleep 60']);
      let out = '';
      child.stdout.on('data', (d) => (out += String(d)));
      await waitFor('the program to start', () => out.includes('started'));
      await sleep(100);
      child.kill(sig);
      const status = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(status, sig).toBe(code);
    }
  });
});
