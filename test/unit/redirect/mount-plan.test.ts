import { describe, expect, it } from 'vitest';
import { computeMountPlan, mirrorMode, workKey, type HostStat, type HostView, type MountOp, type PlanInput } from '../../../src/redirect/mount-plan.js';

type Node = { st: HostStat; children?: string[] };

function fakeHost(tree: Record<string, Node>, upper: Record<string, Node> = {}, whiteouts: string[] = []): HostView {
  return {
    stat: (p) => tree[p]?.st ?? null,
    list: (d) => tree[d]?.children ?? upper[d]?.children ?? [],
    isWhiteout: (p) => whiteouts.includes(p),
    upperStat: (p) => upper[p]?.st ?? null,
  };
}

const dir = (mode = 0o755, uid = 0, enterable = true): HostStat => ({ type: 'dir', mode: 0o040000 | mode, uid, gid: uid, enterable });
const file = (mode = 0o644): HostStat => ({ type: 'file', mode: 0o100000 | mode, uid: 0, gid: 0, enterable: true });
const link = (to: string): HostStat => ({ type: 'symlink', mode: 0o120777, uid: 0, gid: 0, enterable: true, linkTarget: to });

const HOST: Record<string, Node> = {
  '/': { st: dir(), children: ['bin', 'etc', 'home', 'mnt', 'proc', 'run', 'root', 'tmp', 'usr', '.dockerenv', 'sock'] },
  '/bin': { st: link('usr/bin') },
  '/etc': { st: dir() },
  '/etc/resolv.conf': { st: link('../run/systemd/resolve/stub-resolv.conf') },
  '/home': { st: dir() },
  '/home/u': { st: dir(0o750, 1000) },
  '/home/u/.ssh': { st: dir(0o700, 1000) },
  '/home/u/.netrc': { st: file(0o600) },
  '/home/u/share': { st: dir(0o755, 1000) },
  '/mnt': { st: dir(), children: ['data', 'empty'] },
  '/mnt/data': { st: dir() },
  '/mnt/empty': { st: dir() },
  '/proc': { st: dir(0o555) },
  '/run': { st: dir() },
  '/root': { st: dir(0o700, 0, false) },
  '/tmp': { st: dir(0o1777) },
  '/tmp/.X11-unix': { st: dir(0o1777) },
  '/usr': { st: dir() },
  '/.dockerenv': { st: file() },
  '/sock': { st: { type: 'socket', mode: 0o140777, uid: 0, gid: 0, enterable: true } },
  '/store': { st: dir(0o700, 1000) },
};

function plan(over: Partial<PlanInput> = {}, host = fakeHost(HOST)): readonly MountOp[] {
  return computeMountPlan({
    host,
    mounts: [
      { mountPoint: '/', fsType: 'ext4', source: '/dev/vda' },
      { mountPoint: '/mnt/data', fsType: 'tmpfs', source: 'x' },
    ],
    fsDir: '/store/vms/vm1/fs',
    workDir: '/store/vms/vm1/work',
    uid: 1000,
    gid: 1000,
    fullMap: false,
    extraRoots: ['/home/u'],
    rules: [],
    storeDir: '/store',
    home: '/home/u',
    runtimeDir: '/run/user/1000',
    network: 'none',
    ...over,
  }).ops;
}

