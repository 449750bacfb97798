import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, Sandbox, sleep, waitFor } from '../../helpers/sandbox.js';

interface Proc {
  pid: number;
  ppid: number;
  vmPid: number;
  cmd: string;
}

describe('VM lifecycle', () => {
  const sb = new Sandbox();
  beforeAll(() => {
    sb.ok(['create', 'life', '--network', 'none']);
  });
  afterAll(() => sb.cleanup());

  it('passes stdio through and returns the program\'s exit status', () => {
    const r = sb.fvm(['run', 'life', '--', 'sh', '-c', 'read line; echo "got $line"; echo err >&2; exit 7'], { input: 'hello\n' });
    expect(r.stdout).toBe('got hello\n');
    expect(r.stderr).toBe('err\n');
    expect(r.status).toBe(7);
    const killed = sb.fvm(['run', 'life', '--', 'sh', '-c', 'kill -TERM $$']);
    expect(killed.status).toBe(128 + 15);
  });

  it('runs in the given cwd, with the given env, and a sanitised environment', () => {
    const dir = path.join(sb.home, 'work');
    fs.mkdirSync(dir);
    const r = sb.fvm(['run', 'life', '--cwd', dir, '--env', 'FOO=bar baz', '--', 'sh', '-c', 'pwd; echo "$FOO"; echo "${DISPLAY-unset} ${SSH_AUTH_SOCK-unset} $FVM_VM"'], {
      env: { DISPLAY: ':0', SSH_AUTH_SOCK: '/tmp/agent.sock' },
    });
    expect(r.stdout).toBe(`${dir}\nbar baz\nunset unset life\n`);
    const bad = sb.fvm(['--json', 'run', 'life', '--env', 'NOEQUALS', '--', 'true']);
    expect(JSON.parse(bad.stdout).error.code).toBe('INVALID_ARGUMENT');
  });

  it('starts the VM once: later programs join the same VM and see its changes', () => {
    sb.ok(['run', 'life', '--', 'sh', '-c', 'echo one > ~/shared']);
    const before = sb.json<{ initPid: number }>(['info', 'life']).initPid;
    const r = sb.ok(['run', 'life', '--', 'cat', path.join(sb.home, 'shared')]);
    expect(r.stdout).toBe('one\n');
    expect(sb.json<{ initPid: number; state: string }>(['info', 'life'])).toMatchObject({ initPid: before, state: 'running' });
    expect(fs.existsSync(path.join(sb.home, 'shared'))).toBe(false);
  });

  it('survives kill -9 of every process of the VM and of the engine, with changes intact', async () => {
    sb.ok(['run', 'life', '--', 'sh', '-c', 'echo before-crash > ~/crash.txt; nohup sh -c "while :; do sleep 0.1; done" >/dev/null 2>&1 &']);
    const engine = sb.spawnFvm(['run', 'life', '--', 'sleep', '300']);
    await waitFor('the joined sleep', () => sb.json<{ processes: Proc[] }>(['ps', 'life']).processes.some((p) => p.cmd === 'sleep 300'));
    const { processes } = sb.json<{ processes: Proc[] }>(['ps', 'life']);
    const runDir = path.join(sb.fvmHome, 'vms/vm1/run');
    const rt = JSON.parse(fs.readFileSync(path.join(runDir, 'runtime.json'), 'utf8')) as { unsharePid: number };
    const victims = [...processes.map((p) => p.pid), rt.unsharePid, engine.pid as number];
    for (const pid of victims) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone (a child died with its parent)
      }
    }
    await waitFor('the VM to be stopped', () => sb.json<{ vms: Array<{ state: string }> }>(['list']).vms[0].state === 'stopped');
    const { changes } = sb.json<{ changes: Array<{ path: string }> }>(['diff', 'life']);
    expect(changes.map((c) => c.path)).toContain(path.join(sb.home, 'crash.txt'));
    const again = sb.ok(['run', 'life', '--', 'cat', path.join(sb.home, 'crash.txt')]);
    expect(again.stdout).toBe('before-crash\n');
    for (const pid of victims) {
      // A zombie is dead; it only waits for its parent to read its status.
      let state = 'gone';
      try {
        state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[0];
      } catch {
        state = 'gone';
      }
      expect(['gone', 'Z', 'X'], `pid ${pid}`).toContain(state);
    }
  });

  it('reads a record from before a reboot (another boot id) as stopped', async () => {
    sb.ok(['stop', 'life']);
    const rtFile = path.join(sb.fvmHome, 'vms/vm1/run/runtime.json');
    sb.ok(['run', 'life', '--', 'true']);
    const rt = JSON.parse(fs.readFileSync(rtFile, 'utf8'));
    sb.ok(['stop', 'life']);
    // What a reboot leaves: the record of a VM whose boot is gone (its pid may be reused).
    fs.writeFileSync(rtFile, JSON.stringify({ ...rt, initPid: process.pid, bootId: 'an-earlier-boot' }));
    expect(sb.json<{ state: string }>(['info', 'life']).state).toBe('stopped');
    expect(sb.ok(['run', 'life', '--', 'cat', path.join(sb.home, 'crash.txt')]).stdout).toBe('before-crash\n');
  });

  it('stops by itself once idle for the linger time', async () => {
    sb.ok(['stop', 'life']);
    const r = sb.ok(['run', 'life', '--', 'sh', '-c', 'echo $FVM_VM'], { env: { FVM_LINGER_SECONDS: '1' } });
    expect(r.stdout).toBe('life\n');
    await waitFor('the idle VM to stop', () => sb.json<{ state: string }>(['info', 'life']).state === 'stopped');
  });

  it('refuses to run in a suspended VM, and suspend/resume of a stopped VM is an error', () => {
    sb.ok(['run', 'life', '--', 'true']);
    sb.ok(['suspend', 'life']);
    const r = sb.fvm(['--json', 'run', 'life', '--', 'true']);
    expect(JSON.parse(r.stdout).error.code).toBe('VM_SUSPENDED');
    sb.ok(['resume', 'life']);
    sb.ok(['stop', 'life']);
    expect(JSON.parse(sb.fvm(['--json', 'suspend', 'life']).stdout).error.code).toBe('VM_NOT_RUNNING');
  });

  it('one VM, one writer: a held lock makes others wait, then VM_BUSY; a dead holder\'s lock is taken over', () => {
    const lockFile = path.join(sb.fvmHome, 'vms/vm1/lock');
    const stat = fs.readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    const startTime = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, startTime, bootId, op: 'commit' }));
    const t0 = Date.now();
    const busy = sb.fvm(['--json', 'stop', 'life']);
    expect(Date.now() - t0).toBeGreaterThan(9000);
    const e = JSON.parse(busy.stdout).error;
    expect(e.code).toBe('VM_BUSY');
    expect(e.message).toContain(`process ${process.pid} is running 'commit'`);
    // The same record from a process that is gone (a crashed CLI) no longer binds anyone.
    fs.writeFileSync(lockFile, JSON.stringify({ pid: process.pid, startTime: startTime + 1, bootId, op: 'commit' }));
    sb.ok(['stop', 'life']);
    expect(fs.existsSync(lockFile)).toBe(false);
  }, 30_000);

  it('copies a VM into an independent one and deletes VMs', () => {
    sb.ok(['copy', 'life', 'life2']);
    const deletedId = sb.json<{ id: string }>(['info', 'life2']).id;
    sb.ok(['run', 'life2', '--', 'sh', '-c', 'echo only-in-copy > ~/copy.txt; rm ~/crash.txt']);
    expect(sb.ok(['run', 'life', '--', 'cat', path.join(sb.home, 'crash.txt')]).stdout).toBe('before-crash\n');
    expect(sb.fvm(['run', 'life', '--', 'cat', path.join(sb.home, 'copy.txt')]).status).not.toBe(0);
    sb.ok(['stop', 'life']);
    sb.ok(['stop', 'life2']);
    sb.ok(['delete', 'life2']);
    expect(sb.json<{ vms: Array<{ name: string }> }>(['list']).vms.map((v) => v.name)).toEqual(['life']);
    expect(fs.readdirSync(path.join(sb.fvmHome, 'vms'))).toEqual(['vm1']);
    // The layer life2 shared with life stays: life still stacks it.
    expect(fs.readdirSync(path.join(sb.fvmHome, 'layers'))).toHaveLength(1);
    // Ids are never reused.
    sb.ok(['copy', 'life', 'life3']);
    const id = sb.json<{ id: string }>(['info', 'life3']).id;
    expect(id).toMatch(/^vm\d+$/);
    expect(Number(id.slice(2))).toBeGreaterThan(Number(deletedId.slice(2)));
  });
});

