import { describe, expect, it } from 'vitest';
import type { Change, RegistryChange, RiskFlag } from '../../../src/shared/types.js';
import { buildReport, classify, describeText, dirKey, effectivePath, MAX_PATHS, summarize } from '../../../src/fvm-core/report.js';
import type { VersionProbe } from '../../../src/fvm-core/report.js';
import { globToRegExp, PATH_RULES, PathRuleMatcher, RISKS } from '../../../src/fvm-core/report-rules.js';

const HOME = '/home/u';
const PATH = '/home/u/.local/bin:/usr/local/bin:/usr/bin:/bin';

const added = (path: string, size = 10, type: Change['type'] = 'file'): Change => ({ kind: 'added', path, type, size });
const modified = (path: string, size = 10): Change => ({ kind: 'modified', path, type: 'file', size });
const deleted = (path: string, type: Change['type'] = 'file'): Change => ({ kind: 'deleted', path, type, size: 0 });

/** A probe answering from tables: the VM's files (mode, text, link) and the host's. */
function probe(vm: Record<string, { mode?: number; uid?: number; text?: string; link?: string }> = {}, host: Record<string, string> = {}, hostCommands: string[] = []): VersionProbe {
  return {
    statOf: (p) => (vm[p] ? { mode: 0o100000 | (vm[p].mode ?? 0o644), uid: vm[p].uid ?? 1000 } : null),
    readVm: (p) => vm[p]?.text ?? null,
    readHost: (p) => host[p] ?? null,
    linkOf: (p) => vm[p]?.link ?? null,
    hostExecutable: (p) => hostCommands.includes(p),
  };
}

function flagsOf(changes: Change[], pr: VersionProbe = probe(), registry: RegistryChange[] = []): RiskFlag[] {
  return classify({ changes, registry, home: HOME, envPath: PATH, probe: pr });
}

const byId = (flags: RiskFlag[]) => Object.fromEntries(flags.map((f) => [f.id, f]));
const pathsOf = (f: RiskFlag | undefined) => f?.paths.map((p) => p.path) ?? [];

