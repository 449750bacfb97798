import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IS_ROOT, Sandbox } from '../../helpers/sandbox.js';

// A VM that plants a loader configuration (or, as root, its own setpriv) must not get its code
// run by the launcher's privileged steps at the next start, nor by the setpriv of a join.
describe('files the launcher trusts', () => {
  const sb = new Sandbox();
  afterAll(() => sb.cleanup());

  it('the next start and every join use the host\'s loader files and tools', () => {
    sb.ok(['create', 'plant', '--network', 'none']);
    // As a plain user the VM owns the upper root of /etc, so it can open it up and add files.
    const plant = [
      'chmod u+w /etc 2>/dev/null',
      'echo /nonexistent-fvm-preload.so > /etc/ld.so.preload',
      IS_ROOT ? `printf '#!/bin/sh\\necho planted > ${sb.home}/setpriv-ran\\nexec /usr/bin/env "$@"\\n' > /usr/bin/setpriv.new && chmod 755 /usr/bin/setpriv.new && mv /usr/bin/setpriv.new /usr/bin/setpriv` : 'true',
      'cat /etc/ld.so.preload',
    ].join(' && ');
    const r = sb.fvm(['run', 'plant', '--', 'sh', '-c', plant]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('/nonexistent-fvm-preload.so\n');
    sb.ok(['stop', 'plant']);
    const again = sb.fvm(['run', 'plant', '--', 'sh', '-c', 'cat /etc/ld.so.preload; echo end']);
    expect(again.status).toBe(0);
    // Masked with /dev/null for the launch (and the VM's life): the loader never reads the plant.
    expect(again.stdout).toBe('end\n');
    expect(again.stderr).not.toMatch(/cannot be preloaded/);
    const log = fs.readFileSync(path.join(sb.fvmHome, 'vms/vm1/run/launch.log'), 'utf8');
    expect(log).not.toMatch(/cannot be preloaded/);
    expect(fs.existsSync(path.join(sb.home, 'setpriv-ran'))).toBe(false);
    // The VM's own version is still in its tree: nothing was lost, only not trusted.
    const { changes } = sb.json<{ changes: Array<{ path: string }> }>(['diff', 'plant']);
    expect(changes.map((c) => c.path)).toContain('/etc/ld.so.preload');
    sb.ok(['stop', 'plant']);
  });
});
