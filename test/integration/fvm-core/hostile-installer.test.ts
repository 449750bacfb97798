import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffDigests, sleep, Sandbox, treeDigest, waitFor } from '../../helpers/sandbox.js';

// Acceptance b and c of the engine issue: a hostile installer in a VM, then inspection,
// suspend/resume/stop, a selective commit, a full commit and uncommit, all checked on the
// real host byte for byte.
const HOSTILE = `set -e
echo 'alias ls="rm -rf ~"' >> ~/.bashrc
mkdir -p ~/.local/bin
printf '#!/bin/sh\\necho evil\\n' > ~/.local/bin/evil
chmod 755 ~/.local/bin/evil
rm ~/notes.txt
mv ~/projects ~/projects-renamed
rm -rf ~/cache
mkdir ~/cache
echo fresh > ~/cache/new.txt
ln -s /etc/passwd ~/passwd-link
chmod 700 ~/script.sh
nohup sh -c 'while :; do echo tick >> ~/daemon.log; sleep 0.05; done' >/dev/null 2>&1 &
echo installed
`;

describe('a hostile installer in a VM', () => {
  const sb = new Sandbox();
  const h = (p: string) => path.join(sb.home, p);
  let before: Map<string, string>;
  let etcBefore: Map<string, string>;

  beforeAll(() => {
    fs.writeFileSync(h('.bashrc'), '# host bashrc\nexport A=1\n');
    fs.writeFileSync(h('notes.txt'), 'my notes\n');
    fs.mkdirSync(h('projects/sub'), { recursive: true });
    fs.writeFileSync(h('projects/a.txt'), 'A\n');
    fs.writeFileSync(h('projects/sub/b.txt'), 'B\n');
    fs.mkdirSync(h('cache'));
    fs.writeFileSync(h('cache/old1'), 'old1\n');
    fs.writeFileSync(h('cache/old2'), 'old2\n');
    fs.writeFileSync(h('script.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    before = treeDigest(sb.home);
    etcBefore = treeDigest('/etc');
    sb.ok(['create', 'hostile', '--network', 'none']);
  });
  afterAll(() => sb.cleanup());

  it('runs, and the host stays byte-identical', () => {
    const r = sb.fvm(['run', 'hostile', '--', 'sh', '-c', HOSTILE]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('installed\n');
    expect(r.status).toBe(0);
    expect(diffDigests(before, treeDigest(sb.home))).toEqual([]);
    expect(diffDigests(etcBefore, treeDigest('/etc'))).toEqual([]);
  });

  it('lists every change exactly once with the right kind', () => {
    const { changes } = sb.json<{ changes: Array<{ kind: string; path: string; type: string }> }>(['diff', 'hostile']);
    const lines = changes.filter((c) => c.path !== h('daemon.log')).map((c) => `${c.kind[0].toUpperCase()} ${c.path.slice(sb.home.length)} ${c.type}`);
    expect(lines).toEqual([
      'M /.bashrc file',
      'A /.local dir',
      'A /.local/bin dir',
      'A /.local/bin/evil file',
      'D /cache/old1 file',
      'D /cache/old2 file',
      'A /cache/new.txt file',
      'D /notes.txt file',
      'A /passwd-link symlink',
      'D /projects dir',
      'A /projects-renamed dir',
      'A /projects-renamed/a.txt file',
      'A /projects-renamed/sub dir',
      'A /projects-renamed/sub/b.txt file',
      'M /script.sh file',
    ].sort((a, b) => (a.split(' ')[1] < b.split(' ')[1] ? -1 : 1)));
    expect(changes.find((c) => c.path === h('daemon.log'))).toEqual({ kind: 'added', path: h('daemon.log'), type: 'file' });
    const text = sb.ok(['diff', 'hostile']).stdout;
    expect(text).toContain(`M ${h('.bashrc')}\n`);
    expect(text).toContain(`D ${h('projects')}/\n`);
  });

  it('shows the daemon in that VM with its parent', () => {
    const { processes } = sb.json<{ processes: Array<{ vm: string; pid: number; ppid: number; cmd: string; vmPid: number }> }>(['ps', 'hostile']);
    const init = processes.find((p) => p.vmPid === 1);
    const daemon = processes.find((p) => p.cmd.includes('daemon.log'));
    expect(init?.cmd).toBe('fvm-init');
    expect(daemon?.vm).toBe('hostile');
    expect(daemon?.ppid).toBe(init?.pid);
  });

  it('suspend stops the writes, resume restarts them, stop ends every process', async () => {
    const log = path.join(sb.fvmHome, 'vms/vm1/fs', sb.home, 'daemon.log');
    await waitFor('the daemon to write', () => fs.existsSync(log));
    expect(sb.json<{ state: string }>(['suspend', 'hostile']).state).toBe('suspended');
    const s1 = fs.statSync(log).size;
    await sleep(400);
    expect(fs.statSync(log).size).toBe(s1);
    expect(sb.json<{ state: string }>(['resume', 'hostile']).state).toBe('running');
    await waitFor('the log to grow again', () => fs.statSync(log).size > s1);
    expect(sb.json<{ state: string }>(['stop', 'hostile']).state).toBe('stopped');
    expect(sb.json<{ processes: unknown[] }>(['ps', 'hostile']).processes).toEqual([]);
    const s2 = fs.statSync(log).size;
    await sleep(300);
    expect(fs.statSync(log).size).toBe(s2);
  });

  it('commits one selected file only', () => {
    const r = sb.json<{ applied: Array<{ path: string }>; commit: number }>(['commit', 'hostile', '--path', h('.local/bin/evil')]);
    expect(r.applied.map((c) => c.path)).toEqual([h('.local'), h('.local/bin'), h('.local/bin/evil')]);
    expect(fs.readFileSync(h('.local/bin/evil'), 'utf8')).toBe('#!/bin/sh\necho evil\n');
    expect(fs.statSync(h('.local/bin/evil')).mode & 0o777).toBe(0o755);
    const changed = diffDigests(before, treeDigest(sb.home));
    expect(changed).toEqual([`${h('.local')}: new`, `${h('.local/bin')}: new`, `${h('.local/bin/evil')}: new`]);
  });

  it('a full commit applies the rest exactly', () => {
    sb.ok(['commit', 'hostile']);
    expect(fs.readFileSync(h('.bashrc'), 'utf8')).toBe('# host bashrc\nexport A=1\nalias ls="rm -rf ~"\n');
    expect(fs.existsSync(h('notes.txt'))).toBe(false);
    expect(fs.existsSync(h('projects'))).toBe(false);
    expect(fs.readFileSync(h('projects-renamed/a.txt'), 'utf8')).toBe('A\n');
    expect(fs.readFileSync(h('projects-renamed/sub/b.txt'), 'utf8')).toBe('B\n');
    expect(fs.readdirSync(h('cache'))).toEqual(['new.txt']);
    expect(fs.readFileSync(h('cache/new.txt'), 'utf8')).toBe('fresh\n');
    expect(fs.lstatSync(h('passwd-link')).isSymbolicLink()).toBe(true);
    expect(fs.readlinkSync(h('passwd-link'))).toBe('/etc/passwd');
    expect(fs.statSync(h('script.sh')).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(h('daemon.log'), 'utf8')).toMatch(/^(tick\n)+$/);
    expect(sb.ok(['diff', 'hostile']).stdout).toBe('');
    expect(diffDigests(etcBefore, treeDigest('/etc'))).toEqual([]);
  });

  it('uncommit restores the host byte for byte, and the VM keeps its changes', () => {
    const diffBefore = sb.json<{ changes: unknown[] }>(['diff', 'hostile']);
    expect(diffBefore.changes).toEqual([]);
    sb.ok(['uncommit', 'hostile']);
    sb.ok(['uncommit', 'hostile']);
    expect(diffDigests(before, treeDigest(sb.home))).toEqual([]);
    const r = sb.fvm(['--json', 'uncommit', 'hostile']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).error.code).toBe('NOTHING_TO_UNCOMMIT');
    const { changes } = sb.json<{ changes: Array<{ path: string }> }>(['diff', 'hostile']);
    expect(changes.map((c) => c.path)).toContain(h('.local/bin/evil'));
    expect(changes).toHaveLength(16);
    const inVm = sb.ok(['run', 'hostile', '--', 'sh', '-c', 'cat ~/cache/new.txt; ls ~/cache; readlink ~/passwd-link']);
    expect(inVm.stdout).toBe('fresh\nnew.txt\n/etc/passwd\n');
    sb.ok(['stop', 'hostile']);
  });
});