describe('risk flags from paths', () => {
  it('flags each persistence place with its id, severity and paths', () => {
    const changes = [
      added('/home/u/.config/autostart/evil.desktop'),
      modified('/home/u/.bashrc'),
      added('/home/u/.config/fish/conf.d/x.fish'),
      added('/etc/profile.d/zz.sh'),
      added('/home/u/.config/systemd/user/miner.service'),
      added('/etc/systemd/system/evil.service'),
      added('/var/spool/cron/crontabs/u'),
      added('/etc/cron.d/job'),
      modified('/etc/crontab'),
      added('/home/u/.ssh/authorized_keys2'),
      modified('/home/u/.ssh/config'),
      added('/etc/ssh/sshd_config.d/open.conf'),
      added('/usr/local/share/ca-certificates/evil.crt'),
      added('/home/u/.pki/nssdb/cert9.db'),
      added('/home/u/.mozilla/firefox/abc.default/extensions/spy@evil.xpi'),
      modified('/home/u/.mozilla/firefox/abc.default/prefs.js'),
      added('/home/u/.config/chromium/Default/Extensions/abcdef/1.0/manifest.json'),
      modified('/home/u/.config/google-chrome/Default/Preferences'),
      added('/etc/ld.so.preload'),
      added('/etc/sudoers.d/nopasswd'),
      modified('/etc/hosts'),
      modified('/home/u/.gitconfig'),
      added('/home/u/.local/share/applications/browser.desktop'),
      modified('/home/u/.config/mimeapps.list'),
      added('/home/u/notes/site.pem'),
      added('/home/u/.config/environment.d/preload.conf'),
    ];
    const flags = byId(flagsOf(changes));
    expect(pathsOf(flags.autostart)).toEqual(['/home/u/.config/autostart/evil.desktop']);
    expect(pathsOf(flags['shell-rc'])).toEqual(['/home/u/.bashrc', '/home/u/.config/fish/conf.d/x.fish', '/etc/profile.d/zz.sh']);
    expect(pathsOf(flags['systemd-unit'])).toEqual(['/home/u/.config/systemd/user/miner.service', '/etc/systemd/system/evil.service']);
    expect(pathsOf(flags['cron-job'])).toEqual(['/var/spool/cron/crontabs/u', '/etc/cron.d/job', '/etc/crontab']);
    expect(pathsOf(flags['ssh-access'])).toEqual(['/home/u/.ssh/authorized_keys2', '/home/u/.ssh/config', '/etc/ssh/sshd_config.d/open.conf']);
    expect(pathsOf(flags['trust-store'])).toEqual(['/usr/local/share/ca-certificates/evil.crt', '/home/u/.pki/nssdb/cert9.db']);
    expect(pathsOf(flags['browser-extension'])).toEqual([
      '/home/u/.mozilla/firefox/abc.default/extensions/spy@evil.xpi',
      '/home/u/.config/chromium/Default/Extensions/abcdef/1.0/manifest.json',
    ]);
    expect(pathsOf(flags['browser-profile'])).toEqual(['/home/u/.mozilla/firefox/abc.default/prefs.js', '/home/u/.config/google-chrome/Default/Preferences']);
    expect(pathsOf(flags['ld-preload'])).toEqual(['/etc/ld.so.preload']);
    expect(pathsOf(flags['privilege-rules'])).toEqual(['/etc/sudoers.d/nopasswd']);
    expect(pathsOf(flags['name-resolution'])).toEqual(['/etc/hosts']);
    expect(pathsOf(flags['git-config'])).toEqual(['/home/u/.gitconfig']);
    expect(pathsOf(flags['desktop-entry'])).toEqual(['/home/u/.local/share/applications/browser.desktop']);
    expect(pathsOf(flags['mime-handler'])).toEqual(['/home/u/.config/mimeapps.list']);
    expect(pathsOf(flags['certificate-file'])).toEqual(['/home/u/notes/site.pem']);
    expect(pathsOf(flags['login-environment'])).toEqual(['/home/u/.config/environment.d/preload.conf']);
    for (const f of Object.values(flags)) {
      expect(f.severity).toBe(RISKS[f.id].severity);
      expect(f.explanation).toBe(RISKS[f.id].explanation);
      expect(f.count).toBe(f.paths.length);
    }
    expect(flags.autostart.severity).toBe('high');
    expect(flags['browser-profile'].severity).toBe('medium');
    expect(flags['certificate-file'].severity).toBe('low');
  });

  it('orders flags high, then medium, then low', () => {
    const flags = flagsOf([deleted('/home/u/notes.txt'), added('/home/u/.local/share/applications/x.desktop'), modified('/home/u/.profile')]);
    expect(flags.map((f) => [f.id, f.severity])).toEqual([
      ['shell-rc', 'high'],
      ['desktop-entry', 'medium'],
      ['host-deletions', 'low'],
    ]);
  });

  it('says nothing about ordinary files, directories, or a deleted rc file', () => {
    const flags = flagsOf([
      added('/home/u/.config/autostart', 0, 'dir'),
      added('/home/u/projects/app/index.js'),
      modified('/var/tmp/build.log'),
      added('/home/u/.cache/pip/http/abc'),
      added('/home/u/repo/.git/hooks/pre-commit.sample'),
      added('/home/u/repo/.git/config'),
    ]);
    expect(flags).toEqual([]);
    expect(flagsOf([deleted('/home/u/.bashrc')]).map((f) => f.id)).toEqual(['host-deletions']);
  });

  it('git: a new hook is flagged, a sample is not; a repository config only when the host had it', () => {
    const flags = byId(flagsOf([added('/home/u/src/app/.git/hooks/post-checkout'), modified('/home/u/src/app/.git/config'), added('/home/u/src/app/.git/hooks/pre-push.sample')]));
    expect(pathsOf(flags['git-hooks'])).toEqual(['/home/u/src/app/.git/hooks/post-checkout']);
    expect(pathsOf(flags['git-config'])).toEqual(['/home/u/src/app/.git/config']);
  });

  it('keeps at most MAX_PATHS paths per flag and counts them all', () => {
    const many = Array.from({ length: MAX_PATHS + 25 }, (_, i) => deleted(`/home/u/old/f${String(i).padStart(3, '0')}`));
    const [flag] = flagsOf(many);
    expect(flag.id).toBe('host-deletions');
    expect(flag.count).toBe(MAX_PATHS + 25);
    expect(flag.paths).toHaveLength(MAX_PATHS);
  });
});

