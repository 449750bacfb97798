import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, sleep, waitFor } from '../../helpers/sandbox.js';
import { HostProcs, PY, requirePrivateNetwork, requireTool, runPy } from '../../helpers/vm-probe.js';

// The three network modes of a VM against a host service on 127.0.0.1, and the untrusted
// preset. Nothing here reaches outside this machine: the only addresses used are loopback,
// slirp4netns's virtual gateway (10.0.2.2) and the VM's own interfaces.

/**
 * A host TCP service on 127.0.0.1, in its own process (the CLI runs synchronously, so a server
 * in this process could not answer meanwhile): it answers every line with "host:<line>" and
 * logs it, so the test sees what reached the host.
 */
const SERVICE = `
import socket, sys, threading
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen(16)
print('port', s.getsockname()[1], flush=True)
def handle(c):
    c.settimeout(5)
    data = b''
    try:
        while b'\\n' not in data:
            chunk = c.recv(200)
            if not chunk:
                break
            data += chunk
        line = data.split(b'\\n')[0].decode()
        print('seen', line, flush=True)
        c.sendall(('host:' + line + '\\n').encode())
    finally:
        c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
`;

async function hostService(procs: HostProcs) {
  const { output } = await procs.start(PY, ['-c', SERVICE], /^port \d+$/m);
  const port = Number(/^port (\d+)$/m.exec(output())?.[1]);
  const seenNow = () => [...output().matchAll(/^seen (.*)$/gm)].map((m) => m[1]);
  /** What reached the service: the CLI ran synchronously, so let its output events arrive first. */
  const seen = async () => {
    await sleep(300);
    return seenNow();
  };
  return { port, seen, seenNow };
}

/**
 * Connects to each host:port of argv[1] (3 s timeout), says one line (argv[2]), returns the
 * reply or the errno; tests a listener on the VM's own loopback; lists the interfaces. `extra`
 * is more Python that adds to `out` (it may use sys.argv[3:]).
 */
const connectProbe = (extra = '') => `
import threading
targets, token = json.loads(sys.argv[1]), sys.argv[2]
def talk(host, port):
    s = socket.create_connection((host, port), timeout=3)
    s.sendall((token + '\\n').encode())
    data = s.recv(200).decode().strip()
    s.close()
    return data
out = {t: attempt(lambda: talk(t.rsplit(':', 1)[0], int(t.rsplit(':', 1)[1]))) for t in targets}
# A service inside the VM on its own loopback.
srv = socket.socket()
srv.bind(('127.0.0.1', 0))
srv.listen(1)
def serve():
    c, _ = srv.accept()
    c.recv(200)
    c.sendall(b'vm-loopback\\n')
    c.close()
threading.Thread(target=serve, daemon=True).start()
out['inside'] = attempt(lambda: talk('127.0.0.1', srv.getsockname()[1]))
with open('/proc/net/dev') as f:
    out['ifaces'] = sorted(l.split(':')[0].strip() for l in f.readlines()[2:])
${extra}
result(out)
`;

describe('network modes', () => {
  const sb = new Sandbox('fvm-net-');
  const procs = new HostProcs();
  let svc: Awaited<ReturnType<typeof hostService>>;
  const token = `tok-${crypto.randomBytes(6).toString('hex')}`;
  let port = 0;
  let hostLo: string;

  beforeAll(async () => {
    svc = await hostService(procs);
    port = svc.port;
    hostLo = `127.0.0.1:${port}`;
    sb.ok(['create', 'nethost', '--network', 'host']);
    sb.ok(['create', 'netnone', '--network', 'none']);
    sb.ok(['create', 'netpriv']); // the default
  });
  afterAll(() => {
    procs.killAll();
    sb.cleanup();
  });

  it('creates a VM with the private network by default', () => {
    expect(sb.json<{ config: { network: string } }>(['info', 'netpriv']).config.network).toBe('private');
  });

  it('the host service answers on the host (control)', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const c = net.connect(port, '127.0.0.1', () => c.write('control\n'));
      let data = '';
      c.on('data', (d: Buffer) => (data += d.toString('utf8')));
      c.on('end', () => resolve(data.trim()));
      c.on('error', reject);
    });
    expect(reply).toBe('host:control');
  });

  it('--network host: the host\'s 127.0.0.1 service is reachable (the weaker mode, by design)', async () => {
    const r = runPy<Record<string, unknown>>(sb, 'nethost', connectProbe(), [JSON.stringify([hostLo]), `${token}-host`]);
    expect(r.result[hostLo]).toBe(`host:${token}-host`);
    await waitFor('the service to log the VM\'s line', () => svc.seenNow().includes(`${token}-host`), 5_000);
    expect(r.result.inside).toBe('vm-loopback');
    // The host's own interfaces, all of them.
    const hostIfaces = fs.readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2).filter(Boolean).map((l) => l.split(':')[0].trim()).sort();
    expect(r.result.ifaces).toEqual(hostIfaces);
  });

  it('--network none: only a working loopback; the host service is unreachable', async () => {
    const r = runPy<Record<string, unknown>>(sb, 'netnone', connectProbe(), [JSON.stringify([hostLo, `10.0.2.2:${port}`]), `${token}-none`]);
    expect(r.result.ifaces).toEqual(['lo']);
    expect(r.result.inside).toBe('vm-loopback'); // lo is up inside
    expect(r.result[hostLo]).toBe('ECONNREFUSED'); // the VM's own 127.0.0.1, where nothing listens
    expect(r.result[`10.0.2.2:${port}`]).not.toMatch(/^host:/);
    expect(await svc.seen()).not.toContain(`${token}-none`);
  });

  it('--network private: tap0 with an address, loopback works, the host\'s loopback is unreachable (also as 10.0.2.2)', async () => {
    requirePrivateNetwork();
    const ip = requireTool('ip', 'iproute2');
    const r = runPy<Record<string, unknown>>(
      sb,
      'netpriv',
      connectProbe(`
import subprocess
ip = sys.argv[3]
out['tap0'] = subprocess.run([ip, '-o', '-4', 'addr', 'show', 'dev', 'tap0'], capture_output=True, text=True).stdout
out['routes'] = subprocess.run([ip, '-4', 'route'], capture_output=True, text=True).stdout
`),
      [JSON.stringify([hostLo, `10.0.2.2:${port}`]), `${token}-priv`, ip],
    );
    expect(r.result.ifaces).toEqual(['lo', 'tap0']);
    expect(r.result.tap0).toMatch(/inet 10\.0\.2\.\d+\/24/);
    expect(r.result.routes).toMatch(/^default via 10\.0\.2\.2 dev tap0/m);
    expect(r.result.inside).toBe('vm-loopback');
    expect(r.result[hostLo]).toBe('ECONNREFUSED');
    // slirp4netns runs with --disable-host-loopback: its gateway does not forward to the host's lo.
    expect(r.result[`10.0.2.2:${port}`]).not.toMatch(/^host:/);
    expect(r.result[`10.0.2.2:${port}`]).not.toBe('ok');
    expect(await svc.seen()).not.toContain(`${token}-priv`);
  });
});

