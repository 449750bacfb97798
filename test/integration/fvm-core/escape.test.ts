import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffDigests, FVM, IS_ROOT, Sandbox, sleep, treeDigest, waitFor } from '../../helpers/sandbox.js';
import { HostProcs, parseResult, procState, PY, PY_PRELUDE, requirePrivateNetwork, requireTool, runPy, upperOf } from '../../helpers/vm-probe.js';

// Acceptance g of the engine issue: every escape attempt from inside a VM must fail to reach
// the host. Each test runs the attack through the real CLI and then checks the host itself
// (files, processes, hostname, terminal), not only what the VM program reports.

const UID = process.getuid?.() ?? 0;

/** Mount points of the host (this test process's mount namespace), octal escapes decoded. */
function hostMounts(): Array<{ mountPoint: string; fsType: string }> {
  const out: Array<{ mountPoint: string; fsType: string }> = [];
  for (const line of fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-', 6);
    if (sep < 0) continue;
    out.push({ mountPoint: f[4].replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))), fsType: f[sep + 1] });
  }
  return out;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Runs a shell command line under a fresh pseudo-terminal (`script`), so that the fvm CLI and
 * everything it starts has a real controlling terminal, as in an interactive shell. Stdin stays
 * an open pipe (what the test writes there is "typed" into the terminal).
 */
function underPty(command: string, env: NodeJS.ProcessEnv, cwd: string) {
  const proc = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
  const exited = new Promise<number>((resolve) => proc.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : 1))));
  return {
    proc,
    output: () => output,
    type: (text: string) => proc.stdin.write(text),
    /** Waits for the exit (killing `script` by pid after timeoutMs). */
    async finish(timeoutMs = 30_000): Promise<number> {
      const timer = setTimeout(() => {
        if (proc.pid && proc.exitCode === null) process.kill(proc.pid, 'SIGKILL');
      }, timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      proc.stdin.end();
      return code;
    },
  };
}

