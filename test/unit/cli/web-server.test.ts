import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebServer } from '../../../src/cli/web-server.js';
import type { WebServer } from '../../../src/cli/web-server.js';
import { FakeEngine } from '../../helpers/fake-engine.js';

let staticDir: string;
let engine: FakeEngine;
let server: WebServer;
let origin: string;

beforeAll(() => {
  staticDir = mkdtempSync(path.join(os.tmpdir(), 'fvm-web-'));
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>FVM</title>');
  mkdirSync(path.join(staticDir, 'assets'));
  writeFileSync(path.join(staticDir, 'assets/app.js'), 'console.log(1)');
  writeFileSync(path.join(path.dirname(staticDir), `${path.basename(staticDir)}-secret.txt`), 'outside');
});

afterAll(() => {
  rmSync(staticDir, { recursive: true, force: true });
  rmSync(path.join(path.dirname(staticDir), `${path.basename(staticDir)}-secret.txt`), { force: true });
});

beforeEach(async () => {
  engine = new FakeEngine();
  engine.addVm('dev');
  server = await startWebServer(engine, { port: 0, host: '127.0.0.1', staticDir });
  origin = new URL(server.url).origin;
});

afterEach(async () => {
  await server.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so the Host header and the path are exactly what the test says. */
function get(pathAndQuery: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  const { port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathAndQuery, method, headers: { Host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

type Outcome = { kind: 'open'; socket: WebSocket } | { kind: 'refused'; status: number };

function connect(query: string, headers: Record<string, string> = {}): Promise<Outcome> {
  const socket = new WebSocket(`${origin.replace('http', 'ws')}/ws${query}`, { headers });
  return new Promise((resolve) => {
    socket.once('open', () => resolve({ kind: 'open', socket }));
    socket.once('unexpected-response', (_req, res) => {
      resolve({ kind: 'refused', status: res.statusCode ?? 0 });
      res.resume();
    });
    socket.once('error', () => resolve({ kind: 'refused', status: 0 }));
  });
}

function nextMessage(socket: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => socket.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>)));
}

function closed(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => socket.once('close', (code) => resolve(code)));
}

describe('the URL', () => {
  it('is loopback with a random 32-byte token', async () => {
    const other = await startWebServer(engine, { staticDir });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
      expect(server.url).toBe(`${origin}/?token=${server.token}`);
      expect(other.token).not.toBe(server.token);
    } finally {
      await other.close();
    }
  });

  it('refuses any host but 127.0.0.1', async () => {
    await expect(startWebServer(engine, { staticDir, host: '0.0.0.0' as '127.0.0.1' })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('refuses to start without a built renderer', async () => {
    await expect(startWebServer(engine, { staticDir: path.join(staticDir, 'nope') })).rejects.toMatchObject({ code: 'IO_ERROR' });
  });
});

describe('HTTP', () => {
  it('refuses a request without the token', async () => {
    const answer = await get('/');
    expect(answer.status).toBe(401);
    expect(answer.body).not.toContain('<title>');
    expect((await get('/assets/app.js')).status).toBe(401);
  });

  it('refuses a wrong token, including one of the right length', async () => {
    expect((await get('/?token=nope')).status).toBe(401);
    expect((await get(`/?token=${'0'.repeat(64)}`)).status).toBe(401);
  });

  it('serves the page with the token and sets a strict HttpOnly cookie for its assets', async () => {
    const page = await get(`/?token=${server.token}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>FVM</title>');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const asset = await get('/assets/app.js', { Cookie: cookie.split(';')[0] });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
  });

  it('refuses a cookie with the wrong token', async () => {
    const { port } = new URL(origin);
    expect((await get('/assets/app.js', { Cookie: `fvm_token_${port}=${'a'.repeat(64)}` })).status).toBe(401);
  });

  it('refuses a foreign Host header even with the token (DNS rebinding)', async () => {
    expect((await get(`/?token=${server.token}`, { Host: 'evil.example' })).status).toBe(403);
  });

  it('never serves a file outside the renderer', async () => {
    const outside = `/..%2f${path.basename(staticDir)}-secret.txt?token=${server.token}`;
    const answer = await get(outside);
    expect(answer.status).toBe(404);
    expect(answer.body).not.toContain('outside');
    expect((await get(`/%00?token=${server.token}`)).status).toBe(400);
  });

  it('answers only GET and HEAD', async () => {
    expect((await get(`/?token=${server.token}`, {}, 'POST')).status).toBe(405);
    const head = await get(`/?token=${server.token}`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });
});

describe('WebSocket', () => {
  it('refuses an upgrade without the token', async () => {
    expect(await connect('')).toEqual({ kind: 'refused', status: 401 });
    expect(await connect('?token=wrong')).toEqual({ kind: 'refused', status: 401 });
  });

  it('refuses the cookie alone: the socket must carry the token itself', async () => {
    const { port } = new URL(origin);
    expect(await connect('', { Cookie: `fvm_token_${port}=${server.token}` })).toEqual({ kind: 'refused', status: 401 });
  });

  it('refuses another origin even with the token', async () => {
    expect(await connect(`?token=${server.token}`, { Origin: 'https://evil.example' })).toEqual({ kind: 'refused', status: 403 });
  });

  it('accepts the token, runs calls and answers envelopes', async () => {
    const outcome = await connect(`?token=${server.token}`, { Origin: origin });
    expect(outcome.kind).toBe('open');
    const socket = (outcome as { socket: WebSocket }).socket;
    socket.send(JSON.stringify({ kind: 'call', id: 7, op: 'vm:info', input: { name: 'dev' } }));
    expect(await nextMessage(socket)).toMatchObject({ kind: 'reply', id: 7, result: { ok: true, value: { name: 'dev' } } });
    socket.send(JSON.stringify({ kind: 'call', id: 8, op: 'vm:info', input: { name: 'missing' } }));
    expect(await nextMessage(socket)).toEqual({
      kind: 'reply',
      id: 8,
      result: { ok: false, error: { code: 'VM_NOT_FOUND', message: "no VM named 'missing'", hint: 'See `fvm list` for the VMs.' } },
    });
    socket.close();
  });

  it('validates every input against the contract before the engine sees it', async () => {
    const { socket } = (await connect(`?token=${server.token}`)) as { socket: WebSocket };
    socket.send(JSON.stringify({ kind: 'call', id: 1, op: 'vm:create', input: { name: '../../etc', extra: 1 } }));
    expect(await nextMessage(socket)).toMatchObject({ kind: 'reply', id: 1, result: { ok: false, error: { code: 'INVALID_ARGUMENT' } } });
    socket.send(JSON.stringify({ kind: 'call', id: 2, op: 'fs:rm-rf', input: {} }));
    expect(await nextMessage(socket)).toMatchObject({ kind: 'reply', id: 2, result: { ok: false, error: { code: 'INVALID_ARGUMENT' } } });
    expect(engine.calls).toEqual([]);
    socket.close();
  });

  it('closes a socket that sends something other than an FVM message', async () => {
    const { socket } = (await connect(`?token=${server.token}`)) as { socket: WebSocket };
    socket.send('{"op":"vm:list"}');
    expect(await closed(socket)).toBe(1008);
  });

  it('holds pushes until the client says ready, then streams them', async () => {
    const { socket } = (await connect(`?token=${server.token}`)) as { socket: WebSocket };
    const received: unknown[] = [];
    socket.on('message', (data) => received.push(JSON.parse(String(data))));
    // Make sure the server has registered the socket before emitting.
    socket.send(JSON.stringify({ kind: 'call', id: 1, op: 'vm:list', input: {} }));
    await new Promise((r) => setTimeout(r, 50));
    engine.emit('vm:state', { vm: 'dev', state: 'running' });
    await new Promise((r) => setTimeout(r, 50));
    expect(received.filter((m) => (m as { kind: string }).kind === 'event')).toEqual([]);
    socket.send(JSON.stringify({ kind: 'ready' }));
    await new Promise((r) => setTimeout(r, 50));
    engine.emit('process:exited', { vm: 'dev', pid: 9, status: 0 });
    await new Promise((r) => setTimeout(r, 50));
    expect(received.filter((m) => (m as { kind: string }).kind === 'event')).toEqual([
      { kind: 'event', channel: 'vm:state', payload: { vm: 'dev', state: 'running' } },
      { kind: 'event', channel: 'process:exited', payload: { vm: 'dev', pid: 9, status: 0 } },
    ]);
    socket.close();
  });

  it('close() ends sockets, stops listening and drops the engine subscription', async () => {
    const { socket } = (await connect(`?token=${server.token}`)) as { socket: WebSocket };
    const done = closed(socket);
    await server.close();
    await done;
    expect(engine.listenerCount()).toBe(0);
    await expect(get(`/?token=${server.token}`)).rejects.toThrow();
    expect(engine.closed).toBe(false);
  });
});