describe('installers that need root', () => {
  const sb = new Sandbox();
  afterAll(() => sb.cleanup());

  it(IS_ROOT ? 'as root: npm install -g stays in the VM' : 'unprivileged: --root is refused with the limitation and the fix', async () => {
    sb.ok(['create', 'npm', '--network', 'none']);
    if (!IS_ROOT) {
      const r = sb.fvm(['--json', 'run', 'npm', '--root', '--', 'true']);
      const e = JSON.parse(r.stdout).error;
      expect(e.code).toBe('ROOT_UNAVAILABLE');
      expect(e.message).toMatch(/cannot map uid 0/);
      expect(e.hint).toMatch(/sudo fvm run --root/);
      return;
    }
    const pkg = path.join(sb.dir, 'pkg');
    fs.mkdirSync(pkg);
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'fvm-demo-tool', version: '1.0.0', bin: { 'fvm-demo-tool': 'cli.js' } }));
    fs.writeFileSync(path.join(pkg, 'cli.js'), '#!/usr/bin/env node\nconsole.log("demo tool ran");\n', { mode: 0o755 });
    const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', sb.dir], { cwd: pkg, encoding: 'utf8' }).trim().split('\n').pop() as string;
    const prefix = execFileSync('npm', ['prefix', '-g'], { encoding: 'utf8' }).trim();
    const installed = path.join(prefix, 'lib/node_modules/fvm-demo-tool');
    const binLink = path.join(prefix, 'bin/fvm-demo-tool');
    expect(fs.existsSync(installed)).toBe(false);
    const r = sb.fvm(['run', 'npm', '--root', '--', 'npm', 'install', '-g', '--offline', '--no-audit', '--no-fund', path.join(sb.dir, tgz)]);
    expect(r.status, r.stderr).toBe(0);
    expect(sb.ok(['run', 'npm', '--', 'fvm-demo-tool']).stdout).toBe('demo tool ran\n');
    expect(fs.existsSync(installed)).toBe(false);
    expect(fs.existsSync(binLink)).toBe(false);
    const { changes } = sb.json<{ changes: Array<{ path: string }> }>(['diff', 'npm']);
    expect(changes.map((c) => c.path)).toEqual(expect.arrayContaining([installed, binLink]));
    // And as root the masks hold: /etc/hosts writable in the VM only.
    sb.ok(['run', 'npm', '--root', '--', 'sh', '-c', 'echo "10.9.9.9 fvm-test" >> /etc/hosts; mkdir /usr/local/fvm-foo']);
    expect(fs.readFileSync('/etc/hosts', 'utf8')).not.toContain('fvm-test');
    expect(fs.existsSync('/usr/local/fvm-foo')).toBe(false);
    await sleep(0);
  });

  const powers = IS_ROOT
    ? "as root: programs keep root's powers over files, users and low ports, and have none over the VM's mounts or hostname"
    : 'unprivileged: programs have no power over other users\' files, low ports, mounts or the hostname';
  it(powers, () => {
    sb.ok(['create', 'powers', '--network', 'none']);
    const f = path.join(sb.home, 'owned-by-nobody');
    // Each line: a name and the exit status of its attempt (0 = it worked).
    const script = [
      `touch ${f} && chown 65534:65534 ${f} && chmod 600 ${f}; echo "chown $?"`,
      `cat ${f} >/dev/null; echo "dac_override $?"`,
      `setpriv --reuid=65534 --regid=65534 --clear-groups id -u >/dev/null; echo "setuid $?"`,
      `python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 80)); s.listen()'; echo "bind_80 $?"`,
      `mount -t tmpfs fvm-x /mnt 2>/dev/null; echo "mount $?"`,
      `hostname fvm-escaped 2>/dev/null; echo "hostname $?"`,
    ].join('\n');
    const r = sb.fvm(['run', 'powers', '--', 'sh', '-c', script]);
    expect(r.status, r.stderr).toBe(0);
    const got = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split(' ')));
    const works = IS_ROOT ? '0' : expect.not.stringMatching(/^0$/);
    const fails = expect.not.stringMatching(/^0$/);
    expect(got).toEqual({ chown: works, dac_override: '0', setuid: works, bind_80: works, mount: fails, hostname: fails });
    expect(fs.existsSync(f)).toBe(false);
    expect(os.hostname()).not.toBe('fvm-escaped');
  });
});
