import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RiskFlag, VmReport } from '../../../src/shared/types.js';
import { diffDigests, IS_ROOT, Sandbox, treeDigest } from '../../helpers/sandbox.js';

// A script that plants the usual ways back in: an autostart entry, a shell alias, a user
// systemd unit, an SSH key, a set-user-ID file, a command that shadows `ls`, a browser
// extension, a CA certificate file, and a deletion. As root it also writes below /etc, which the
// VM keeps to itself like everything else. A program is left running for the processes part.
const HOSTILE = `set -e
mkdir -p ~/.config/autostart ~/.local/bin ~/.ssh ~/.config/systemd/user ~/.mozilla/firefox/p.default/extensions
printf '[Desktop Entry]\\nType=Application\\nName=Updater\\nExec=%s/.local/bin/updater --quiet\\n' "$HOME" > ~/.config/autostart/updater.desktop
echo 'alias sudo="$HOME/.local/bin/ls"' >> ~/.bashrc
printf '#!/bin/sh\\necho pwned\\n' > ~/.local/bin/ls
chmod 755 ~/.local/bin/ls
printf '#!/bin/sh\\nexit 0\\n' > ~/.local/bin/updater
chmod 4755 ~/.local/bin/updater
echo 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKEFAKE attacker@evil' >> ~/.ssh/authorized_keys
printf '[Service]\\nExecStart=%s/.local/bin/updater\\n' "$HOME" > ~/.config/systemd/user/miner.service
echo '{}' > ~/.mozilla/firefox/p.default/extensions/spy@evil.xpi
printf 'not really a certificate\\n' > ~/evil-ca.crt
rm ~/notes.txt
if [ "$(id -u)" = 0 ]; then echo 'export FVM_REPORT_IT=1' > /etc/profile.d/fvm-report-it.sh; fi
nohup sleep 300 >/dev/null 2>&1 &
echo planted
`;

