/**
 * Export and import of single-file bundles through the real CLI: the round trip between two
 * users (as root: two real users and a real vfat image; as a plain user: two homes of this user
 * on a normal directory), kill -9 half-way through an export, hostile bundles, the portable
 * repository, and the contract's guards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FVM, IS_ROOT, ROOT, Sandbox, diffDigests, treeDigest, waitFor, type FvmResult } from '../../helpers/sandbox.js';
import { forgeBundle, treeOf } from '../../helpers/bundle-forge.js';

type Changes = { changes: Array<{ kind: string; path: string; type: string }> };
type ErrorDoc = { error: { code: string; message: string; hint: string } };

/** These tests run a dozen CLI commands each, some of them VMs; a shared CI machine can be slow. */
const LONG = 300_000;

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** Someone who runs the CLI: a real user (as root) or this user with a home of its own. */
class Actor {
  constructor(
    readonly label: string,
    readonly home: string,
    readonly fvmHome: string,
    readonly ids: { uid: number; gid: number } | null,
    /** The CLI as this actor reaches it (see reachableCli). */
    readonly cli: string = FVM,
  ) {}

  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.home,
      USER: this.label,
      LANG: 'C.UTF-8',
      FVM_HOME: this.fvmHome,
      FVM_LINGER_SECONDS: '0',
      XDG_CACHE_HOME: path.join(this.home, '.cache'),
      ...extra,
    };
  }

  fvm(args: readonly string[], extra: Record<string, string> = {}): FvmResult & { signal: NodeJS.Signals | null } {
    const r = spawnSync(process.execPath, [this.cli, ...args], {
      env: this.env(extra),
      cwd: this.home,
      encoding: 'utf8',
      timeout: 120_000,
      ...(this.ids ?? {}),
    });
    return { status: r.status ?? 128, stdout: r.stdout ?? '', stderr: r.stderr ?? '', signal: r.signal };
  }

  ok(args: readonly string[], extra: Record<string, string> = {}): FvmResult {
    const r = this.fvm(args, extra);
    if (r.status !== 0) throw new Error(`${this.label}: fvm ${args.join(' ')} failed with ${r.status}:\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  json<T>(args: readonly string[], extra: Record<string, string> = {}): T {
    const r = this.fvm(['--json', ...args], extra);
    try {
      return JSON.parse(r.stdout) as T;
    } catch {
      throw new Error(`${this.label}: fvm ${args.join(' ')} printed no JSON (status ${r.status}): ${r.stdout}\n${r.stderr}`);
    }
  }

  /** Writes the host files both users start with (the same in both homes). */
  seedHome(): void {
    const w = path.join(this.home, 'work');
    this.sh(`rm -rf '${w}' && mkdir -p '${w}/dir' && echo host > '${w}/notes.txt' && echo gone > '${w}/gone.txt' && echo old > '${w}/dir/old' && echo keep > '${w}/keep.txt'`);
  }

  /** A shell command on the host as this actor. */
  sh(script: string): void {
    execFileSync('/bin/sh', ['-c', script], { env: this.env(), ...(this.ids ?? {}) });
  }
}

/** What the VM does to the home: changes, deletions, a replaced directory, links, modes, a binary. */
const VM_SCRIPT = [
  'set -e',
  'cd ~/work',
  'echo vm >> notes.txt',
  'rm gone.txt',
  'rm -r dir && mkdir dir && echo new > dir/new',
  'mkdir -p bin && printf "#!/bin/sh\\necho tool ran\\n" > bin/tool && chmod 750 bin/tool',
  'ln -s ~/work/notes.txt notes-link && ln -s dir/new rel-link',
  'mkdir private && chmod 700 private && echo secret > private/s',
  'head -c 300000 /dev/urandom > blob.bin',
].join('\n');

/** What a program in the VM sees of it, with $HOME printed as ~. */
const VIEW = 'cd ~/work && cat notes.txt && (test -e gone.txt && echo gone-present || echo gone-absent) && ls dir && readlink notes-link | sed "s|$HOME|~|" && readlink rel-link && bin/tool && stat -c %a bin/tool private && sha256sum blob.bin | cut -c1-16';

function relocated(c: Changes, from: string, to: string): Changes {
  return { changes: c.changes.map((x) => ({ ...x, path: x.path === from || x.path.startsWith(`${from}/`) ? to + x.path.slice(from.length) : x.path })) };
}

function onlyWork(c: Changes, home: string): Changes {
  return { changes: c.changes.filter((x) => x.path.startsWith(`${home}/work`)) };
}

/** The stick: a real vfat image (as root) or a plain directory. */
interface Stick {
  readonly dir: string;
  readonly kind: string;
  close(): void;
}

function tool(name: string): string | null {
  for (const d of ['/usr/sbin', '/usr/bin', '/sbin', '/bin']) if (fs.existsSync(path.join(d, name))) return path.join(d, name);
  return null;
}

/** A 256 MiB FAT32 image, mounted for A (owner) and B (group, umask 002): the kernel's vfat, else fusefat. */
function mountVfat(base: string, a: { uid: number; gid: number }, b: { uid: number; gid: number }): Stick {
  const mkfs = tool('mkfs.vfat');
  if (!mkfs) throw new Error('mkfs.vfat is not installed: apt-get install dosfstools (CI must install it in .ci/run)');
  const img = path.join(base, 'stick.img');
  const mnt = path.join(base, 'stick');
  fs.mkdirSync(mnt);
  execFileSync('/usr/bin/truncate', ['-s', '256M', img]);
  execFileSync(mkfs, ['-F', '32', '-n', 'FVMSTICK', img], { stdio: 'ignore' });
  const opts = `uid=${a.uid},gid=${b.gid},umask=002`;
  const kernelVfat = /\bvfat\b/.test(fs.readFileSync('/proc/filesystems', 'utf8'));
  let kind: string;
  if (kernelVfat) {
    execFileSync('/usr/bin/mount', ['-t', 'vfat', '-o', `loop,${opts}`, img, mnt]);
    kind = 'vfat (kernel, loop)';
  } else {
    // This kernel has no vfat module: the same FAT32 image through FUSE (Debian package fusefat).
    const fusefat = tool('fusefat');
    if (!fusefat) throw new Error('the kernel has no vfat and fusefat is not installed: apt-get install fusefat (CI must install it in .ci/run)');
    execFileSync(fusefat, ['-o', `rw+,allow_other,default_permissions,${opts}`, img, mnt], { stdio: 'ignore' });
    kind = 'vfat (fusefat)';
  }
  return {
    dir: mnt,
    kind,
    close() {
      spawnSync('/usr/bin/umount', [mnt], { stdio: 'ignore' });
      if (fs.readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${mnt} `)) spawnSync('/usr/bin/umount', ['-l', mnt], { stdio: 'ignore' });
      fs.rmSync(img, { force: true });
    },
  };
}

