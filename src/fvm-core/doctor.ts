/** `fvm doctor`: probes what FVM needs on this machine and says how to fix what is missing. */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DoctorCheck } from '../shared/types.js';
import { findTool } from './tools.js';
import { cgroupParent } from './cgroup.js';

function check(id: string, ok: boolean, detail: string, fix: string, optional = false): DoctorCheck {
  return { id, ok, optional, detail, fix: ok ? '' : fix };
}

function kernelAtLeast(major: number, minor: number): { ok: boolean; release: string } {
  const release = os.release();
  const m = /^(\d+)\.(\d+)/.exec(release);
  const ok = !!m && (Number(m[1]) > major || (Number(m[1]) === major && Number(m[2]) >= minor));
  return { ok, release };
}

/** Mounts an overlay in a fresh user + mount namespace: the real test of what a VM needs. */
function probeOverlay(home: string): { ok: boolean; detail: string } {
  const unshare = findTool('unshare');
  if (!unshare) return { ok: false, detail: 'unshare not found' };
  let dir: string;
  try {
    dir = fs.mkdtempSync(path.join(fs.existsSync(home) ? home : os.tmpdir(), '.doctor-'));
  } catch (err) {
    return { ok: false, detail: `cannot create a probe dir in ${home}: ${(err as Error).message}` };
  }
  try {
    for (const d of ['l', 'u', 'w', 'm']) fs.mkdirSync(path.join(dir, d));
    fs.writeFileSync(path.join(dir, 'l/f'), 'x');
    const script = `set -e; cd "$1"; mount -t overlay fvm -o lowerdir=l,upperdir=u,workdir=w,userxattr m; echo y > m/f; rm m/f; mkdir m/d; cat /proc/self/uid_map >/dev/null`;
    const r = spawnSync(unshare, ['--user', '--map-current-user', '--keep-caps', '--mount', '--pid', '--fork', '--kill-child', '/bin/sh', '-c', script, 'probe', dir], {
      encoding: 'utf8',
      timeout: 10_000,
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    if (r.status !== 0) return { ok: false, detail: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0] ?? '' };
    const wh = fs.lstatSync(path.join(dir, 'u/f'));
    return { ok: wh.isCharacterDevice() && wh.rdev === 0, detail: 'overlay mounted in a user namespace; whiteouts work' };
  } finally {
    spawnSync('/bin/chmod', ['-R', 'u+rwx', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function runDoctor(home: string): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const k = kernelAtLeast(5, 11);
  checks.push(check('kernel', k.ok, `kernel ${k.release} (unprivileged overlayfs needs 5.11+)`, 'Upgrade the kernel to 5.11 or newer.'));
  const maxNs = readNumber('/proc/sys/user/max_user_namespaces');
  const clone = readNumber('/proc/sys/kernel/unprivileged_userns_clone');
  const apparmor = readNumber('/proc/sys/kernel/apparmor_restrict_unprivileged_userns');
  checks.push(
    check(
      'user-namespaces',
      maxNs !== 0 && clone !== 0 && apparmor !== 1,
      `max_user_namespaces=${maxNs ?? '?'}${clone !== null ? `, unprivileged_userns_clone=${clone}` : ''}${apparmor !== null ? `, apparmor_restrict_unprivileged_userns=${apparmor}` : ''}`,
      apparmor === 1
        ? 'Ubuntu restricts user namespaces: sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0 (or install an AppArmor profile allowing userns for unshare)'
        : 'Allow unprivileged user namespaces: sudo sysctl user.max_user_namespaces=15000 kernel.unprivileged_userns_clone=1',
    ),
  );
  for (const tool of ['unshare', 'nsenter', 'setpriv', 'mount', 'pivot_root', 'mknod']) {
    const p = findTool(tool);
    checks.push(check(`tool:${tool}`, !!p, p ? `${p}` : `${tool} not found`, 'Install util-linux, mount and coreutils (apt-get install util-linux mount coreutils).'));
  }
  const nsenterHelp = spawnSync(findTool('nsenter') ?? 'nsenter', ['--help'], { encoding: 'utf8' }).stdout ?? '';
  checks.push(check('nsenter-wdns', nsenterHelp.includes('--wdns'), nsenterHelp.includes('--wdns') ? 'nsenter supports --wdns' : 'nsenter lacks --wdns (util-linux < 2.38)', 'Upgrade util-linux to 2.38 or newer.'));
  const xattrTool = findTool('getfattr') ?? findTool('python3');
  checks.push(check('xattr-reader', !!xattrTool, xattrTool ? `reads overlay xattrs with ${xattrTool}` : 'neither getfattr nor python3 found', 'Install the attr package: apt-get install attr'));
  const ov = probeOverlay(home);
  checks.push(check('overlay-in-userns', ov.ok, ov.detail, 'Unprivileged overlayfs failed: see the user-namespaces check and dmesg.'));
  const slirp = findTool('slirp4netns');
  let tun = true;
  try {
    fs.accessSync('/dev/net/tun', fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    tun = false;
  }
  checks.push(
    check(
      'network-private',
      !!slirp && tun,
      !slirp
        ? 'slirp4netns not found: VMs with the default private network cannot start'
        : tun
          ? `slirp4netns at ${slirp} and /dev/net/tun usable: --network private available (the default)`
          : '/dev/net/tun is not readable and writable by you: slirp4netns cannot create the VM\'s tap device',
      !slirp ? 'Install it (apt-get install slirp4netns), or create VMs with --network none.' : 'Restore Debian\'s default mode: sudo chmod 0666 /dev/net/tun (or create VMs with --network none).',
    ),
  );
  const ip = findTool('ip');
  checks.push(check('loopback', !!ip, ip ? 'ip brings up lo in VMs without host network' : 'iproute2 missing: loopback stays down in --network none VMs', 'apt-get install iproute2', true));
  const cg = cgroupParent();
  checks.push(check('freezer', !!cg, cg ? `cgroup v2 freeze under ${cg}` : 'no delegated cgroup v2: suspend uses a repeated SIGSTOP sweep', 'On systemd desktops run FVM in a delegated scope (systemd-run --user --scope -p Delegate=yes fvm ...).', true));
  const isRoot = process.getuid?.() === 0;
  const fuse = findTool('fuse-overlayfs');
  checks.push(
    check(
      'run-as-root',
      isRoot,
      isRoot
        ? 'running as root: every uid is mapped, `fvm run --root` and sudo-style installers work in VMs'
        : `unprivileged: files owned by root stay read-only in VMs, so \`fvm run --root\` is refused${fuse ? ` (fuse-overlayfs ${fuse} is installed but not used: it costs 1.6-2.2x on builds and 6-20x on metadata walks)` : ''}`,
      'System-wide installers (apt, dpkg, make install into /usr) need FVM run as root: sudo fvm run --root VM -- CMD.',
      true,
    ),
  );
  const wine = findTool('wine');
  const wineserver = findTool('wineserver');
  checks.push(
    check(
      'wine',
      !!wine && !!wineserver,
      wine && wineserver
        ? `Wine at ${wine}: Windows programs and .msi installers run in VMs, their registry renamed key by key (fvm reg)`
        : 'Wine is not installed: Windows programs and .msi installers cannot run in VMs',
      'apt-get install --no-install-recommends wine64 wine (and wine32:i386 for 32-bit setup.exe files).',
      true,
    ),
  );
  try {
    execFileSync('/bin/sh', ['-c', 'true']);
  } catch {
    checks.push(check('sh', false, '/bin/sh cannot run', 'Install dash or bash as /bin/sh.'));
  }
  return checks;
}

function readNumber(f: string): number | null {
  try {
    return Number(fs.readFileSync(f, 'utf8').trim());
  } catch {
    return null;
  }
}