describe('escapes from a VM', () => {
  const sb = new Sandbox('fvm-esc-');
  const host = new HostProcs();
  const token = crypto.randomBytes(6).toString('hex');
  const marker = `fvm-escape-${token}`;
  /** Host paths a broken engine could have created: removed at the end whatever the outcome. */
  const escaped: string[] = [];

  beforeAll(() => {
    sb.ok(['create', 'esc', '--network', 'none']);
  });
  afterAll(() => {
    host.killAll();
    sb.cleanup();
    for (const p of escaped) {
      try {
        const st = fs.lstatSync(p);
        if (st.isDirectory()) fs.rmdirSync(p);
        else fs.unlinkSync(p);
      } catch {
        // not there: the normal case
      }
    }
  });

  it('1. writes into every top-level dir, every host mount point, /proc/sys, /sys, /dev, /run and the store never reach the host', { timeout: 120_000 }, () => {
    const escId = sb.json<{ id: string; path: string }>(['info', 'esc']);
    type Target = { path: string; op: 'write' | 'mkdir' | 'rewrite'; mustFail: boolean };
    const targets: Target[] = [];
    const add = (p: string, op: Target['op'], mustFail = false) => {
      if (!targets.some((t) => t.path === p)) targets.push({ path: p, op, mustFail });
      if (p.includes(marker)) escaped.push(p);
    };
    for (const name of fs.readdirSync('/')) {
      let isDir = false;
      try {
        isDir = fs.statSync(`/${name}`).isDirectory();
      } catch {
        // a dangling symlink
      }
      if (isDir && name !== 'proc') add(`/${name}/${marker}`, 'write');
    }
    add(`/${marker}`, 'write', true); // the VM's root is a read-only tmpfs
    for (const m of hostMounts()) {
      if (m.mountPoint === '/proc' || m.mountPoint.startsWith('/proc/')) continue;
      const p = path.join(m.mountPoint, marker);
      // A cgroup mount point: mkdir would create a cgroup on the host.
      add(p, m.fsType.startsWith('cgroup') ? 'mkdir' : 'write', m.mountPoint === '/sys' || m.mountPoint.startsWith('/sys/'));
    }
    // Kernel knobs: /proc/sys is a read-only mask. Same-value rewrites, so even a broken mask
    // changes nothing on this machine; hostname gets a new value (the host's must not change).
    add('/proc/sys/kernel/hostname', 'write', true);
    for (const k of ['kernel/core_pattern', 'kernel/domainname', 'vm/overcommit_memory', 'net/ipv4/ip_forward']) {
      if (fs.existsSync(`/proc/sys/${k}`)) add(`/proc/sys/${k}`, 'rewrite', true);
    }
    add(`/proc/sys/${marker}`, 'write', true);
    add(`/sys/${marker}`, 'write', true);
    add(`/sys/kernel/${marker}`, 'write', true);
    add(`/sys/fs/cgroup/${marker}`, 'mkdir', true);
    // Private /dev and /run: writable inside, invisible on the host.
    for (const p of ['/dev', '/dev/shm', '/dev/pts', '/run', '/run/lock', `/run/user/${UID}`]) add(`${p}/${marker}`, 'write');
    // The repository store, the VM's own upper tree and another path into it.
    for (const p of [sb.fvmHome, path.join(sb.fvmHome, 'vms'), escId.path, path.join(escId.path, 'fs')]) add(path.join(p, marker), 'write', true);
    add(path.join(sb.fvmHome, `dir-${marker}`), 'mkdir', true);
    // Overlays: writable inside, copy-on-write.
    for (const p of [sb.home, sb.dir, '/tmp', '/var/tmp']) add(path.join(p, marker), 'write');

    const hostname = os.hostname();
    const sysctlBefore = new Map(targets.filter((t) => t.path.startsWith('/proc/sys/') && fs.existsSync(t.path)).map((t) => [t.path, fs.readFileSync(t.path, 'utf8')]));
    const homeBefore = treeDigest(sb.home);
    const etcBefore = treeDigest('/etc');

    const r = runPy<Record<string, string>>(
      sb,
      'esc',
      `
targets = json.loads(sys.argv[1])
out = {}
def write(p, data):
    with open(p, 'w') as f:
        f.write(data)
def rewrite(p):
    with open(p) as f:
        v = f.read()
    write(p, v)
for t in targets:
    p, op = t['path'], t['op']
    if op == 'write':
        out[p] = attempt(lambda: write(p, 'escaped ${token}\\n'))
    elif op == 'mkdir':
        out[p] = attempt(lambda: os.mkdir(p))
    else:
        out[p] = attempt(lambda: rewrite(p))
result(out)
`,
      [JSON.stringify(targets)],
    );

    // Inside: the masks refuse every write.
    const leaks = targets.filter((t) => t.mustFail && r.result[t.path] === 'ok').map((t) => t.path);
    expect(leaks).toEqual([]);
    // On the host: no new entry anywhere, no knob changed, home and /etc byte-identical.
    const onHost = targets.filter((t) => t.op !== 'rewrite' && !t.path.startsWith('/proc/sys/kernel/hostname') && fs.existsSync(t.path)).map((t) => t.path);
    expect(onHost).toEqual([]);
    expect(os.hostname()).toBe(hostname);
    for (const [p, v] of sysctlBefore) expect(fs.readFileSync(p, 'utf8')).toBe(v);
    expect(diffDigests(homeBefore, treeDigest(sb.home))).toEqual([]);
    expect(diffDigests(etcBefore, treeDigest('/etc'))).toEqual([]);
    // The writes that succeeded went to the VM: its upper tree holds them.
    expect(r.result[path.join(sb.home, marker)]).toBe('ok');
    expect(fs.readFileSync(upperOf(sb, 'esc', path.join(sb.home, marker)), 'utf8')).toBe(`escaped ${token}\n`);
  });

  it('1b. device nodes cannot be created to reach host disks or memory', () => {
    const r = runPy<Record<string, string>>(
      sb,
      'esc',
      `
import stat
st = os.stat('/')
out = {}
out['blk_root'] = attempt(lambda: os.mknod(os.path.join(sys.argv[1], 'blk'), 0o600 | stat.S_IFBLK, st.st_dev))
out['chr_mem'] = attempt(lambda: os.mknod(os.path.join(sys.argv[1], 'mem'), 0o600 | stat.S_IFCHR, os.makedev(1, 1)))
devices = {}
for name in os.listdir('/dev'):
    st = os.lstat('/dev/' + name)
    if stat.S_ISBLK(st.st_mode) or stat.S_ISCHR(st.st_mode):
        devices[name] = '%s %d:%d' % ('b' if stat.S_ISBLK(st.st_mode) else 'c', os.major(st.st_rdev), os.minor(st.st_rdev))
out['devices'] = devices
result(out)
`,
      [sb.home],
    );
    expect(r.result.blk_root).toBe('EPERM');
    expect(r.result.chr_mem).toBe('EPERM');
    // Only the minimal /dev: no disk, no /dev/mem, /dev/kmsg, /dev/net/tun or /dev/fuse.
    expect(r.result.devices).toEqual({ null: 'c 1:3', zero: 'c 1:5', full: 'c 1:7', random: 'c 1:8', urandom: 'c 1:9', tty: 'c 5:0' });
  });

  describe('2. the caller\'s terminal', () => {
    const INJECT = `
import errno, fcntl, json, os, sys, termios
line = ('touch ' + sys.argv[1] + '\\n').encode()
def sti(fd):
    try:
        for c in line:
            fcntl.ioctl(fd, termios.TIOCSTI, bytes([c]))
        return 'ok'
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))
st0 = os.fstat(0)
res = {'isatty': os.isatty(0), 'tty': '%d:%x:%x' % (st0.st_dev, os.major(st0.st_rdev), os.minor(st0.st_rdev))}
for fd in (0, 1, 2):
    res['fd%d' % fd] = sti(fd)
try:
    res['devtty'] = sti(os.open('/dev/tty', os.O_RDWR))
except OSError as e:
    res['devtty'] = 'open:' + errno.errorcode.get(e.errno, str(e.errno))
try:
    res['reopen'] = sti(os.open('/proc/self/fd/0', os.O_RDWR))
except OSError as e:
    res['reopen'] = 'open:' + errno.errorcode.get(e.errno, str(e.errno))
if sys.argv[2] == 'steal':
    # A new session, then try to take the terminal as controlling tty (plainly and by force).
    try:
        os.setsid()
        res['setsid'] = 'ok'
    except OSError as e:
        res['setsid'] = errno.errorcode.get(e.errno)
    for arg in (0, 1):
        try:
            fcntl.ioctl(0, termios.TIOCSCTTY, arg)
            res['sctty%d' % arg] = 'ok'
        except OSError as e:
            res['sctty%d' % arg] = errno.errorcode.get(e.errno)
    res['after'] = sti(0)
sys.stdout.write('RESULT ' + json.dumps(res) + '\\n')
`;
    const SNIFF = `
import os, sys
if os.fork() == 0:
    os.setsid()
    with open(sys.argv[1], 'ab', buffering=0) as f:
        while True:
            try:
                b = os.read(0, 64)
            except OSError:
                break
            if not b:
                break
            f.write(b)
    os._exit(0)
print('RESULT {"daemon": true}', flush=True)
`;
    let injectPy: string;
    let sniffPy: string;
    beforeAll(() => {
      requireTool('script', 'bsdutils');
      injectPy = path.join(sb.dir, 'inject.py');
      sniffPy = path.join(sb.dir, 'sniff.py');
      fs.writeFileSync(injectPy, INJECT, { mode: 0o644 });
      fs.writeFileSync(sniffPy, SNIFF, { mode: 0o644 });
    });

    /**
     * After `program` ends, the terminal's next reader is a shell step that takes whatever is
     * queued (1 s without input ends it) and runs it: injected keystrokes would run on the host.
     */
    const harness = (program: string, capture: string) =>
      `echo "caller-tty=$(stat -L -c %d:%t:%T /proc/self/fd/0)"; ${program}; echo "fvm-exit=$?"; stty -icanon min 0 time 10; head -c 4096 > ${q(capture)}; sh ${q(capture)}; echo harness-done`;

    it('the harness catches a real TIOCSTI injection on the host (control)', async () => {
      const hostMarker = path.join(sb.dir, `control-${marker}`);
      const capture = path.join(sb.dir, 'control.capture');
      const t = underPty(harness(`${PY} ${q(injectPy)} ${q(hostMarker)} plain`, capture), sb.env(), sb.home);
      expect(await t.finish()).toBe(0);
      const res = parseResult<Record<string, unknown>>(t.output(), 'host injector');
      expect(res.isatty).toBe(true);
      let legacy = '1';
      try {
        legacy = fs.readFileSync('/proc/sys/dev/tty/legacy_tiocsti', 'utf8').trim();
      } catch {
        // kernels before 6.2 have no switch: TIOCSTI is always allowed on one's own terminal
      }
      // The kernel allows TIOCSTI on one's own controlling terminal unless legacy_tiocsti=0,
      // and always for CAP_SYS_ADMIN (root here): then the injected line runs on the host.
      if (IS_ROOT || legacy !== '0') {
        expect(res.fd0).toBe('ok');
        expect(fs.readFileSync(capture, 'utf8')).toContain(`touch ${hostMarker}`);
        expect(fs.existsSync(hostMarker)).toBe(true);
      } else {
        expect(res.fd0).toBe('EIO');
      }
    });

    it('TIOCSTI from a VM program fails on stdin/stdout/stderr, /dev/tty and a reopened terminal, even after setsid', async () => {
      const hostMarker = path.join(sb.dir, `tiocsti-${marker}`);
      escaped.push(hostMarker);
      const capture = path.join(sb.dir, 'vm.capture');
      const run = `${q(process.execPath)} ${q(FVM)} run esc -- ${PY} ${q(injectPy)} ${q(hostMarker)} steal`;
      const t = underPty(harness(run, capture), sb.env(), sb.home);
      expect(await t.finish()).toBe(0);
      expect(t.output()).toContain('harness-done');
      const res = parseResult<Record<string, unknown>>(t.output(), 'VM injector');
      expect(res.isatty).toBe(true);
      const callerTty = /caller-tty=(\S+)/.exec(t.output())?.[1];
      expect(callerTty).toBeDefined();
      if (res.tty === callerTty) {
        // The program holds the caller's own terminal (setsid design): the attack is real and
        // the kernel must refuse every form of it. (With an engine-owned pty instead, the
        // program may inject into that pty: harmless, and only the host checks below apply.)
        const refused = ['EPERM', 'EIO'];
        expect(refused).toContain(res.fd0);
        expect(refused).toContain(res.fd1);
        expect(refused).toContain(res.fd2);
        expect(refused).toContain(res.reopen);
        expect(res.devtty).toBe('open:ENXIO'); // no controlling terminal at all
        expect(res.setsid).toBe('ok');
        expect(res.sctty0).toBe('EPERM'); // the terminal belongs to the caller's session
        expect(res.sctty1).toBe('EPERM'); // stealing it needs CAP_SYS_ADMIN in the initial namespace
        expect(refused).toContain(res.after);
      }
      // Nothing reached the terminal's input queue, nothing ran on the host.
      expect(fs.readFileSync(capture, 'utf8')).not.toContain('touch');
      expect(fs.existsSync(hostMarker)).toBe(false);
    });

    it('a VM daemon cannot read what is typed into the caller\'s terminal after fvm run returned', { timeout: 90_000 }, async () => {
      const stolen = path.join(sb.home, `stolen-${token}`);
      const run = `${q(process.execPath)} ${q(FVM)} run esc -- ${PY} ${q(sniffPy)} ${q(stolen)}`;
      const t = underPty(`${run}; echo "fvm-exit=$?"; read -r line; echo "got=$line"; read -r line2; echo "got2=$line2"`, sb.env(), sb.home);
      try {
        await waitFor('fvm run to return', () => t.output().includes('fvm-exit='), 20_000);
        expect(t.output()).toContain('fvm-exit=0');
        await sleep(500); // the daemon, if any, is blocked in read(0) by now
        t.type(`typed-secret-1-${token}\n`);
        await sleep(300);
        t.type(`typed-secret-2-${token}\n`);
        await waitFor('the host shell to read both lines', () => t.output().includes('got2='), 5_000).catch(() => undefined);
      } finally {
        await t.finish(2_000);
        sb.fvm(['stop', 'esc']); // ends the daemon
      }
      // The VM recorded none of the keystrokes, and the user's shell got every one of them.
      let sniffed = '';
      try {
        sniffed = fs.readFileSync(upperOf(sb, 'esc', stolen), 'utf8');
      } catch {
        // never written: the normal case
      }
      expect(sniffed).toBe('');
      expect(t.output()).toContain(`got=typed-secret-1-${token}`);
      expect(t.output()).toContain(`got2=typed-secret-2-${token}`);
    });
  });

  describe('3. the host\'s D-Bus session bus and abstract unix sockets', () => {
    let bus: string;
    let dbusSend: string;
    let xdg: string;
    let xdgBus: string;
    const abstractName = `fvm-escape-abstract-${token}`;

    beforeAll(async () => {
      const daemon = requireTool('dbus-daemon', 'dbus');
      dbusSend = requireTool('dbus-send', 'dbus');
      bus = path.join(sb.dir, 'bus');
      xdg = path.join(sb.dir, 'xdg-runtime');
      fs.mkdirSync(xdg, { mode: 0o700 });
      xdgBus = path.join(xdg, 'bus');
      for (const p of [bus, xdgBus]) {
        await host.start(daemon, ['--session', '--nofork', '--print-address=1', `--address=unix:path=${p}`], /unix:path=/);
      }
      await host.start(
        PY,
        [
          '-c',
          `import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(b'\\0' + sys.argv[1].encode())
s.listen(16)
print('ready', flush=True)
while True:
    c, _ = s.accept()
    c.sendall(b'hello from the host')
    c.close()`,
          abstractName,
        ],
        /ready/,
      );
      sb.ok(['create', 'busvm', '--network', 'none']);
      sb.ok(['create', 'privvm']); // default network: private
      sb.ok(['create', 'hostvm', '--network', 'host']);
    });

    const BUS_PROBE = `
import subprocess
bus, xdg_bus, dbus_send_path = sys.argv[1], sys.argv[2], sys.argv[3]
def conn(p):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(3)
    s.connect(p)
    s.close()
def dbus_send(*args):
    r = subprocess.run([dbus_send_path, *args, '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetId'], capture_output=True, timeout=20)
    return r.returncode
out = {
    'env': os.environ.get('DBUS_SESSION_BUS_ADDRESS'),
    'xdg': os.environ.get('XDG_RUNTIME_DIR'),
    'bus': attempt(lambda: conn(bus)),
    'hostXdgBus': attempt(lambda: conn(xdg_bus)),
    'vmXdgBus': attempt(lambda: conn(os.path.join(os.environ.get('XDG_RUNTIME_DIR', '/nonexistent'), 'bus'))),
    'hostXdgList': attempt(lambda: os.listdir(os.path.dirname(xdg_bus))),
    'sendSession': dbus_send('--session'),
    'sendBus': dbus_send('--bus=unix:path=' + bus),
    'sendXdgBus': dbus_send('--bus=unix:path=' + xdg_bus),
}
result(out)
`;

    it('the session bus is live on the host (control)', () => {
      for (const p of [bus, xdgBus]) {
        const r = spawnSync(dbusSend, [`--bus=unix:path=${p}`, '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.GetId'], { encoding: 'utf8' });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
      }
    });

    it('a VM program sees no bus address and cannot connect to the bus socket, nor to $XDG_RUNTIME_DIR/bus', () => {
      const env = { DBUS_SESSION_BUS_ADDRESS: `unix:path=${bus}`, XDG_RUNTIME_DIR: xdg };
      const r = runPy<Record<string, unknown>>(sb, 'busvm', BUS_PROBE, [bus, xdgBus, dbusSend], { env });
      expect(r.result.env).toBeNull();
      expect(r.result.xdg).toBe(`/run/user/${UID}`);
      // The host socket file seen through the overlay is not the socket inode: refused.
      expect(r.result.bus).toBe('ECONNREFUSED');
      // The host's runtime dir is an empty private tmpfs inside: no socket at all.
      expect(r.result.hostXdgBus).toBe('ENOENT');
      expect(r.result.hostXdgList).toEqual([]);
      expect(r.result.vmXdgBus).toBe('ENOENT');
      expect(r.result.sendSession).not.toBe(0);
      expect(r.result.sendBus).not.toBe(0);
      expect(r.result.sendXdgBus).not.toBe(0);
    });

    const ABSTRACT_PROBE = `
def talk():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(3)
    s.connect(b'\\0' + sys.argv[1].encode())
    data = s.recv(100)
    s.close()
    return data.decode()
result({'abstract': attempt(talk)})
`;

    it('a host abstract unix socket is reachable from the host (control)', () => {
      const r = spawnSync(PY, ['-c', PY_PRELUDE + ABSTRACT_PROBE, abstractName], { encoding: 'utf8' });
      expect(parseResult<{ abstract: string }>(r.stdout, 'host probe').abstract).toBe('hello from the host');
    });

    it('a host abstract unix socket is unreachable with network none', () => {
      expect(runPy<{ abstract: string }>(sb, 'busvm', ABSTRACT_PROBE, [abstractName]).result.abstract).toBe('ECONNREFUSED');
    });

    it('a host abstract unix socket is unreachable with network private', () => {
      requirePrivateNetwork();
      expect(runPy<{ abstract: string }>(sb, 'privvm', ABSTRACT_PROBE, [abstractName]).result.abstract).toBe('ECONNREFUSED');
    });

    it('a host abstract unix socket IS reachable with network host (the documented weaker mode)', () => {
      // Abstract sockets belong to the network namespace; --network host shares the host's.
      expect(runPy<{ abstract: string }>(sb, 'hostvm', ABSTRACT_PROBE, [abstractName]).result.abstract).toBe('hello from the host');
    });
  });

  it('4. host processes cannot be signalled, ptraced or even named', { timeout: 120_000 }, async () => {
    const { proc: sleeper } = await host.start('/bin/sleep', ['1000']);
    const pid = sleeper.pid ?? 0;
    await waitFor('the host sleeper to sleep', () => procState(pid) === 'S');
    const r = runPy<Record<string, unknown>>(
      sb,
      'esc',
      `
import ctypes, signal
hp = int(sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
def check(rv):
    if rv < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
def ptrace(req, pid):
    check(libc.ptrace(ctypes.c_long(req), ctypes.c_long(pid), None, None))
out = {'visible': os.path.exists('/proc/%d' % hp)}
out['stop'] = attempt(lambda: os.kill(hp, signal.SIGSTOP))
out['kill'] = attempt(lambda: os.kill(hp, signal.SIGKILL))
out['attach'] = attempt(lambda: ptrace(16, hp))        # PTRACE_ATTACH
out['seize'] = attempt(lambda: ptrace(0x4206, hp))     # PTRACE_SEIZE
out['pidfd'] = attempt(lambda: check(libc.syscall(434, hp, 0)))  # pidfd_open
out['pgrp'] = attempt(lambda: os.killpg(hp, signal.SIGSTOP))
# The parents: ours (nsenter, on the host) and init's are invisible.
out['ppid'] = os.getppid()
with open('/proc/1/stat') as f:
    out['init_ppid'] = int(f.read().rsplit(')', 1)[1].split()[1])
# Every pid this program can name belongs to the VM: scan the whole pid range.
with open('/proc/sys/kernel/pid_max') as f:
    pid_max = int(f.read())
mine = set(int(x) for x in os.listdir('/proc') if x.isdigit())
foreign = []
for p in range(1, min(pid_max, max(hp + 1024, 65536))):
    if attempt(lambda: os.kill(p, 0)) != 'ESRCH' and p not in mine:
        foreign.append(p)
out['foreign'] = foreign
# Signals to "every process I may signal" stay in the VM.
out['stopall'] = attempt(lambda: os.kill(-1, signal.SIGSTOP))
os.kill(-1, signal.SIGCONT)
out['killall'] = attempt(lambda: os.kill(-1, signal.SIGKILL))
result(out)
`,
      [String(pid)],
    );
    expect(r.result).toMatchObject({ visible: false, stop: 'ESRCH', kill: 'ESRCH', attach: 'ESRCH', seize: 'ESRCH', pidfd: 'ESRCH', pgrp: 'ESRCH', ppid: 0, init_ppid: 0, foreign: [] });
    if (fs.existsSync('/usr/bin/strace')) {
      const s = sb.fvm(['run', 'esc', '--', '/usr/bin/strace', '-p', String(pid), '-e', 'trace=none']);
      expect(s.status).not.toBe(0);
    }
    await sleep(200);
    // As root the VM's uid 0 is the host's uid 0, so only the PID namespace stands between it
    // and the sleeper: the sleeper must be alive and not stopped in both cases.
    expect(procState(pid)).toBe('S');
    expect(sleeper.exitCode).toBeNull();
    expect(sleeper.signalCode).toBeNull();
  });

  it('5. the masks cannot be unmounted, remounted or bypassed, directly or from a nested user namespace', { timeout: 120_000 }, () => {
    const hostname = os.hostname();
    const r = runPy<Record<string, unknown>>(
      sb,
      'esc',
      `
import ctypes, subprocess
store, home = sys.argv[1], sys.argv[2]
P, S = os.path.join(home, 'fvm-p'), os.path.join(home, 'fvm-s')
libc = ctypes.CDLL(None, use_errno=True)
def check(rv):
    if rv != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
def mount(src, tgt, fstype, flags):
    enc = lambda s: s.encode() if s is not None else None
    check(libc.mount(enc(src), enc(tgt), enc(fstype), ctypes.c_ulong(flags), None))
def umount(tgt, flags):
    check(libc.umount2(tgt.encode(), flags))
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MNT_DETACH = 1, 32, 4096, 16384, 2
os.makedirs(P, exist_ok=True)
os.makedirs(S, exist_ok=True)
def write_hostname():
    with open('/proc/sys/kernel/hostname', 'w') as f:
        f.write('escaped')
out = {
    'umount_procsys': attempt(lambda: umount('/proc/sys', 0)),
    'umount_procsys_lazy': attempt(lambda: umount('/proc/sys', MNT_DETACH)),
    'umount_proc': attempt(lambda: umount('/proc', MNT_DETACH)),
    'umount_store_lazy': attempt(lambda: umount(store, MNT_DETACH)),
    'umount_sys': attempt(lambda: umount('/sys', MNT_DETACH)),
    'remount_procsys_rw': attempt(lambda: mount(None, '/proc/sys', None, MS_REMOUNT | MS_BIND)),
    'remount_procsys_sb': attempt(lambda: mount(None, '/proc/sys', None, MS_REMOUNT)),
    'remount_sys_rw': attempt(lambda: mount(None, '/sys', None, MS_REMOUNT | MS_BIND)),
    'remount_root_rw': attempt(lambda: mount(None, '/', None, MS_REMOUNT | MS_BIND)),
    'bind_proc': attempt(lambda: mount('/proc', P, None, MS_BIND)),
    'bind_store_parent': attempt(lambda: mount(os.path.dirname(store), S, None, MS_BIND)),
    'fresh_proc': attempt(lambda: mount('proc', P, 'proc', 0)),
    'sethostname': attempt(lambda: check(libc.sethostname(b'escaped', 7))),
    'write_hostname': attempt(write_hostname),
}
# A nested user namespace has every capability over a new mount namespace, but the masks it
# inherits are locked: util-linux runs as uid 0 there, so these are real mount(2) calls.
def nested(script, *flags):
    r = subprocess.run(['unshare', '-Urm', *flags, '/bin/sh', '-c', script, 'sh', store, P, S], capture_output=True, timeout=30)
    return r.returncode
# The commands a script would use (as a plain user util-linux refuses before mount(2); as the
# VM's root they are real calls).
def cli(*cmd):
    return subprocess.run(list(cmd), capture_output=True, timeout=30).returncode
out['cli_umount_procsys'] = cli('umount', '/proc/sys')
out['cli_umount_store_lazy'] = cli('umount', '-l', store)
out['cli_remount_procsys'] = cli('mount', '-o', 'remount,rw', '/proc/sys')
out['cli_bind_over_procsys'] = cli('mount', '--bind', P, '/proc/sys')
out['cli_hostname'] = cli('hostname', 'escaped')
out['nested_ok'] = nested('true')
out['nested_umount_procsys'] = nested('umount /proc/sys')
out['nested_umount_procsys_lazy'] = nested('umount -l /proc/sys')
out['nested_umount_store'] = nested('umount -l "$1"')
out['nested_remount_procsys'] = nested('mount -o remount,bind,rw /proc/sys')
out['nested_bind_proc'] = nested('mount --bind /proc "$2" && echo escaped > "$2/sys/kernel/hostname"')
out['nested_bind_store_parent'] = nested('mount --bind "$(dirname "$1")" "$3" && ls -A "$3/$(basename "$1")" | grep -q .')
out['nested_write_hostname'] = nested('echo escaped > /proc/sys/kernel/hostname')
out['nested_fresh_proc'] = nested('true', '-pf', '--mount-proc')
# Afterwards, for this VM: masks in place.
with open('/proc/self/mountinfo') as f:
    mi = [l.split() for l in f]
out['procsys_opts'] = [l[5] for l in mi if l[4] == '/proc/sys']
with open('/proc/self/status') as f:
    caps = dict(l.split(':\t', 1) for l in f if l.startswith('Cap'))
out['cap_sys_admin'] = bool(int(caps['CapEff'], 16) >> 21 & 1)
out['store_listing'] = os.listdir(store)
result(out)
`,
      [sb.fvmHome, sb.home],
    );
    const res = r.result;
    expect(res.nested_ok).toBe(0); // nested user namespaces work: the refusals below are real
    // As root the program keeps CAP_SYS_ADMIN, of a nested user namespace that owns none of the
    // VM's namespaces; as a plain user it has no capabilities: either way the refusals are real.
    expect(res.cap_sys_admin).toBe(IS_ROOT);
    const succeeded = Object.entries(res).filter(([k, v]) => !['nested_ok', 'cap_sys_admin'].includes(k) && (v === 'ok' || v === 0)).map(([k]) => k);
    expect(succeeded).toEqual([]);
    expect(res.procsys_opts).toEqual([expect.stringMatching(/^ro,/)]);
    expect(res.store_listing).toEqual([]);
    expect(os.hostname()).toBe(hostname);
    expect(fs.readFileSync('/proc/sys/kernel/hostname', 'utf8').trim()).toBe(hostname);
    // A later program in the same VM still sees every mask.
    const again = runPy<{ opts: string[]; store: string[] }>(
      sb,
      'esc',
      `
with open('/proc/self/mountinfo') as f:
    mi = [l.split() for l in f]
result({'opts': sorted(l[4] + ' ' + l[5].split(',')[0] for l in mi if l[4] in ('/proc/sys', '/sys', sys.argv[1])), 'store': os.listdir(sys.argv[1])})
`,
      [sb.fvmHome],
    );
    expect(again.result).toEqual({ opts: [`${sb.fvmHome} ro`, '/proc/sys ro', '/sys ro'].sort(), store: [] });
  });

  describe('6. the repository store', () => {
    const secret = `secret-of-the-other-vm-${token}`;
    beforeAll(() => {
      sb.ok(['create', 'other', '--network', 'none']);
      // A daemon keeps the other VM running while the probe looks for it.
      sb.ok(['run', 'other', '--', 'sh', '-c', `echo ${secret} > ~/secret.txt; echo ${secret} > /tmp/secret-${token}; nohup sleep 600 >/dev/null 2>&1 &`]);
    });

    const STORE_PROBE = `
store, sbdir, needle = sys.argv[1], sys.argv[2], sys.argv[3].encode()
paths = json.loads(sys.argv[4])
out = {'listing': attempt(lambda: os.listdir(store))}
for name, p in paths.items():
    out[name] = attempt(lambda: open(p, 'rb').read().decode())
found = []
import stat
for root, dirs, files in os.walk(sbdir):
    for f in files:
        p = os.path.join(root, f)
        try:
            if stat.S_ISREG(os.lstat(p).st_mode):
                with open(p, 'rb') as fh:
                    if needle in fh.read(1 << 20):
                        found.append(p)
        except OSError:
            pass
out['found'] = found
cmds = []
for p in os.listdir('/proc'):
    if p.isdigit():
        try:
            cmds.append(open('/proc/%s/cmdline' % p, 'rb').read().replace(b'\\0', b' ').decode())
        except OSError:
            pass
out['sleepers'] = [c for c in cmds if c.startswith('sleep 600')]
result(out)
`;

    it('looks empty from inside: no other VM, not even the VM\'s own upper tree', () => {
      const other = sb.json<{ path: string }>(['info', 'other']).path;
      const own = sb.json<{ path: string }>(['info', 'esc']).path;
      // The host can read them: the probe below is the VM trying the same paths.
      const otherSecret = path.join(other, 'fs', sb.home, 'secret.txt');
      expect(fs.readFileSync(otherSecret, 'utf8')).toBe(`${secret}\n`);
      const paths = {
        otherSecret,
        otherTmp: path.join(other, 'fs/tmp', `secret-${token}`),
        otherManifest: path.join(other, 'vm.json'),
        ownManifest: path.join(own, 'vm.json'),
        ownUpperMarker: path.join(own, 'fs', sb.home, marker),
        repoJson: path.join(sb.fvmHome, 'repo.json'),
      };
      const r = runPy<Record<string, unknown>>(sb, 'esc', STORE_PROBE, [sb.fvmHome, sb.dir, secret, JSON.stringify(paths)]);
      expect(r.result).toEqual({
        listing: [],
        otherSecret: 'ENOENT',
        otherTmp: 'ENOENT',
        otherManifest: 'ENOENT',
        ownManifest: 'ENOENT',
        ownUpperMarker: 'ENOENT',
        repoJson: 'ENOENT',
        found: [],
        sleepers: [],
      });
    });

    it('looks empty from inside when the store sits in $HOME (the default ~/.local/share/fvm)', { timeout: 180_000 }, () => {
      class HomeStore extends Sandbox {
        override readonly fvmHome = path.join(this.home, '.local/share/fvm');
      }
      const hs = new HomeStore('fvm-esc-home-');
      try {
        fs.writeFileSync(path.join(hs.home, '.profile'), '# host profile\n');
        hs.ok(['create', 'a', '--network', 'none']);
        hs.ok(['create', 'b', '--network', 'none']);
        hs.ok(['run', 'b', '--', 'sh', '-c', `echo ${secret} > ~/secret.txt`]);
        hs.ok(['stop', 'b']);
        const bDir = hs.json<{ path: string }>(['info', 'b']).path;
        const bSecret = path.join(bDir, 'fs', hs.home, 'secret.txt');
        expect(fs.readFileSync(bSecret, 'utf8')).toBe(`${secret}\n`);
        const r = runPy<Record<string, unknown>>(hs, 'a', STORE_PROBE, [hs.fvmHome, hs.dir, secret, JSON.stringify({ bSecret })]);
        expect(r.result).toMatchObject({ listing: [], bSecret: 'ENOENT', found: [] });
        // The rest of $HOME is the host's, copy-on-write.
        const home = runPy<{ profile: string }>(hs, 'a', `result({'profile': open(sys.argv[1]).read()})`, [path.join(hs.home, '.profile')]);
        expect(home.result.profile).toBe('# host profile\n');
      } finally {
        hs.cleanup();
      }
    });
  });

  describe('7. a working directory outside the VM', () => {
    let hostDir: string;
    const CWD_PROBE = `
here = sys.argv[1]
out = {'pwd': os.getcwd(), 'cwdlink': os.readlink('/proc/self/cwd'), 'rootlink': os.readlink('/proc/self/root'), 'initroot': attempt(lambda: os.readlink('/proc/1/root'))}
def w(p, data):
    with open(p, 'w') as f:
        f.write(data)
out['x'] = attempt(lambda: w('x', 'vm'))
out['y'] = attempt(lambda: w('/proc/self/cwd/y', 'vm'))
out['z'] = attempt(lambda: w('/proc/1/root' + os.path.join(here, 'z'), 'vm'))
out['listing'] = sorted(os.listdir('.'))
result(out)
`;
    beforeAll(() => {
      hostDir = path.join(sb.dir, 'host-cwd');
      fs.mkdirSync(hostDir);
      fs.writeFileSync(path.join(hostDir, 'hostfile'), 'host\n');
    });

    const expectOnlyInVm = (dir: string) => {
      for (const n of ['x', 'y', 'z']) {
        expect(fs.existsSync(path.join(dir, n))).toBe(false);
        expect(fs.readFileSync(upperOf(sb, 'esc', path.join(dir, n)), 'utf8')).toBe('vm');
      }
      expect(fs.readdirSync(dir)).toEqual(['hostfile']);
    };

    it('--cwd HOSTDIR: the program runs in the VM\'s view of it; ./x lands in the upper tree', () => {
      const r = runPy<Record<string, unknown>>(sb, 'esc', CWD_PROBE, [hostDir], { runArgs: ['--cwd', hostDir] });
      expect(r.result).toMatchObject({ pwd: hostDir, cwdlink: hostDir, rootlink: '/', initroot: '/', x: 'ok', y: 'ok', z: 'ok', listing: ['hostfile', 'x', 'y', 'z'] });
      expectOnlyInVm(hostDir);
    });

    it('the CLI\'s own cwd on the host: same, the program never holds a host directory', () => {
      const dir = path.join(sb.dir, 'host-cwd-2');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'hostfile'), 'host\n');
      const r = spawnSync(process.execPath, [FVM, 'run', 'esc', '--', PY, '-c', PY_PRELUDE + CWD_PROBE, dir], { env: sb.env(), cwd: dir, encoding: 'utf8' });
      expect(r.status).toBe(0);
      const res = parseResult<Record<string, unknown>>(r.stdout, 'cwd probe');
      expect(res).toMatchObject({ pwd: dir, cwdlink: dir, rootlink: '/', x: 'ok', y: 'ok', z: 'ok' });
      expectOnlyInVm(dir);
    });

    it('a cwd inside the store (as --cwd and as the CLI\'s cwd) falls back outside it', () => {
      const upperRoot = path.join(sb.json<{ path: string }>(['info', 'esc']).path, 'fs');
      const before = treeDigest(upperRoot, (p) => p.startsWith(path.join(upperRoot, sb.home)) || p.startsWith(path.join(upperRoot, 'tmp')));
      const viaFlag = runPy<{ pwd: string; x: string }>(sb, 'esc', CWD_PROBE, [upperRoot], { runArgs: ['--cwd', upperRoot] });
      const viaCwd = spawnSync(process.execPath, [FVM, 'run', 'esc', '--', PY, '-c', PY_PRELUDE + CWD_PROBE, upperRoot], { env: sb.env(), cwd: upperRoot, encoding: 'utf8' });
      const res2 = parseResult<{ pwd: string }>(viaCwd.stdout, 'cwd probe');
      for (const pwd of [viaFlag.result.pwd, res2.pwd]) {
        expect(pwd === sb.fvmHome || pwd.startsWith(`${sb.fvmHome}/`)).toBe(false);
      }
      // Nothing was written into the store's upper root directly (only through the overlays).
      expect(fs.existsSync(path.join(upperRoot, 'x'))).toBe(false);
      expect(diffDigests(before, treeDigest(upperRoot, (p) => p.startsWith(path.join(upperRoot, sb.home)) || p.startsWith(path.join(upperRoot, 'tmp'))))).toEqual([]);
    });
  });

  describe('8. inherited file descriptors and redirected stdio', () => {
    const FD_PROBE = `
import resource
soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
fds = []
for fd in range(0, min(soft, 65536)):
    try:
        os.fstat(fd)
        fds.append(fd)
    except OSError:
        pass
out = {'fds': fds}
for fd in (3, 7):
    out['write%d' % fd] = attempt(lambda: os.write(fd, b'escaped\\n'))
    out['reopen%d' % fd] = attempt(lambda: open('/proc/self/fd/%d' % fd, 'a').write('escaped\\n'))
result(out)
`;

    it('an extra descriptor passed by the caller (spawn stdio[3]) is not inherited', () => {
      const hostFile = path.join(sb.dir, 'fd3-target');
      fs.writeFileSync(hostFile, 'host\n');
      const fd = fs.openSync(hostFile, 'a');
      try {
        const r = spawnSync(process.execPath, [FVM, 'run', 'esc', '--', PY, '-c', PY_PRELUDE + FD_PROBE], {
          env: sb.env(),
          cwd: sb.home,
          stdio: ['pipe', 'pipe', 'pipe', fd],
          encoding: 'utf8',
        });
        expect(r.stderr).toBe('');
        const res = parseResult<Record<string, unknown>>(r.stdout, 'fd probe');
        expect(res).toEqual({ fds: [0, 1, 2], write3: 'EBADF', reopen3: 'ENOENT', write7: 'EBADF', reopen7: 'ENOENT' });
      } finally {
        fs.closeSync(fd);
      }
      expect(fs.readFileSync(hostFile, 'utf8')).toBe('host\n');
    });

    it('a descriptor opened by the calling shell (exec 7>>file) is not inherited', () => {
      const hostFile = path.join(sb.dir, 'fd7-target');
      fs.writeFileSync(hostFile, 'host\n');
      const script = `exec 7>>${q(hostFile)}; exec ${q(process.execPath)} ${q(FVM)} run esc -- ${PY} -c "$1"`;
      const r = spawnSync('/bin/sh', ['-c', script, 'sh', PY_PRELUDE + FD_PROBE], { env: sb.env(), cwd: sb.home, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      const res = parseResult<Record<string, unknown>>(r.stdout, 'fd probe');
      expect(res).toEqual({ fds: [0, 1, 2], write3: 'EBADF', reopen3: 'ENOENT', write7: 'EBADF', reopen7: 'ENOENT' });
      expect(fs.readFileSync(hostFile, 'utf8')).toBe('host\n');
    });

    it('a host file given as stdin (read-only) cannot be reopened for writing through /proc/self/fd/0', () => {
      const hostFile = path.join(sb.home, 'answers.txt');
      fs.writeFileSync(hostFile, 'original answers\n');
      const fd = fs.openSync(hostFile, 'r');
      let r;
      try {
        r = spawnSync(
          process.execPath,
          [
            FVM,
            'run',
            'esc',
            '--',
            PY,
            '-c',
            `${PY_PRELUDE}
data = sys.stdin.read()
def reopen():
    with open('/proc/self/fd/0', 'w') as f:
        f.write('rewritten by the VM\\n')
result({'read': data, 'write0': attempt(lambda: os.write(0, b'x')), 'reopen0': attempt(reopen)})
`,
          ],
          { env: sb.env(), cwd: sb.home, stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' },
        );
      } finally {
        fs.closeSync(fd);
      }
      const res = parseResult<Record<string, string>>(r.stdout, 'stdin probe');
      expect(res.read).toBe('original answers\n'); // the input does arrive
      // A write to fd 0 must fail: EBADF for a read-only file, EPIPE for the engine's relay pipe.
      expect(['EBADF', 'EPIPE']).toContain(res.write0);
      // The host file must be untouched: the engine should hand the VM a pipe, not the file
      // (reopening a pipe through /proc/self/fd/0 is harmless, so reopen0 itself is not judged).
      expect(fs.readFileSync(hostFile, 'utf8')).toBe('original answers\n');
    });

    it('a host file given as stdout (append) keeps what it held: the VM can only append', () => {
      const hostFile = path.join(sb.home, 'install.log');
      fs.writeFileSync(hostFile, 'earlier log lines\n');
      const fd = fs.openSync(hostFile, 'a');
      let r;
      try {
        r = spawnSync(
          process.execPath,
          [
            FVM,
            'run',
            'esc',
            '--',
            PY,
            '-c',
            `${PY_PRELUDE}
def peek():
    with open('/proc/self/fd/1', 'r') as f:
        return f.read()
def truncate():
    with open('/proc/self/fd/1', 'w') as f:
        f.write('')
res = {'peek': attempt(peek), 'truncate': attempt(truncate)}
print('appended by the VM', flush=True)
sys.stderr.write('RESULT ' + json.dumps(res) + '\\n')
`,
          ],
          { env: sb.env(), cwd: sb.home, stdio: ['pipe', fd, 'pipe'], encoding: 'utf8' },
        );
      } finally {
        fs.closeSync(fd);
      }
      expect(r.status).toBe(0);
      expect(parseResult<Record<string, string>>(r.stderr, 'stdout probe')).toBeDefined();
      // Only appended: reopening /proc/self/fd/1 for writing must not reach the file itself.
      expect(fs.readFileSync(hostFile, 'utf8')).toBe('earlier log lines\nappended by the VM\n');
    });
  });

  describe('9. the environment', () => {
    let hostXdg: string;
    const holes = () => ({
      DISPLAY: ':0',
      WAYLAND_DISPLAY: 'wayland-0',
      SSH_AUTH_SOCK: path.join(sb.dir, 'agent.sock'),
      SSH_AGENT_PID: '1',
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${path.join(hostXdg, 'bus')}`,
      XAUTHORITY: path.join(sb.home, '.Xauthority'),
      SESSION_MANAGER: `local/host:@/tmp/.ICE-unix/1,unix/host:/tmp/.ICE-unix/1`,
      GPG_AGENT_INFO: path.join(hostXdg, 'gnupg/S.gpg-agent:0:1'),
      PULSE_SERVER: `unix:${path.join(hostXdg, 'pulse/native')}`,
      XDG_RUNTIME_DIR: hostXdg,
    });
    const ENV_PROBE = `
import stat
host_xdg, name = sys.argv[1], sys.argv[2]
xdg = os.environ.get('XDG_RUNTIME_DIR')
st = os.stat(xdg) if xdg else None
out = {
    'present': sorted(k for k in json.loads(sys.argv[3]) if k in os.environ and k != 'XDG_RUNTIME_DIR'),
    'xdg': xdg,
    'xdgIsDir': bool(st and stat.S_ISDIR(st.st_mode)),
    'xdgMode': oct(stat.S_IMODE(st.st_mode)) if st else None,
    'xdgOwner': st.st_uid if st else None,
    'xdgListing': sorted(os.listdir(xdg)) if xdg else None,
    'hostXdgListing': attempt(lambda: sorted(os.listdir(host_xdg))),
}
def w(p):
    with open(p, 'w') as f:
        f.write('vm')
out['writeXdg'] = attempt(lambda: w(os.path.join(xdg, name)))
result(out)
`;

    beforeAll(() => {
      hostXdg = path.join(sb.dir, 'xdg-env');
      fs.mkdirSync(hostXdg, { mode: 0o700 });
      fs.writeFileSync(path.join(hostXdg, 'host-secret'), 'host\n');
      // A fresh VM: the runtime-dir mask is planned from the environment of the start.
      sb.ok(['create', 'envvm', '--network', 'none']);
    });

    const probe = () => runPy<Record<string, unknown>>(sb, 'envvm', ENV_PROBE, [hostXdg, marker, JSON.stringify(Object.keys(holes()))], { env: holes() });

    it('DISPLAY, WAYLAND_DISPLAY, SSH_AUTH_SOCK, DBUS_SESSION_BUS_ADDRESS and friends are absent; XDG_RUNTIME_DIR is an empty dir of the VM', { timeout: 120_000 }, () => {
      const res = probe().result;
      expect(res.present).toEqual([]);
      expect(res.xdg).toBe(`/run/user/${UID}`);
      expect(res.xdgIsDir).toBe(true);
      expect(res.xdgOwner).toBe(UID);
      expect(res.xdgListing).toEqual([]);
      expect(res.hostXdgListing).toEqual([]); // the caller's runtime dir is masked too
      expect(res.writeXdg).toBe('ok');
      expect(fs.readdirSync(hostXdg)).toEqual(['host-secret']);
      expect(fs.existsSync(path.join(`/run/user/${UID}`, marker))).toBe(false);
      // Private per VM and per start: a fresh start shows it empty again.
      sb.ok(['stop', 'envvm']);
      expect(probe().result.xdgListing).toEqual([]);
    });

    it('XDG_RUNTIME_DIR inside is private: mode 0700 as the XDG base-directory spec requires', () => {
      expect(probe().result.xdgMode).toBe('0o700');
    });
  });
});