/**
 * The CLI's path for other users. CI's clone may sit below a directory only root can enter; then
 * the checkout is bind-mounted below `base`, which they can reach (and unmounted at the end).
 */
function reachableCli(base: string, ids: ReadonlyArray<{ uid: number; gid: number }>): { cli: string; unmount: () => void } {
  const canRead = ids.every((u) => spawnSync('/usr/bin/test', ['-r', FVM], { ...u }).status === 0 && spawnSync('/usr/bin/test', ['-r', path.join(ROOT, 'dist/cli.js')], { ...u }).status === 0);
  if (canRead) return { cli: FVM, unmount: () => undefined };
  const app = path.join(base, 'app');
  fs.mkdirSync(app);
  execFileSync('/usr/bin/mount', ['--bind', ROOT, app]);
  return { cli: path.join(app, path.relative(ROOT, FVM)), unmount: () => void spawnSync('/usr/bin/umount', ['-l', app]) };
}

function ensureUser(name: string): { uid: number; gid: number; home: string } {
  if (spawnSync('/usr/bin/id', ['-u', name]).status !== 0) execFileSync('/usr/sbin/useradd', ['-m', '-s', '/bin/sh', name]);
  const uid = Number(execFileSync('/usr/bin/id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('/usr/bin/id', ['-g', name], { encoding: 'utf8' }).trim());
  const home = execFileSync('/usr/bin/getent', ['passwd', name], { encoding: 'utf8' }).trim().split(':')[5];
  return { uid, gid, home };
}

describe(`a VM carried on a memory stick between two users (${IS_ROOT ? 'root: two real users, a vfat image' : 'plain user: two homes, a normal directory'})`, () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'fvm-stick-'));
  let a: Actor;
  let b: Actor;
  let stick: Stick;
  let original: Changes;
  let unmountCli = () => undefined as void;

  beforeAll(() => {
    fs.chmodSync(base, 0o755);
    if (IS_ROOT) {
      const ua = ensureUser('fvmstick-a');
      const ub = ensureUser('fvmstick-b');
      for (const [u, label] of [
        [ua, 'a'],
        [ub, 'b'],
      ] as const) {
        const repo = path.join(base, `fvm-${label}`);
        fs.mkdirSync(repo, { mode: 0o700 });
        fs.chownSync(repo, u.uid, u.gid);
      }
      const reach = reachableCli(base, [ua, ub]);
      unmountCli = reach.unmount;
      a = new Actor('fvmstick-a', ua.home, path.join(base, 'fvm-a'), { uid: ua.uid, gid: ua.gid }, reach.cli);
      b = new Actor('fvmstick-b', ub.home, path.join(base, 'fvm-b'), { uid: ub.uid, gid: ub.gid }, reach.cli);
      stick = mountVfat(base, ua, ub);
    } else {
      for (const d of ['home-a', 'home-b', 'stick']) fs.mkdirSync(path.join(base, d), { mode: 0o755 });
      a = new Actor('a', path.join(base, 'home-a'), path.join(base, 'fvm-a'), null);
      b = new Actor('b', path.join(base, 'home-b'), path.join(base, 'fvm-b'), null);
      stick = { dir: path.join(base, 'stick'), kind: 'directory', close: () => undefined };
    }
    a.seedHome();
    b.seedHome();
  });

  afterAll(() => {
    for (const who of [a, b]) {
      if (!who) continue;
      const list = who.fvm(['--json', 'list']);
      try {
        for (const vm of (JSON.parse(list.stdout) as { vms: Array<{ name: string; state: string }> }).vms) if (vm.state !== 'stopped') who.fvm(['stop', vm.name]);
      } catch {
        // no repository
      }
      spawnSync('/bin/rm', ['-rf', path.join(who.home, 'work'), path.join(who.home, '.cache/fvm')]);
      spawnSync('/bin/rmdir', [path.join(who.home, '.cache')], { stdio: 'ignore' });
    }
    stick?.close();
    unmountCli();
    // Never recurse into a mount left behind (the bind-mounted checkout, the stick).
    const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8');
    if (mounts.includes(` ${base}/`)) throw new Error(`a mount is still below ${base}; not removing it`);
    spawnSync('/bin/chmod', ['-R', 'u+rwx', base]);
    fs.rmSync(base, { recursive: true, force: true });
  });

  it(`exports as A onto the stick, imports as B relocated to B's home, runs it, and brings it back to A unchanged`, () => {
    a.ok(['create', 'trip', '--network', 'none', '--rule', `ro:${a.home}/work/keep.txt`]);
    a.ok(['run', 'trip', '--', 'sh', '-c', VM_SCRIPT]);
    const viewA = a.ok(['run', 'trip', '--', 'sh', '-c', VIEW]).stdout;
    a.ok(['stop', 'trip']);
    original = onlyWork(a.json<Changes>(['diff', 'trip']), a.home);
    expect(original.changes.map((c) => `${c.kind} ${c.path.slice(a.home.length)}`)).toEqual([
      'added /work/bin',
      'added /work/bin/tool',
      'added /work/blob.bin',
      'added /work/dir/new',
      'deleted /work/dir/old',
      'deleted /work/gone.txt',
      'added /work/notes-link',
      'modified /work/notes.txt',
      'added /work/private',
      'added /work/private/s',
      'added /work/rel-link',
    ]);

    const bundle = path.join(stick.dir, 'trip.fvm');
    const exp = a.json<{ name: string; file: string; bytes: number }>(['export', 'trip', bundle]);
    expect(exp).toMatchObject({ name: 'trip', file: bundle });
    expect(fs.statSync(bundle).size).toBe(exp.bytes);
    expect(fs.readdirSync(stick.dir).filter((n) => n.endsWith('.partial'))).toEqual([]);

    const imp = b.json<{ vm: { name: string }; relocation: { from: string; to: string; paths: number; deletions: number; symlinks: number; rules: number }; source: { home: string; user: string } }>(['import', bundle]);
    expect(imp.vm.name).toBe('trip');
    expect(imp.source.home).toBe(a.home);
    expect(imp.relocation).toMatchObject({ from: a.home, to: b.home, symlinks: 1, rules: 1 });
    expect(imp.relocation.deletions).toBeGreaterThanOrEqual(2);
    expect(imp.relocation.paths).toBeGreaterThanOrEqual(12);
    const text = b.fvm(['import', bundle, 'trip-text']);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`remapped ${a.home} -> ${b.home}`);
    b.ok(['delete', 'trip-text']);

    expect(onlyWork(b.json<Changes>(['diff', 'trip']), b.home)).toEqual(relocated(original, a.home, b.home));
    expect(b.json<{ config: { rules: Array<{ path: string }> } }>(['info', 'trip']).config.rules).toEqual([{ mode: 'ro', path: `${b.home}/work/keep.txt` }]);
    expect(b.ok(['run', 'trip', '--', 'sh', '-c', VIEW]).stdout).toBe(viewA);
    if (IS_ROOT) {
      // B owns every file of its copy; A's uid appears nowhere.
      const bad = execFileSync('/usr/bin/find', [path.join(b.fvmHome, 'vms'), '!', '-uid', String(b.ids?.uid)], { encoding: 'utf8' }).trim();
      expect(bad).toBe('');
    }
    b.ok(['stop', 'trip']);
    // The host homes were never touched.
    expect(fs.readFileSync(path.join(b.home, 'work/notes.txt'), 'utf8')).toBe('host\n');

    const back = b.json<{ file: string }>(['export', 'trip', bundle]);
    expect(back.file).toBe(bundle);
    const home = a.json<{ relocation: { from: string; to: string } }>(['import', bundle, 'trip-back']);
    expect(home.relocation).toMatchObject({ from: b.home, to: a.home });
    expect(onlyWork(a.json<Changes>(['diff', 'trip-back']), a.home)).toEqual(original);
    expect(a.ok(['run', 'trip-back', '--', 'sh', '-c', VIEW]).stdout).toBe(viewA);
    a.ok(['stop', 'trip-back']);
  }, LONG);

  it('kill -9 half-way through an export leaves the previous bundle intact and importable', () => {
    a.ok(['create', 'kill', '--network', 'none']);
    a.ok(['run', 'kill', '--', 'sh', '-c', 'mkdir -p ~/work && echo v1 > ~/work/version.txt']);
    a.ok(['stop', 'kill']);
    const bundle = path.join(stick.dir, 'kill.fvm');
    a.ok(['export', 'kill', bundle]);
    const before = sha256(bundle);
    // Enough data that the kill lands mid-stream, well after the first bytes reached the stick.
    a.ok(['run', 'kill', '--', 'sh', '-c', 'echo v2 > ~/work/version.txt; head -c 12000000 /dev/urandom > ~/work/big.bin']);
    a.ok(['stop', 'kill']);
    const killed = a.fvm(['export', 'kill', bundle], { FVM_FAULT: 'export-mid' });
    expect(killed.signal).toBe('SIGKILL');
    const partial = fs.readdirSync(stick.dir).filter((n) => n.startsWith('.kill.fvm.') && n.endsWith('.partial'));
    expect(partial).toHaveLength(1);
    expect(fs.statSync(path.join(stick.dir, partial[0])).size).toBeGreaterThan(0);
    expect(sha256(bundle)).toBe(before);

    b.ok(['import', bundle, 'kill-v1']);
    expect(b.ok(['run', 'kill-v1', '--', 'sh', '-c', 'cat ~/work/version.txt; test -e ~/work/big.bin && echo big || echo no-big']).stdout).toBe('v1\nno-big\n');
    b.ok(['stop', 'kill-v1']);

    // The next export completes, replaces the bundle and removes the dead exporter's leftover.
    a.ok(['export', 'kill', bundle]);
    expect(fs.readdirSync(stick.dir).filter((n) => n.endsWith('.partial'))).toEqual([]);
    b.ok(['import', bundle, 'kill-v2']);
    expect(b.ok(['run', 'kill-v2', '--', 'cat', path.join(b.home, 'work/version.txt')]).stdout).toBe('v2\n');
    b.ok(['stop', 'kill-v2']);
  }, LONG);

  it('a portable repository on the stick keeps bundles there and runs the VMs from a local cache', () => {
    const app = path.join(stick.dir, 'FVM.AppImage');
    fs.writeFileSync(app, '#!/bin/sh\n');
    fs.mkdirSync(path.join(stick.dir, 'FVMRep'));
    // On vfat the engine finds by itself that FAT cannot hold upper trees; a plain directory can, so it is told.
    const env: Record<string, string> = { FVM_HOME: '', APPIMAGE: app, ...(IS_ROOT ? {} : { FVM_BUNDLE_STORE: '1' }) };
    a.ok(['create', 'onstick', '--network', 'none'], env);
    a.ok(['run', 'onstick', '--', 'sh', '-c', 'mkdir -p ~/work && echo on-stick > ~/work/stick.txt'], env);
    // Nothing but bundles on the stick: FAT cannot hold an upper tree.
    expect(fs.readdirSync(path.join(stick.dir, 'FVMRep')).sort()).toEqual(['bundles']);
    expect(fs.readdirSync(path.join(stick.dir, 'FVMRep/bundles'))).toEqual(['onstick.fvm']);
    // Written back when the program ended (the VM was stopped): B's machine sees it.
    expect(b.json<{ vms: Array<{ name: string }> }>(['list'], env).vms.map((v) => v.name)).toEqual(['onstick']);
    expect(b.ok(['run', 'onstick', '--', 'cat', path.join(b.home, 'work/stick.txt')], env).stdout).toBe('on-stick\n');
    b.ok(['delete', 'onstick'], env);
    expect(fs.readdirSync(path.join(stick.dir, 'FVMRep/bundles'))).toEqual([]);
    expect(a.json<{ vms: unknown[] }>(['list'], env).vms).toEqual([]);
  }, LONG);
});

