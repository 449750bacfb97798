/**
 * What the report flags, as data: each risk's severity, title and one-line reason, and the host
 * paths that raise it.
 *
 * Path rules are globs over host paths (`~` is the VM owner's home, `*` one name or part of one,
 * `/**` anything below, `/**` + `/` any depth of directories). A changed path is claimed by the
 * first rule that matches it, so the more specific rules come first (an extension before the rest
 * of a browser profile, mimeapps.list before the other .desktop files beside it).
 */
import path from 'node:path';
import type { ChangeKind, RiskId, RiskSeverity } from '../shared/types.js';

export interface RiskInfo {
  readonly severity: RiskSeverity;
  readonly title: string;
  readonly explanation: string;
}

/** Every flag the report can raise; its order is the order within a severity. */
export const RISKS: Readonly<Record<RiskId, RiskInfo>> = {
  autostart: { severity: 'high', title: 'Autostart entry', explanation: 'Starts a program every time you log in to your desktop.' },
  'shell-rc': { severity: 'high', title: 'Shell start-up file', explanation: 'Runs in every new shell: a line here can alias commands, change PATH or start programs.' },
  'login-environment': { severity: 'high', title: 'Login environment', explanation: 'Sets variables for your whole session; LD_PRELOAD or PATH set here reach every program.' },
  'ld-preload': { severity: 'high', title: 'Library preloading', explanation: 'Loads a library into every program started on the system.' },
  'systemd-unit': { severity: 'high', title: 'systemd unit', explanation: 'Lets systemd start a program at boot, at login, on a timer or on demand.' },
  'cron-job': { severity: 'high', title: 'Scheduled job', explanation: 'Runs a command on a schedule (cron, anacron, at), also when you are not looking.' },
  'ssh-access': { severity: 'high', title: 'SSH access or configuration', explanation: 'Lets someone log in over SSH with a key, or changes how ssh connects (ProxyCommand runs a program).' },
  'privilege-rules': { severity: 'high', title: 'Privilege rules', explanation: 'Changes who may become root or how logins are checked (sudo, doas, polkit, PAM).' },
  'user-accounts': { severity: 'high', title: 'User accounts', explanation: 'Adds or changes users, groups or passwords.' },
  setuid: { severity: 'high', title: 'Set-user-ID or set-group-ID file', explanation: "Runs with its owner's (or group's) rights whoever starts it." },
  'path-shim': { severity: 'high', title: 'Command shadowed in PATH', explanation: 'A new command earlier in your PATH than one of the same name: typing that name runs this one instead.' },
  'binary-replaced': { severity: 'high', title: 'Command replaced', explanation: 'Changes a command in your PATH: every use of it runs the VM\'s version.' },
  'trust-store': { severity: 'high', title: 'Trusted certificate', explanation: 'Changes which certificate authorities your system or browser trusts: their holder can pose as any website.' },
  'browser-policy': { severity: 'high', title: 'Browser policy', explanation: 'A managed policy can force-install extensions, set a proxy and hide settings from you.' },
  'browser-extension': { severity: 'high', title: 'Browser extension', explanation: 'Installs or changes a browser extension or native helper: it can read and change every page you visit.' },
  'package-sources': { severity: 'high', title: 'Package source or signing key', explanation: 'Later system updates may install software from it, as root.' },
  'kernel-modules': { severity: 'high', title: 'Kernel module setting', explanation: 'Loads or configures kernel code at boot.' },
  'boot-scripts': { severity: 'high', title: 'Boot or device script', explanation: 'Runs a program at boot or when a device is plugged in.' },
  'windows-autostart': { severity: 'high', title: 'Windows autostart key', explanation: 'A Run key, service or Winlogon value in the Wine registry starts a program with Wine.' },
  'mime-handler': { severity: 'medium', title: 'File or link handler', explanation: 'Changes which program opens a file type or a kind of link (xdg-open, links from other apps).' },
  'desktop-entry': { severity: 'medium', title: 'Application launcher', explanation: 'A menu entry can pose as another app, or register itself for file types and links.' },
  'browser-profile': { severity: 'medium', title: 'Browser profile', explanation: "Changes your browser's settings or data (preferences, cookies, saved logins)." },
  'git-hooks': { severity: 'medium', title: 'Git hook', explanation: 'Runs a program when you use git in that repository.' },
  'git-config': { severity: 'medium', title: 'Git configuration', explanation: 'Settings such as core.hooksPath, core.pager, core.sshCommand or an alias can run programs.' },
  'name-resolution': { severity: 'medium', title: 'Name resolution', explanation: 'Changes where host names lead (/etc/hosts, DNS): a familiar name can reach another machine.' },
  'package-manager-config': { severity: 'medium', title: 'Package manager setting', explanation: 'Changes where pip, npm, cargo or gem fetch packages from, or the credentials they send.' },
  'interpreter-hooks': { severity: 'medium', title: 'Interpreter start-up hook', explanation: 'Runs code each time Python starts (sitecustomize, .pth files).' },
  'desktop-extension': { severity: 'medium', title: 'Desktop shell extension', explanation: 'Code that runs inside your desktop session (GNOME Shell, KDE Plasma, Cinnamon).' },
  'dbus-service': { severity: 'medium', title: 'D-Bus service', explanation: 'Starts a program on demand when something on the bus asks for that service name.' },
  'path-executable': { severity: 'low', title: 'New command in PATH', explanation: 'A new program you can run by name; it shadows no existing command.' },
  'certificate-file': { severity: 'low', title: 'Certificate or key file', explanation: 'Harmless until something is configured to trust or use it.' },
  'host-deletions': { severity: 'low', title: 'Deleted host files', explanation: 'Committing the VM deletes these from your host.' },
};