describe('fvm report on a hostile script', () => {
  const sb = new Sandbox();
  const h = (p: string) => path.join(sb.home, p);
  let before: Map<string, string>;
  let report: VmReport;
  const flag = (id: string): RiskFlag => {
    const f = report.flags.find((x) => x.id === id);
    if (!f) throw new Error(`no flag ${id} in ${report.flags.map((x) => x.id).join(', ')}`);
    return f;
  };
  const paths = (id: string) => flag(id).paths.map((p) => p.path);

  beforeAll(() => {
    fs.writeFileSync(h('.bashrc'), '# host bashrc\nexport A=1\n');
    fs.writeFileSync(h('notes.txt'), 'my notes\n');
    before = treeDigest(sb.home);
    sb.ok(['create', 'hostile', '--network', 'none']);
    const r = sb.ok(['run', 'hostile', '--', 'sh', '-c', HOSTILE]);
    expect(r.stdout).toBe('planted\n');
  });
  afterAll(() => sb.cleanup());

  it('prints one JSON document with the flags, high first', () => {
    const r = sb.fvm(['--json', 'report', 'hostile']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    report = JSON.parse(r.stdout) as VmReport;
    expect(report.vm).toBe('hostile');
    const rank = { high: 0, medium: 1, low: 2 };
    expect(report.flags.map((f) => rank[f.severity])).toEqual([...report.flags.map((f) => rank[f.severity])].sort());
    expect(report.flags.filter((f) => f.severity === 'high').map((f) => f.id)).toEqual(
      expect.arrayContaining(['autostart', 'shell-rc', 'systemd-unit', 'ssh-access', 'setuid', 'path-shim', 'browser-extension']),
    );
  });

  it('names the paths and says what they do', () => {
    expect(paths('autostart')).toEqual([h('.config/autostart/updater.desktop')]);
    expect(flag('autostart').paths[0].detail).toEqual([`Exec=${h('.local/bin/updater')} --quiet`]);
    expect(paths('shell-rc')).toContain(h('.bashrc'));
    expect(flag('shell-rc').paths.find((p) => p.path === h('.bashrc'))).toEqual({ path: h('.bashrc'), change: 'modified', detail: ['+ alias sudo="$HOME/.local/bin/ls"'] });
    expect(paths('systemd-unit')).toEqual([h('.config/systemd/user/miner.service')]);
    expect(paths('ssh-access')).toEqual([h('.ssh/authorized_keys')]);
    expect(flag('ssh-access').paths[0].detail).toEqual(['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFAKEFAKE attacker@evil']);
    expect(paths('setuid')).toEqual([h('.local/bin/updater')]);
    expect(flag('setuid').paths[0].detail[0]).toMatch(/^set-user-ID, mode 4755, owner uid \d+$/);
    expect(paths('path-shim')).toEqual([h('.local/bin/ls')]);
    expect(flag('path-shim').paths[0].detail[0]).toMatch(/^shadows \/(usr\/)?bin\/ls$/);
    expect(paths('path-executable')).toEqual([h('.local/bin/updater')]);
    expect(paths('browser-extension')).toEqual([h('.mozilla/firefox/p.default/extensions/spy@evil.xpi')]);
    expect(paths('certificate-file')).toEqual([h('evil-ca.crt')]);
    expect(paths('host-deletions')).toEqual([h('notes.txt')]);
    if (IS_ROOT) expect(paths('shell-rc')).toContain('/etc/profile.d/fvm-report-it.sh');
    else expect(paths('shell-rc')).toEqual([h('.bashrc')]);
  });

  it('sums up the changes and lists the running processes', () => {
    const s = report.summary;
    expect(s.deleted).toBe(1);
    expect(s.modified).toBe(1);
    expect(s.added).toBeGreaterThanOrEqual(12);
    expect(s.changes).toBe(s.added + s.modified + s.deleted);
    expect(s.bytesAdded).toBeGreaterThan(0);
    expect(s.largest[0].path).toBe(h('.config/autostart/updater.desktop'));
    expect(s.topDirs.map((d) => d.path)).toContain(sb.home);
    expect(report.state).toBe('running');
    expect(report.processes.map((p) => p.cmd)).toEqual(expect.arrayContaining(['fvm-init', 'sleep 300']));
  });

  it('prints the flags for a human, grouped by severity, then the summary', () => {
    const text = sb.ok(['report', 'hostile']).stdout;
    expect(text.startsWith('VM hostile (running): ')).toBe(true);
    const high = text.indexOf('\nHIGH\n');
    const low = text.indexOf('\nLOW\n');
    const summary = text.indexOf('\nSUMMARY\n');
    expect(high).toBeGreaterThan(0);
    expect(low).toBeGreaterThan(high);
    expect(summary).toBeGreaterThan(low);
    expect(text).toContain(`Autostart entry [autostart]\n    Starts a program every time you log in to your desktop.\n    A ${h('.config/autostart/updater.desktop')}\n`);
    expect(text).toContain(`    M ${h('.bashrc')}\n        + alias sudo="$HOME/.local/bin/ls"\n`);
  });

  it('a stopped VM lists no processes; the host was never touched', () => {
    sb.ok(['stop', 'hostile']);
    const stopped = sb.json<VmReport>(['report', 'hostile']);
    expect(stopped.state).toBe('stopped');
    expect(stopped.processes).toEqual([]);
    expect(stopped.flags.map((f) => f.id)).toEqual(report.flags.map((f) => f.id));
    expect(diffDigests(before, treeDigest(sb.home))).toEqual([]);
    expect(fs.existsSync('/etc/profile.d/fvm-report-it.sh')).toBe(false);
  });

  it('bad input: an unknown VM, a bad name, a missing name', () => {
    const missing = sb.fvm(['--json', 'report', 'nope']);
    expect(missing.status).toBe(1);
    expect(JSON.parse(missing.stdout).error.code).toBe('VM_NOT_FOUND');
    const bad = sb.fvm(['report', '../x']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^fvm: INVALID_NAME: /);
    const usage = sb.fvm(['report']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toBe('fvm: USAGE: report: missing NAME\nhint: Usage: fvm report NAME\n');
  });
});