describe('a portable repository that keeps bundles (FVM_BUNDLE_STORE=1 on a normal directory)', () => {
  const sb = new Sandbox('fvm-portable-');
  const app = path.join(sb.dir, 'app');
  const rep = path.join(app, 'FVMRep');
  const machine = (n: number) => ({ FVM_HOME: '', APPIMAGE: path.join(app, 'FVM.AppImage'), FVM_BUNDLE_STORE: '1', XDG_CACHE_HOME: path.join(sb.dir, `cache-${n}`) });
  afterAll(() => {
    for (const n of [1, 2]) {
      const env = machine(n);
      for (const vm of sb.json<{ vms: Array<{ name: string; state: string }> }>(['list'], { env }).vms ?? []) if (vm.state !== 'stopped') sb.fvm(['stop', vm.name], { env });
    }
    sb.cleanup();
  });

  it('creates FVMRep beside the AppImage with FVM_PORTABLE=1, writes VMs back when they stop, and another cache picks them up', () => {
    fs.mkdirSync(app);
    const one = { ...machine(1), FVM_PORTABLE: '1' };
    sb.ok(['create', 'p', '--network', 'none'], { env: one });
    expect(fs.readdirSync(path.join(rep, 'bundles'))).toEqual(['p.fvm']);
    const created = sha256(path.join(rep, 'bundles/p.fvm'));
    sb.ok(['run', 'p', '--', 'sh', '-c', 'echo portable > ~/p.txt'], { env: one });
    expect(sha256(path.join(rep, 'bundles/p.fvm'))).not.toBe(created);
    expect(sb.json<{ vms: Array<{ name: string; state: string }> }>(['list'], { env: one }).vms).toMatchObject([{ name: 'p', state: 'stopped' }]);
    // The VM ran from the cache, never from the store.
    expect(fs.existsSync(path.join(rep, 'vms'))).toBe(false);
    expect(fs.readdirSync(path.join(sb.dir, 'cache-1/fvm/portable'))).toHaveLength(1);

    const two = machine(2);
    expect(sb.ok(['run', 'p', '--', 'cat', path.join(sb.home, 'p.txt')], { env: two }).stdout).toBe('portable\n');
    sb.ok(['run', 'p', '--', 'sh', '-c', 'echo again >> ~/p.txt'], { env: two });
    expect(sb.ok(['run', 'p', '--', 'cat', path.join(sb.home, 'p.txt')], { env: one }).stdout).toBe('portable\nagain\n');
    sb.ok(['delete', 'p'], { env: one });
    expect(fs.readdirSync(path.join(rep, 'bundles'))).toEqual([]);
    expect(sb.json<{ vms: unknown[] }>(['list'], { env: two }).vms).toEqual([]);
    expect(fs.existsSync(path.join(sb.home, 'p.txt'))).toBe(false);
  }, LONG);
});