export interface PathRule {
  readonly id: RiskId;
  readonly globs: readonly string[];
  /** Kinds of change that count; added and modified by default (a deletion persists nothing). */
  readonly kinds?: readonly ChangeKind[];
  /** Read the VM's version for detail lines (text configs and scripts). */
  readonly read?: boolean;
  /** Paths the globs match but the rule leaves alone. */
  readonly except?: RegExp;
}

const CHROMES = ['google-chrome', 'google-chrome-beta', 'google-chrome-unstable', 'chromium', 'BraveSoftware/Brave-Browser', 'microsoft-edge', 'vivaldi'];

export const PATH_RULES: readonly PathRule[] = [
  {
    id: 'autostart',
    read: true,
    globs: ['~/.config/autostart/**', '/etc/xdg/autostart/**', '~/.xprofile', '~/.xsessionrc', '~/.xsession', '~/.xinitrc', '~/.config/plasma-workspace/env/**', '~/.config/plasma-workspace/shutdown/**', '~/.config/lxsession/*/autostart'],
  },
  {
    id: 'shell-rc',
    read: true,
    globs: [
      ...['.bashrc', '.bash_profile', '.bash_login', '.bash_logout', '.profile', '.zshrc', '.zshenv', '.zprofile', '.zlogin', '.zlogout', '.kshrc', '.mkshrc', '.cshrc', '.tcshrc', '.login'].map((f) => `~/${f}`),
      '~/.bashrc.d/**',
      '~/.config/fish/**',
      '~/.oh-my-zsh/custom/**',
      '/etc/profile',
      '/etc/profile.d/**',
      '/etc/bash.bashrc',
      '/etc/bash.bash_logout',
      '/etc/zsh/**',
      '/etc/zshrc',
      '/etc/zprofile',
      '/etc/zshenv',
      '/etc/fish/**',
      '/etc/skel/**',
    ],
  },
  { id: 'login-environment', read: true, globs: ['/etc/environment', '/etc/environment.d/**', '~/.config/environment.d/**', '~/.pam_environment', '/etc/security/pam_env.conf'] },
  { id: 'ld-preload', read: true, globs: ['/etc/ld.so.preload', '/etc/ld.so.conf', '/etc/ld.so.conf.d/**'] },
  {
    id: 'systemd-unit',
    read: true,
    globs: ['~/.config/systemd/**', '~/.local/share/systemd/**', '/etc/systemd/**', '/etc/xdg/systemd/**', '/usr/lib/systemd/**', '/lib/systemd/**', '/usr/local/lib/systemd/**'],
  },
  { id: 'cron-job', read: true, globs: ['/var/spool/cron/**', '/etc/cron*', '/etc/cron*/**', '/etc/anacrontab', '/var/spool/anacron/**', '/var/spool/at/**'] },
  { id: 'ssh-access', read: true, globs: ['~/.ssh/authorized_keys*', '~/.ssh/config', '~/.ssh/config.d/**', '~/.ssh/rc', '~/.ssh/environment', '/etc/ssh/**', '/root/.ssh/authorized_keys*'] },
  {
    id: 'privilege-rules',
    read: true,
    globs: ['/etc/sudoers', '/etc/sudoers.d/**', '/etc/doas.conf', '/etc/polkit-1/**', '/usr/share/polkit-1/rules.d/**', '/etc/pam.d/**', '/etc/security/**', '/etc/pam.conf'],
  },
  { id: 'user-accounts', read: true, globs: ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow', '/etc/subuid', '/etc/subgid'] },
  {
    id: 'trust-store',
    globs: [
      '/usr/local/share/ca-certificates/**',
      '/usr/share/ca-certificates/**',
      '/etc/ssl/**',
      '/etc/ca-certificates/**',
      '/etc/ca-certificates.conf',
      '/etc/pki/**',
      '~/.pki/nssdb/**',
      '~/.mozilla/firefox/*/cert9.db',
      '~/.mozilla/firefox/*/cert8.db',
      '~/.mozilla/firefox/*/pkcs11.txt',
    ],
  },
  {
    id: 'browser-policy',
    globs: ['/etc/opt/chrome/policies/**', '/etc/chromium/policies/**', '/etc/chromium-browser/policies/**', '/etc/brave/policies/**', '/etc/opt/edge/policies/**', '/etc/firefox/policies/**', '/usr/lib/firefox*/distribution/policies.json'],
  },
  {
    id: 'browser-extension',
    globs: [
      '~/.mozilla/firefox/*/extensions/**',
      '~/.mozilla/firefox/*/extensions.json',
      '~/.mozilla/extensions/**',
      '~/.mozilla/native-messaging-hosts/**',
      '/usr/lib/firefox*/distribution/**',
      '/usr/lib/mozilla/**',
      '/usr/share/mozilla/extensions/**',
      ...CHROMES.flatMap((b) => [`~/.config/${b}/*/Extensions/**`, `~/.config/${b}/NativeMessagingHosts/**`, `~/.config/${b}/External Extensions/**`]),
      '/usr/share/google-chrome/extensions/**',
      '/opt/google/chrome/extensions/**',
      '/usr/share/chromium/extensions/**',
      '/etc/chromium/native-messaging-hosts/**',
      '/etc/opt/chrome/native-messaging-hosts/**',
    ],
  },
  {
    id: 'package-sources',
    read: true,
    globs: ['/etc/apt/sources.list', '/etc/apt/sources.list.d/**', '/etc/apt/trusted.gpg', '/etc/apt/trusted.gpg.d/**', '/etc/apt/keyrings/**', '/usr/share/keyrings/**', '/etc/apt/apt.conf.d/**', '/etc/apt/preferences.d/**', '/etc/yum.repos.d/**'],
  },
  { id: 'kernel-modules', read: true, globs: ['/etc/modules', '/etc/modules-load.d/**', '/etc/modprobe.d/**', '/usr/lib/modules-load.d/**', '/lib/modules/**', '/usr/lib/modules/**'] },
  {
    id: 'boot-scripts',
    read: true,
    globs: ['/etc/rc.local', '/etc/rc?.d/**', '/etc/init.d/**', '/etc/init/**', '/etc/udev/rules.d/**', '/lib/udev/rules.d/**', '/usr/lib/udev/rules.d/**', '/boot/**', '/etc/default/grub', '/etc/grub.d/**', '/etc/initramfs-tools/**'],
  },
  {
    id: 'mime-handler',
    read: true,
    globs: [
      '~/.config/mimeapps.list',
      '~/.config/*-mimeapps.list',
      '~/.local/share/applications/mimeapps.list',
      '~/.local/share/applications/defaults.list',
      '/etc/xdg/mimeapps.list',
      '/usr/share/applications/mimeapps.list',
      '/usr/share/applications/defaults.list',
      '/usr/local/share/applications/mimeapps.list',
      '~/.local/share/mime/packages/**',
    ],
  },
  { id: 'desktop-entry', read: true, globs: ['~/.local/share/applications/**', '/usr/share/applications/**', '/usr/local/share/applications/**'], except: /\/mimeinfo\.cache$/ },
  {
    id: 'browser-profile',
    globs: ['~/.mozilla/**', ...CHROMES.map((b) => `~/.config/${b}/**`), '~/snap/firefox/**', '~/.var/app/org.mozilla.firefox/**', '~/.var/app/org.chromium.Chromium/**'],
  },
  { id: 'git-hooks', read: true, globs: ['/**/.git/hooks/**', '~/.config/git/hooks/**', '~/.git-templates/hooks/**'], except: /\.sample$/ },
  { id: 'git-config', read: true, globs: ['~/.gitconfig', '~/.config/git/**', '/etc/gitconfig'] },
  // A repository's own config only when the host had it: a clone made in the VM brings a new one.
  { id: 'git-config', read: true, globs: ['/**/.git/config'], kinds: ['modified'] },
  { id: 'name-resolution', read: true, globs: ['/etc/hosts', '/etc/resolv.conf', '/etc/nsswitch.conf', '/etc/gai.conf', '/etc/host.conf'] },
  {
    id: 'package-manager-config',
    read: true,
    globs: ['~/.npmrc', '~/.yarnrc', '~/.yarnrc.yml', '~/.config/pip/**', '~/.pip/**', '/etc/pip.conf', '/etc/npmrc', '~/.cargo/config', '~/.cargo/config.toml', '~/.gemrc', '~/.pypirc', '~/.docker/config.json'],
  },
  { id: 'interpreter-hooks', read: true, globs: ['/**/sitecustomize.py', '/**/usercustomize.py', '/**/site-packages/*.pth', '/**/dist-packages/*.pth'] },
  {
    id: 'desktop-extension',
    globs: ['~/.local/share/gnome-shell/extensions/**', '/usr/share/gnome-shell/extensions/**', '~/.local/share/plasma/**', '~/.local/share/cinnamon/extensions/**', '~/.local/share/cinnamon/applets/**'],
  },
  { id: 'dbus-service', read: true, globs: ['~/.local/share/dbus-1/**', '/usr/share/dbus-1/**', '/etc/dbus-1/**'] },
  { id: 'certificate-file', globs: ['/**/*.crt', '/**/*.pem', '/**/*.cer', '/**/*.der'], kinds: ['added'] },
];

/** A glob of the table as a RegExp over absolute paths, `~` taken as `home`. */
export function globToRegExp(glob: string, home: string): RegExp {
  const g = glob === '~' ? home : glob.startsWith('~/') ? path.join(home, glob.slice(2)) : glob;
  let re = '';
  for (let i = 0; i < g.length; i++) {
    if (g.startsWith('/**/', i)) {
      re += '/(?:[^/]+/)*';
      i += 3;
    } else if (g.startsWith('/**', i) && i + 3 === g.length) {
      re += '/.+';
      i += 2;
    } else if (g[i] === '*') re += '[^/]*';
    else if (g[i] === '?') re += '[^/]';
    else re += g[i].replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** The text of `glob` before its first wildcard: every path it matches starts with it. */
function literalPrefix(glob: string, home: string): string {
  const g = glob.startsWith('~/') ? path.join(home, glob.slice(2)) : glob;
  const at = g.search(/[*?]/);
  return at < 0 ? g : g.slice(0, at);
}

interface Compiled {
  readonly rule: PathRule;
  readonly order: number;
  readonly prefix: string;
  readonly re: RegExp;
}

/**
 * The path rules compiled for one home: `match` answers the first rule that claims a change.
 *
 * Globs are bucketed by the first name of their literal prefix, so a path is tested only
 * against the few globs that could match it: a 100,000-file diff costs a few hundred ms at most.
 */
export class PathRuleMatcher {
  private readonly buckets = new Map<string, Compiled[]>();

  constructor(home: string, rules: readonly PathRule[] = PATH_RULES) {
    rules.forEach((rule, order) => {
      for (const glob of rule.globs) {
        const prefix = literalPrefix(glob, home);
        const key = firstName(prefix);
        const list = this.buckets.get(key) ?? [];
        list.push({ rule, order, prefix, re: globToRegExp(glob, home) });
        this.buckets.set(key, list);
      }
    });
  }

  match(hostPath: string, kind: ChangeKind): PathRule | null {
    let best: Compiled | null = null;
    for (const key of [firstName(hostPath), '']) {
      for (const c of this.buckets.get(key) ?? []) {
        if (best && c.order >= best.order) continue;
        if (!hostPath.startsWith(c.prefix) || !c.re.test(hostPath)) continue;
        if (!(c.rule.kinds ?? DEFAULT_KINDS).includes(kind) || c.rule.except?.test(hostPath)) continue;
        best = c;
      }
    }
    return best?.rule ?? null;
  }
}

const DEFAULT_KINDS: readonly ChangeKind[] = ['added', 'modified'];

/** `/etc/ssh/x` → `etc`; a prefix that ends at the root (`/`, from `/**`) → '' (every path). */
function firstName(p: string): string {
  const slash = p.indexOf('/', 1);
  return slash < 0 ? '' : p.slice(1, slash);
}

/** Wine registry keys that start programs (Windows' own autostart places). */
export const WINDOWS_AUTOSTART_KEYS: readonly RegExp[] = [
  /\\Software\\(?:Wow6432Node\\)?Microsoft\\Windows\\CurrentVersion\\(?:Run|RunOnce|RunOnceEx|RunServices|RunServicesOnce|Policies\\Explorer\\Run)(?:\\|$)/i,
  /\\Software\\(?:Wow6432Node\\)?Microsoft\\Windows NT\\CurrentVersion\\(?:Winlogon|Image File Execution Options|Windows)(?:\\|$)/i,
  /^HKLM\\System\\CurrentControlSet\\Services\\/i,
];