describe('computeMountPlan', () => {
  it('gives each top-level dir an overlay, keeps symlinks, binds files read-only and never binds sockets', () => {
    const ops = plan();
    const overlays = ops.filter((o) => o.kind === 'overlay').map((o) => o.target);
    expect(overlays).toEqual(['/etc', '/home', '/mnt/data', '/mnt/empty', '/tmp', '/usr', '/home/u']);
    expect(ops).toContainEqual({ kind: 'symlink', target: '/bin', linkTo: 'usr/bin' });
    expect(ops).toContainEqual({ kind: 'bind', source: '/.dockerenv', target: '/.dockerenv', readOnly: true });
    expect(ops.some((o) => 'target' in o && o.target === '/sock')).toBe(false);
    expect(ops).toContainEqual({ kind: 'overlay', lower: '/usr', layers: [], upper: '/store/vms/vm1/fs/usr', work: '/store/vms/vm1/work/usr', target: '/usr' });
  });

  it('makes a tmpfs skeleton of a dir with child mounts and recurses into it', () => {
    const ops = plan();
    const i = ops.findIndex((o) => o.kind === 'tmpfs' && o.target === '/mnt');
    expect(i).toBeGreaterThan(-1);
    expect(ops.findIndex((o) => o.kind === 'overlay' && o.target === '/mnt/empty')).toBeGreaterThan(i);
    expect(ops.findIndex((o) => o.kind === 'remount-ro' && o.target === '/mnt')).toBeGreaterThan(i);
    // A mount point below the skeleton is planned as a directory of its own (here: overlay).
    expect(ops.some((o) => o.kind === 'overlay' && o.target === '/mnt/data')).toBe(true);
  });

  it('leaves unreadable dirs empty and skips what the VM deleted', () => {
    const ops = plan({}, fakeHost(HOST, {}, ['/store/vms/vm1/fs/usr']));
    expect(ops).toContainEqual({ kind: 'mkdir', target: '/root' });
    expect(ops.some((o) => o.kind === 'overlay' && o.target === '/root')).toBe(false);
    expect(ops.some((o) => 'target' in o && o.target === '/usr')).toBe(false);
  });

  it('applies rules after the overlays: hidden, ro, open', () => {
    const ops = plan({
      rules: [
        { mode: 'hidden', path: '/home/u/.ssh' },
        { mode: 'hidden', path: '/home/u/.netrc' },
        { mode: 'ro', path: '/etc' },
        { mode: 'open', path: '/home/u/share' },
        { mode: 'hidden', path: '/home/u/absent' },
      ],
    });
    const last = ops.findIndex((o) => o.kind === 'overlay' && o.target === '/home/u');
    const at = (pred: (o: MountOp) => boolean) => ops.findIndex(pred);
    expect(at((o) => o.kind === 'tmpfs' && o.target === '/home/u/.ssh' && o.mode === '700')).toBeGreaterThan(last);
    expect(ops).toContainEqual({ kind: 'bind', source: '/dev/null', target: '/home/u/.netrc', readOnly: true });
    expect(ops).toContainEqual({ kind: 'bind', source: '/etc', target: '/etc', readOnly: true });
    expect(ops).toContainEqual({ kind: 'bind', source: '/home/u/share', target: '/home/u/share', readOnly: false });
    expect(ops.some((o) => 'target' in o && o.target === '/home/u/absent')).toBe(false);
  });

  it('hides the store, the X11 dir and the runtime dir; binds the resolv.conf target dir', () => {
    const ops = plan({ runtimeDir: '/home/u/.rt' }, fakeHost({ ...HOST, '/home/u/.rt': { st: dir(0o700, 1000) } }));
    expect(ops).toContainEqual({ kind: 'tmpfs', target: '/store', mode: '555', readOnly: true });
    expect(ops).toContainEqual({ kind: 'tmpfs', target: '/tmp/.X11-unix', mode: '1777', readOnly: false });
    expect(ops).toContainEqual({ kind: 'tmpfs', target: '/home/u/.rt', mode: '700', readOnly: false });
    expect(ops).toContainEqual({ kind: 'bind', source: '/run/systemd/resolve', target: '/run/systemd/resolve', readOnly: true });
    expect(ops.slice(-3).map((o) => o.kind)).toEqual(['proc', 'sys', 'dev']);
  });

  it('mirrors the user\'s real rights onto upper roots', () => {
    expect(mirrorMode(dir(0o755), 1000, false).toString(8)).toBe('555');
    expect(mirrorMode(dir(0o1777), 1000, false).toString(8)).toBe('1777');
    expect(mirrorMode(dir(0o750, 1000), 1000, false).toString(8)).toBe('750');
    expect(mirrorMode(dir(0o755), 0, true).toString(8)).toBe('755');
    expect(mirrorMode(dir(0o770), 1000, false).toString(8)).toBe('70');
  });

  it('gives distinct work keys to paths that flattening would confuse', () => {
    expect(workKey('/a/b')).toBe('a%b');
    expect(workKey('/a%b')).toBe('a%%b');
    expect(workKey('/a/b')).not.toBe(workKey('/a%b'));
  });
});

describe('guarded files', () => {
  it('binds the host\'s version of a touched loader file read-only, and /dev/null over a planted preload', () => {
    const host = fakeHost({ ...HOST, '/etc/ld.so.cache': { st: file() } });
    const ops = computeMountPlan({
      host,
      mounts: [{ mountPoint: '/', fsType: 'ext4', source: '/dev/vda' }],
      fsDir: '/store/vms/vm1/fs',
      workDir: '/store/vms/vm1/work',
      uid: 1000,
      gid: 1000,
      fullMap: false,
      extraRoots: [],
      rules: [],
      storeDir: '/store',
      home: '/home/u',
      runtimeDir: '/run/user/1000',
      network: 'none',
      guarded: ['/etc/ld.so.cache', '/etc/ld.so.preload'],
    }).ops;
    const etc = ops.findIndex((o) => o.kind === 'overlay' && o.target === '/etc');
    const cache = ops.findIndex((o) => o.kind === 'bind' && o.target === '/etc/ld.so.cache' && o.source === '/etc/ld.so.cache' && o.readOnly);
    const preload = ops.findIndex((o) => o.kind === 'bind' && o.target === '/etc/ld.so.preload' && o.source === '/dev/null' && o.readOnly);
    expect(cache).toBeGreaterThan(etc);
    expect(preload).toBeGreaterThan(etc);
  });
});