describe('the untrusted preset', () => {
  const sb = new Sandbox('fvm-untrusted-');
  const procs = new HostProcs();
  let svc: Awaited<ReturnType<typeof hostService>>;
  const key = `-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-${crypto.randomBytes(8).toString('hex')}\n-----END OPENSSH PRIVATE KEY-----\n`;
  let port = 0;

  beforeAll(async () => {
    svc = await hostService(procs);
    port = svc.port;
    const ssh = path.join(sb.home, '.ssh');
    fs.mkdirSync(ssh, { mode: 0o700 });
    fs.writeFileSync(path.join(ssh, 'id_ed25519'), key, { mode: 0o600 });
    fs.writeFileSync(path.join(ssh, 'known_hosts'), 'host ssh-ed25519 AAAA\n');
    fs.writeFileSync(path.join(sb.home, 'notes.txt'), 'ordinary file\n');
    sb.ok(['create', 'v', '--preset', 'untrusted']);
  });
  afterAll(() => {
    procs.killAll();
    sb.cleanup();
  });

  it('records network none and the preset', () => {
    const info = sb.json<{ config: { network: string; preset: string } }>(['info', 'v']);
    expect(info.config).toMatchObject({ network: 'none', preset: 'untrusted' });
  });

  it('hides ~/.ssh (empty inside, the key unreadable) and has no network', async () => {
    const ssh = path.join(sb.home, '.ssh');
    const r = runPy<Record<string, unknown>>(
      sb,
      'v',
      connectProbe(`
ssh, key_path, notes = sys.argv[3], sys.argv[4], sys.argv[5]
out['ssh'] = attempt(lambda: sorted(os.listdir(ssh)))
out['key'] = attempt(lambda: open(key_path).read())
out['notes'] = attempt(lambda: open(notes).read())
`),
      [JSON.stringify([`127.0.0.1:${port}`]), 'untrusted', ssh, path.join(ssh, 'id_ed25519'), path.join(sb.home, 'notes.txt')],
    );
    expect(r.result.ssh).toEqual([]);
    expect(r.result.key).toBe('ENOENT');
    expect(r.result.notes).toBe('ordinary file\n'); // the rest of $HOME is there
    expect(r.result.ifaces).toEqual(['lo']);
    expect(r.result[`127.0.0.1:${port}`]).toBe('ECONNREFUSED');
    expect(await svc.seen()).toEqual([]);
    // And the host's key is untouched.
    expect(fs.readFileSync(path.join(ssh, 'id_ed25519'), 'utf8')).toBe(key);
  });

  it('hides a secret that $HOME reaches through an absolute symlink (~/.netrc -> ~/dotfiles/netrc)', () => {
    // Dotfile managers (stow, chezmoi, yadm) make exactly these links. The hidden rule must
    // hide what the VM can reach by the path, not only the link's own name.
    const dot = path.join(sb.home, 'dotfiles');
    fs.mkdirSync(dot);
    fs.writeFileSync(path.join(dot, 'netrc'), 'machine example.org login me password hunter2\n', { mode: 0o600 });
    fs.symlinkSync(path.join(dot, 'netrc'), path.join(sb.home, '.netrc'));
    sb.ok(['stop', 'v']); // the mount plan is computed at start
    const r = runPy<{ netrc: string }>(sb, 'v', `result({'netrc': attempt(lambda: open(sys.argv[1]).read())})`, [path.join(sb.home, '.netrc')]);
    expect(r.result.netrc).not.toContain('hunter2');
  });
});