describe('hostile bundles', () => {
  const sb = new Sandbox('fvm-hostile-');
  const canary = path.join(sb.dir, 'canary');
  const home = '/home/evil';
  const ok = treeOf(home, { 'a.txt': 'a\n' });
  const escape = path.relative('/', canary);
  let hostBefore: Map<string, string>;
  beforeAll(() => {
    fs.mkdirSync(canary);
    fs.writeFileSync(path.join(canary, 'precious'), 'do not touch\n');
    sb.ok(['create', 'existing', '--network', 'none']);
    hostBefore = treeDigest(sb.dir, (p) => p.startsWith(sb.fvmHome));
  });
  afterAll(() => sb.cleanup());

  const cases: Array<[string, () => Buffer, string]> = [
    ['a name climbing out with ..', () => forgeBundle({ home, entries: [...ok, { name: `tree/../../../../../../../../${escape}/dotdot`, data: 'x' }] }), 'BUNDLE_UNSAFE_PATH'],
    ['an absolute name', () => forgeBundle({ home, entries: [...ok, { name: path.join(canary, 'abs'), data: 'x' }] }), 'BUNDLE_UNSAFE_PATH'],
    ['a symlink that climbs out of the tree', () => forgeBundle({ home, entries: [...ok, { name: 'tree/home/evil/up', type: 'SymbolicLink', linkpath: `../../../../../../${escape}` }] }), 'BUNDLE_UNSAFE_PATH'],
    [
      'a file written through a symlink pointing outside',
      () => forgeBundle({ home, entries: [...ok, { name: 'tree/home/evil/out', type: 'SymbolicLink', linkpath: canary }, { name: 'tree/home/evil/out/through', data: 'x' }] }),
      'BUNDLE_UNSAFE_PATH',
    ],
    [
      'a whiteout in the deletion log through a symlink pointing outside',
      () => forgeBundle({ home, entries: [...ok, { name: 'tree/home/evil/out', type: 'SymbolicLink', linkpath: canary }], deletionLog: `# fvm deletion log v1\n{"kind":"whiteout","path":"/home/evil/out/mknod-here"}\n` }),
      'BUNDLE_UNSAFE_PATH',
    ],
    ['a hard link to a file outside', () => forgeBundle({ home, entries: [...ok, { name: 'tree/home/evil/hard', type: 'Link', linkpath: path.join(canary, 'precious') }] }), 'BUNDLE_UNSAFE_PATH'],
    ['a hard link climbing out', () => forgeBundle({ home, entries: [...ok, { name: 'tree/home/evil/hard', type: 'Link', linkpath: '../../../etc/passwd' }] }), 'BUNDLE_UNSAFE_PATH'],
    ['a character device', () => forgeBundle({ home, entries: [...ok, { name: 'tree/home/evil/null', type: 'CharacterDevice' }] }), 'BUNDLE_UNSAFE_PATH'],
    ['a block device', () => forgeBundle({ home, entries: [...ok, { name: 'tree/home/evil/sda', type: 'BlockDevice' }] }), 'BUNDLE_UNSAFE_PATH'],
    ['a symlink in the registry', () => forgeBundle({ home, entries: [...ok, { name: 'registry/user.reg', type: 'SymbolicLink', linkpath: '/etc/shadow' }] }), 'BUNDLE_UNSAFE_PATH'],
    ['a duplicate entry', () => forgeBundle({ home, entries: [...ok, { name: 'tree/home/evil/a.txt', data: 'again\n' }] }), 'BUNDLE_CORRUPT'],
    ['a truncated archive', () => forgeBundle({ home, entries: treeOf(home, { 'big.bin': crypto.randomBytes(200_000).toString('base64') }) }).subarray(0, 30_000), 'BUNDLE_CORRUPT'],
    ['an archive cut before its index', () => forgeBundle({ home, entries: ok, index: 'none' }), 'BUNDLE_CORRUPT'],
    ['a checksum mismatch', () => forgeBundle({ home, entries: ok, index: (i) => void ((i.entries.find((e) => e.path === 'tree/home/evil/a.txt') as Record<string, unknown>).sha256 = '0'.repeat(64)) }), 'BUNDLE_CHECKSUM'],
    ['a manifest that does not match its checksum', () => forgeBundle({ home, entries: ok, index: (i) => void (i.manifestSha256 = 'a'.repeat(64)) }), 'BUNDLE_CHECKSUM'],
    ['a huge declared size', () => forgeBundle({ home, entries: ok, contents: { entries: ok.length + 1, bytes: 2 ** 53 - 1 } }), 'BUNDLE_TOO_LARGE'],
    ['an entry larger than the declared total', () => forgeBundle({ home, entries: [...ok, { name: 'tree/home/evil/huge', data: 'x', headerSize: 2 ** 36 }], contents: { entries: ok.length + 2, bytes: 100 } }), 'BUNDLE_TOO_LARGE'],
    ['a decompression bomb', () => forgeBundle({ home, entries: ok, trailer: Buffer.alloc(64 << 20) }), 'BUNDLE_TOO_LARGE'],
    ['a newer format', () => forgeBundle({ home, entries: ok, manifest: { formatVersion: 2 } }), 'BUNDLE_VERSION'],
    ['not a bundle', () => Buffer.from('#!/bin/sh\necho definitely not a bundle\n'), 'BUNDLE_CORRUPT'],
  ];

  for (const [what, make, code] of cases) {
    it(`${what}: ${code}, nothing written outside, no VM left`, () => {
      const file = path.join(sb.dir, 'hostile.fvm');
      fs.writeFileSync(file, make());
      const r = sb.fvm(['--json', 'import', file, 'evil']);
      expect(r.status, r.stdout + r.stderr).toBe(1);
      const e = (JSON.parse(r.stdout) as ErrorDoc).error;
      expect(e.code, e.message).toBe(code);
      expect(e.message).toContain(file);
      expect(e.hint.length).toBeGreaterThan(10);
      expect(fs.readdirSync(canary)).toEqual(['precious']);
      expect(fs.readFileSync(path.join(canary, 'precious'), 'utf8')).toBe('do not touch\n');
      expect(diffDigests(hostBefore, treeDigest(sb.dir, (p) => p.startsWith(sb.fvmHome) || p === file))).toEqual([]);
      expect(sb.json<{ vms: Array<{ name: string }> }>(['list']).vms.map((v) => v.name)).toEqual(['existing']);
      expect(fs.readdirSync(path.join(sb.fvmHome, 'vms'))).toEqual(['vm1']);
      expect(fs.readdirSync(path.join(sb.fvmHome, 'import'))).toEqual([]);
    });
  }

  it('the text form names the code and gives the hint', () => {
    const file = path.join(sb.dir, 'hostile.fvm');
    fs.writeFileSync(file, forgeBundle({ home, entries: [...ok, { name: 'tree/home/evil/null', type: 'CharacterDevice' }] }));
    const r = sb.fvm(['import', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^fvm: BUNDLE_UNSAFE_PATH: import .*hostile\.fvm: entry "tree\/home\/evil\/null" is a device file\nhint: /);
  });

  it('a valid forged bundle imports (each case above differs from it in one way)', () => {
    const file = path.join(sb.dir, 'fine.fvm');
    fs.writeFileSync(file, forgeBundle({ home, entries: ok }));
    const r = sb.json<{ vm: { name: string }; relocation: { from: string; to: string } }>(['import', file, 'fine']);
    expect(r.vm.name).toBe('fine');
    expect(r.relocation).toMatchObject({ from: home, to: sb.home });
    expect(sb.ok(['run', 'fine', '--', 'cat', path.join(sb.home, 'a.txt')]).stdout).toBe('a\n');
    sb.ok(['stop', 'fine']);
    sb.ok(['delete', 'fine']);
  });
});

describe('export and import guards', () => {
  const sb = new Sandbox('fvm-bundle-guard-');
  afterAll(() => sb.cleanup());

  it('refuses to export a VM while programs run in it, and an import over a taken name', async () => {
    sb.ok(['create', 'busy', '--network', 'none']);
    const child = sb.spawnFvm(['run', 'busy', '--', 'sleep', '60']);
    try {
      await waitFor('the sleep', () => sb.json<{ processes: Array<{ cmd: string }> }>(['ps', 'busy']).processes.some((p) => p.cmd === 'sleep 60'));
      const r = sb.fvm(['--json', 'export', 'busy', path.join(sb.dir, 'busy.fvm')]);
      expect((JSON.parse(r.stdout) as ErrorDoc).error.code).toBe('VM_RUNNING');
      expect(fs.existsSync(path.join(sb.dir, 'busy.fvm'))).toBe(false);
    } finally {
      child.kill('SIGKILL');
      sb.fvm(['stop', 'busy']);
    }
    sb.ok(['export', 'busy', path.join(sb.dir, 'busy.fvm')]);
    const taken = sb.fvm(['--json', 'import', path.join(sb.dir, 'busy.fvm')]);
    expect((JSON.parse(taken.stdout) as ErrorDoc).error.code).toBe('VM_EXISTS');
    expect((JSON.parse(sb.fvm(['--json', 'import', path.join(sb.dir, 'busy.fvm'), '../x']).stdout) as ErrorDoc).error.code).toBe('INVALID_NAME');
    expect((JSON.parse(sb.fvm(['--json', 'import', path.join(sb.dir, 'missing.fvm')]).stdout) as ErrorDoc).error.code).toBe('IO_ERROR');
    expect(sb.fvm(['export', 'busy']).status).toBe(2);
    const relative = sb.json<{ file: string }>(['export', 'busy', 'rel.fvm']);
    expect(relative.file).toBe(path.join(sb.home, 'rel.fvm'));
    expect(sb.json<{ vms: unknown[] }>(['list']).vms).toHaveLength(1);
  });

  it('reads the bundle written by the CLI with plain tar: a documented, inspectable format', () => {
    const file = path.join(sb.home, 'rel.fvm');
    const names = execFileSync('/bin/tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n');
    expect(names[0]).toBe('fvm-bundle.json');
    expect(names.at(-1)).toBe('fvm-index.json');
    expect(names).toContain('deleted.log');
  });
});