describe('risk flags from the VM version of a file', () => {
  it('shows the lines a modified rc file gained and lost', () => {
    const pr = probe({ '/home/u/.bashrc': { text: '# mine\nexport A=1\nalias ls="rm -rf ~"\n' } }, { '/home/u/.bashrc': '# mine\nexport A=1\nexport B=2\n' });
    const [flag] = flagsOf([modified('/home/u/.bashrc')], pr);
    expect(flag.paths).toEqual([{ path: '/home/u/.bashrc', change: 'modified', detail: ['+ alias ls="rm -rf ~"', '- export B=2'] }]);
  });

  it('shows the command an autostart entry runs', () => {
    const pr = probe({ '/home/u/.config/autostart/evil.desktop': { text: '[Desktop Entry]\nType=Application\nName=Updater\nExec=/home/u/.local/bin/evil --daemon\n' } });
    const [flag] = flagsOf([added('/home/u/.config/autostart/evil.desktop')], pr);
    expect(flag.paths[0].detail).toEqual(['Exec=/home/u/.local/bin/evil --daemon']);
  });

  it('set-user-ID and set-group-ID files the VM added or changed, with mode and owner', () => {
    const pr = probe({ '/opt/tool/helper': { mode: 0o4755, uid: 0 }, '/opt/tool/grp': { mode: 0o2755 }, '/opt/tool/plain': { mode: 0o755 } });
    const flags = byId(flagsOf([added('/opt/tool/helper'), modified('/opt/tool/grp'), added('/opt/tool/plain')], pr));
    expect(flags.setuid.paths).toEqual([
      { path: '/opt/tool/helper', change: 'added', detail: ['set-user-ID, mode 4755, owner uid 0'] },
      { path: '/opt/tool/grp', change: 'modified', detail: ['set-group-ID, mode 2755, owner uid 1000'] },
    ]);
  });

  it('a new command that shadows one later in PATH is a shim; one that shadows nothing is a new command', () => {
    const pr = probe(
      { '/home/u/.local/bin/sudo': { mode: 0o755 }, '/home/u/.local/bin/newtool': { mode: 0o755 }, '/home/u/.local/bin/data.txt': { mode: 0o644 }, '/usr/local/bin/ls': { mode: 0o755 } },
      {},
      ['/usr/bin/sudo', '/bin/ls'],
    );
    const flags = byId(flagsOf([added('/home/u/.local/bin/sudo'), added('/home/u/.local/bin/newtool'), added('/home/u/.local/bin/data.txt'), added('/usr/local/bin/ls'), added('/home/u/.local/bin/link', 0, 'symlink')], pr));
    expect(flags['path-shim'].paths).toEqual([
      { path: '/home/u/.local/bin/sudo', change: 'added', detail: ['shadows /usr/bin/sudo'] },
      { path: '/usr/local/bin/ls', change: 'added', detail: ['shadows /bin/ls'] },
    ]);
    expect(pathsOf(flags['path-executable'])).toEqual(['/home/u/.local/bin/newtool', '/home/u/.local/bin/link']);
    expect(flags['path-shim'].severity).toBe('high');
    expect(flags['path-executable'].severity).toBe('low');
  });

  it('a changed command in PATH is flagged as replaced', () => {
    const flags = byId(flagsOf([modified('/usr/bin/ls')], probe({ '/usr/bin/ls': { mode: 0o755 } })));
    expect(pathsOf(flags['binary-replaced'])).toEqual(['/usr/bin/ls']);
  });

  it('Windows autostart keys of the Wine registry', () => {
    const registry: RegistryChange[] = [
      { prefix: '/home/u/.wine', kind: 'added', key: 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run', value: 'Updater', after: { name: 'Updater', type: 'REG_SZ', data: 'C:\\evil.exe' } },
      { prefix: '/home/u/.wine', kind: 'added', key: 'HKCU\\Software\\Vendor\\App', value: 'x', after: { name: 'x', type: 'REG_SZ', data: 'y' } },
    ];
    const flags = byId(flagsOf([], probe(), registry));
    expect(flags['windows-autostart'].paths).toEqual([{ path: 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater', change: 'added', detail: ['REG_SZ C:\\evil.exe'] }]);
  });
});

describe('describeText', () => {
  it('for a new file, its first lines that are not comments, and how many more', () => {
    expect(describeText('#!/bin/sh\n# a job\n\n* * * * * u curl x | sh\nb\nc\nd\n', null, false)).toEqual(['* * * * * u curl x | sh', 'b', 'c', '… 1 more line(s)']);
  });

  it('for a .desktop file, what it runs and the types it handles', () => {
    expect(describeText('[Desktop Entry]\nName=Web\nExec=evil %u\nMimeType=x-scheme-handler/https;\nNoDisplay=false\n', null, true)).toEqual(['Exec=evil %u', 'MimeType=x-scheme-handler/https;']);
  });

  it('cuts long lines', () => {
    const [line] = describeText(`${'x'.repeat(500)}\n`, null, false);
    expect(line).toHaveLength(160);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('globs', () => {
  it('* stays within a name, /** reaches below, /**/ spans any depth, ~ is the home', () => {
    expect(globToRegExp('~/.ssh/authorized_keys*', HOME).test('/home/u/.ssh/authorized_keys2')).toBe(true);
    expect(globToRegExp('/etc/cron*', HOME).test('/etc/cron.d/job')).toBe(false);
    expect(globToRegExp('/etc/cron*/**', HOME).test('/etc/cron.d/job')).toBe(true);
    expect(globToRegExp('/etc/profile.d/**', HOME).test('/etc/profile.d')).toBe(false);
    expect(globToRegExp('/**/.git/hooks/**', HOME).test('/a/b/c/.git/hooks/pre-commit')).toBe(true);
    expect(globToRegExp('/**/*.crt', HOME).test('/x.crt')).toBe(true);
    expect(globToRegExp('/**/*.crt', HOME).test('/a/x.crtx')).toBe(false);
    expect(globToRegExp('/etc/rc?.d/**', HOME).test('/etc/rc2.d/S01x')).toBe(true);
  });

  it('the first rule in the table wins', () => {
    const m = new PathRuleMatcher(HOME);
    expect(m.match('/home/u/.mozilla/firefox/p/extensions/x.xpi', 'added')?.id).toBe('browser-extension');
    expect(m.match('/home/u/.mozilla/firefox/p/cert9.db', 'modified')?.id).toBe('trust-store');
    expect(m.match('/home/u/.local/share/applications/mimeapps.list', 'modified')?.id).toBe('mime-handler');
    expect(m.match('/etc/security/pam_env.conf', 'modified')?.id).toBe('login-environment');
    expect(m.match('/home/u/.bashrc', 'deleted')).toBeNull();
  });

  it('every rule names a known risk', () => {
    for (const r of PATH_RULES) expect(RISKS[r.id]).toBeDefined();
  });
});

describe('PATH', () => {
  it('puts ~/bin and ~/.local/bin first when $PATH lacks them and the standard directories last', () => {
    expect(effectivePath('/usr/bin:/bin:relative:/opt/x/', HOME)).toEqual(['/home/u/bin', '/home/u/.local/bin', '/usr/bin', '/bin', '/opt/x', '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/sbin']);
    expect(effectivePath(PATH, HOME).slice(0, 3)).toEqual(['/home/u/bin', '/home/u/.local/bin', '/usr/local/bin']);
    expect(effectivePath(undefined, HOME)).toContain('/usr/bin');
  });
});

describe('summary', () => {
  it('counts kinds, bytes, the largest files and the busiest directories', () => {
    const s = summarize(
      [
        added('/home/u/.local/lib/pkg/a.js', 300),
        added('/home/u/.local/lib/pkg/sub/b.js', 700),
        added('/home/u/.local/lib/pkg', 0, 'dir'),
        modified('/home/u/.bashrc', 50),
        deleted('/home/u/notes.txt'),
        added('/usr/local/lib/tool/x/y.so', 2000),
      ],
      HOME,
      4,
    );
    expect(s).toMatchObject({ changes: 6, added: 4, modified: 1, deleted: 1, bytesAdded: 3000, bytesModified: 50, registryChanges: 4 });
    expect(s.largest.map((f) => [f.path, f.size])).toEqual([
      ['/usr/local/lib/tool/x/y.so', 2000],
      ['/home/u/.local/lib/pkg/sub/b.js', 700],
      ['/home/u/.local/lib/pkg/a.js', 300],
      ['/home/u/.bashrc', 50],
    ]);
    expect(s.topDirs[0]).toEqual({ path: '/home/u/.local/lib', changes: 3, bytes: 1000 });
    expect(s.topDirs.map((d) => d.path)).toEqual(['/home/u/.local/lib', '/home/u', '/usr/local/lib']);
  });

  it('keeps the ten largest of many', () => {
    const s = summarize(Array.from({ length: 1000 }, (_, i) => added(`/t/f${i}`, i)), HOME);
    expect(s.largest.map((f) => f.size)).toEqual([999, 998, 997, 996, 995, 994, 993, 992, 991, 990]);
  });

  it('dirKey cuts to two levels below the home, three below the root', () => {
    expect(dirKey('/home/u/.mozilla/firefox/p/x', HOME)).toBe('/home/u/.mozilla/firefox');
    expect(dirKey('/home/u/.bashrc', HOME)).toBe('/home/u');
    expect(dirKey('/var/tmp/fvm-e2e-1/file-1.txt', HOME)).toBe('/var/tmp/fvm-e2e-1');
    expect(dirKey('/etc/hosts', HOME)).toBe('/etc');
  });
});

describe('buildReport', () => {
  it('puts flags, summary and, only while the VM runs, its processes in one document', () => {
    const processes = [{ vm: 'x', pid: 10, ppid: 9, vmPid: 1, cmd: 'fvm-init', state: 'S' }];
    const input = { vm: 'x', changes: [added('/home/u/.config/autostart/a.desktop')], registry: [], processes, home: HOME, envPath: PATH, probe: probe(), now: new Date('2026-11-24T08:00:00Z') };
    const running = buildReport({ ...input, state: 'running' });
    expect(running).toMatchObject({ vm: 'x', state: 'running', generated: '2026-11-24T08:00:00.000Z', processes });
    expect(running.flags.map((f) => f.id)).toEqual(['autostart']);
    expect(running.summary.added).toBe(1);
    expect(buildReport({ ...input, state: 'stopped' }).processes).toEqual([]);
  });
});
