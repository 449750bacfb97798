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
      // As root init runs unshare after the pivot too (into the nested user namespace programs join).
      IS_ROOT ? `cp /usr/bin/unshare /usr/bin/unshare.real && printf '#!/bin/sh\\necho planted > ${sb.home}/unshare-ran\\nexec /usr/bin/unshare.real "$@"\\n' > /usr/bin/unshare.new && chmod 755 /usr/bin/unshare.new && mv /usr/bin/unshare.new /usr/bin/unshare` : 'true',
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
    // A planted tool that ran would have left its mark in the VM's view of $HOME.
    const { changes } = sb.json<{ changes: Array<{ path: string }> }>(['diff', 'plant']);
    const changed = changes.map((c) => c.path);
    expect(changed).not.toContain(path.join(sb.home, 'setpriv-ran'));
    expect(changed).not.toContain(path.join(sb.home, 'unshare-ran'));
    // The VM's own versions are still in its tree: nothing was lost, only not trusted.
    expect(changed).toContain('/etc/ld.so.preload');
    if (IS_ROOT) expect(changed).toEqual(expect.arrayContaining(['/usr/bin/setpriv', '/usr/bin/unshare']));
    sb.ok(['stop', 'plant']);
  });
});
