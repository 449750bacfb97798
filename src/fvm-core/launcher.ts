/**
 * Starts a VM: computes the mount plan, prepares the upper and work directories on the host,
 * then spawns resources/fvm-launch.sh detached and waits until the VM's init reports "ready".
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FvmError } from '../shared/errors.js';
import { computeMountPlan, type HostDir } from '../redirect/mount-plan.js';
import { planToScript } from '../redirect/plan-script.js';
import { readMountsSync } from '../redirect/mountinfo.js';
import { realHostView } from '../redirect/host-view.js';
import { effectiveRules } from '../redirect/rules.js';
import { trustedPaths } from '../redirect/trusted-files.js';
import { sourceDirs, type VmManifest, type VmPaths } from './repository.js';
import { writeRuntime, type Runtime } from './runtime.js';
import { readBootId, readNs, readProcStat } from './proc.js';
import { findTool, resourcesDir } from './tools.js';
import { prepareCgroup } from './cgroup.js';

export interface LaunchOptions {
  readonly storeDir: string;
  readonly lingerSeconds: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** FVM_TRACE=1 prints the launch's phases with their times on stderr (for diagnosing slow starts). */
function tracer(): (what: string) => void {
  if (process.env.FVM_TRACE !== '1') return () => undefined;
  const t0 = performance.now();
  return (what) => process.stderr.write(`fvm-trace ${(performance.now() - t0).toFixed(1)} ms ${what}\n`);
}

/** Creates the upper roots and workdirs with the mirrored modes the plan asks for. */
export function prepareHostDirs(dirs: readonly HostDir[], fullMap: boolean): void {
  for (const d of [...dirs].sort((a, b) => a.path.length - b.path.length)) {
    if (fs.existsSync(d.path)) continue;
    const parent = path.dirname(d.path);
    const pst = fs.statSync(parent);
    // Mirrored upper roots are often 0555; open the parent just long enough to add the child.
    const opened = (pst.mode & 0o200) === 0;
    if (opened) fs.chmodSync(parent, (pst.mode & 0o7777) | 0o700);
    try {
      fs.mkdirSync(d.path);
      fs.chmodSync(d.path, d.mode);
      if (fullMap) fs.chownSync(d.path, d.uid, d.gid);
    } finally {
      if (opened) fs.chmodSync(parent, pst.mode & 0o7777);
    }
  }
}

export async function launchVm(m: VmManifest, p: VmPaths, opts: LaunchOptions): Promise<Runtime> {
  const trace = tracer();
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  const fullMap = uid === 0;
  const home = os.homedir();
  for (const tool of ['unshare', 'nsenter', 'setpriv', 'mount', 'pivot_root']) {
    if (!findTool(tool)) throw new FvmError('TOOL_MISSING', `${tool} is not installed`, 'Install util-linux (and mount): apt-get install util-linux mount');
  }
  if (m.config.network === 'private' && !findTool('slirp4netns')) {
    throw new FvmError(
      'NETWORK_UNAVAILABLE',
      `VM '${m.name}' uses the private network, but slirp4netns is not installed`,
      'Install it (apt-get install slirp4netns), or give the VM no network: fvm create NAME --network none',
    );
  }
  fs.mkdirSync(p.fs, { recursive: true, mode: 0o755 });
  fs.mkdirSync(p.work, { recursive: true, mode: 0o700 });
  fs.mkdirSync(p.mnt, { recursive: true, mode: 0o700 });
  fs.rmSync(p.run, { recursive: true, force: true });
  fs.mkdirSync(p.run, { recursive: true, mode: 0o700 });

  const sources = sourceDirs(p);
  // A path is "touched" when any of the VM's upper trees holds an entry there (file, whiteout,
  // replaced directory): then the host's version is bound over it for the launch.
  const touched = (hostPath: string) => sources.some((dir) => fs.lstatSync(path.join(dir, hostPath), { throwIfNoEntry: false }) !== undefined);
  const guarded = trustedPaths(fullMap, touched);
  const plan = computeMountPlan({
    host: realHostView(uid, process.getgroups?.() ?? []),
    mounts: readMountsSync(),
    fsDir: p.fs,
    layerDirs: sources.slice(1),
    guarded,
    mntDir: p.mnt,
    workDir: p.work,
    uid,
    gid,
    fullMap,
    extraRoots: m.extraRoots,
    // Rule and store paths resolved through host symlinks: a bind onto "$R/~/.netrc" would
    // otherwise follow an absolute link out of the new root and hide nothing in the VM.
    rules: effectiveRules(m.config.preset, m.config.rules, home).map((r) => ({ ...r, path: realpathOr(r.path) })),
    storeDir: realpathOr(opts.storeDir),
    home,
    runtimeDir: process.env.XDG_RUNTIME_DIR || `/run/user/${uid}`,
    network: m.config.network,
  });
  trace(`plan: ${plan.ops.length} ops`);
  prepareHostDirs(plan.hostDirs, fullMap);
  trace('host dirs ready');
  fs.writeFileSync(path.join(p.run, 'plan.sh'), planToScript(plan.ops), { mode: 0o600 });
  const cgroup = prepareCgroup(p.dir);

  const res = resourcesDir();
  const log = fs.openSync(path.join(p.run, 'launch.log'), 'w', 0o600);
  const child = spawn(
    '/bin/sh',
    [
      path.join(res, 'fvm-launch.sh'),
      p.run,
      fullMap ? '1' : '0',
      m.config.network,
      cgroup ?? '-',
      '--',
      p.run,
      p.mnt,
      m.config.network,
      m.config.hostname ?? '-',
      String(opts.lingerSeconds),
    ],
    { detached: true, stdio: ['ignore', log, log], env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', ...(process.env.FVM_TRACE === '1' ? { FVM_TRACE: '1' } : {}) } },
  );
  fs.closeSync(log);
  let exited: number | null = null;
  child.on('exit', (code, sig) => {
    exited = code ?? (sig ? 128 : 1);
  });
  child.unref();
  trace('launcher spawned');

  const statusFile = path.join(p.run, 'status');
  const deadline = Date.now() + 30_000;
  let initPid = 0;
  let status = '';
  for (;;) {
    status = readText(statusFile);
    const pm = /^pid (\d+)$/m.exec(status);
    if (pm) initPid = Number(pm[1]);
    if (/^ready$/m.test(status)) break;
    if (exited !== null || Date.now() > deadline) {
      killGroup(child.pid);
      killInit(initPid);
      const tail = readText(path.join(p.run, 'launch.log')).trim().split('\n').slice(-6).join('\n');
      throw new FvmError(
        'LAUNCH_FAILED',
        `VM '${m.name}' did not start${exited !== null ? ` (launcher exit ${exited})` : ' within 30 s'}: ${tail || 'no output'}`,
        'Run `fvm doctor` to check user namespaces, overlayfs and util-linux on this machine.',
      );
    }
    await sleep(3);
  }
  trace('init ready');
  if (m.config.network === 'private') {
    try {
      await waitForSlirp(p, m.name);
    } catch (err) {
      // A VM without the network it was promised must not keep running unseen.
      killGroup(child.pid);
      killInit(initPid);
      throw err;
    }
  }
  trace('network ready');
  const init = readProcStat(initPid);
  const unsharePid = Number(readText(path.join(p.run, 'unshare.pid')).trim()) || 0;
  const slirpPid = Number(readText(path.join(p.run, 'slirp.pid')).trim()) || null;
  const pidNs = readNs(initPid, 'pid');
  if (!init || !pidNs) throw new FvmError('LAUNCH_FAILED', `VM '${m.name}' stopped right after it started`, 'Run `fvm doctor`.');
  const rt: Runtime = {
    initPid,
    initStart: init.startTime,
    unsharePid,
    pidNs,
    bootId: readBootId(),
    network: m.config.network,
    fullMap,
    nestedUserns: fullMap && /^nested$/m.test(status),
    started: new Date().toISOString(),
    cgroup,
    slirpPid,
    slirpStart: slirpPid ? (readProcStat(slirpPid)?.startTime ?? null) : null,
  };
  writeRuntime(p, rt);
  return rt;
}

async function waitForSlirp(p: VmPaths, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (readText(path.join(p.run, 'slirp.ready')).length > 0) return;
    await sleep(5);
  }
  throw new FvmError('NETWORK_UNAVAILABLE', `the private network of VM '${name}' did not come up: ${readText(path.join(p.run, 'slirp.log')).trim()}`, 'Check that slirp4netns works here (`fvm doctor`), or use --network none.');
}

function realpathOr(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

function killGroup(pid: number | undefined): void {
  try {
    if (pid) process.kill(-pid, 'SIGKILL');
  } catch {
    // gone
  }
}

function killInit(pid: number): void {
  try {
    if (pid) process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

function readText(f: string): string {
  try {
    return fs.readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}
