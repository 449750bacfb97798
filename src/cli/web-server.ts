/**
 * Browser mode: the built renderer and a WebSocket bridge to the engine, on 127.0.0.1 only.
 *
 * The threat is any other local user or any web page the user visits: both can reach a
 * loopback port. So every HTTP request and every WebSocket upgrade must prove it knows a random
 * 32-byte token, which only the URL this function returns carries. The first page load trades
 * the query token for an HttpOnly SameSite=Strict cookie so the page's own assets load;
 * the socket must present the token itself and come from our origin.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import type { EventChannel } from '../shared/contract.js';
import { RENDERER_CSP_HEADER } from '../shared/csp.js';
import { dispatchOperation } from '../shared/dispatch.js';
import type { EngineApi } from '../shared/engine-api.js';
import { FvmError } from '../shared/errors.js';
import { clientMessageSchema, WS_PATH } from '../shared/wire.js';
import type { ServerMessage } from '../shared/wire.js';

export interface WebServerOptions {
  /** 0 or absent: any free port. */
  readonly port?: number;
  /** Loopback only, by design: the UI drives an engine that can write to the host. */
  readonly host?: '127.0.0.1';
  /** The built renderer (out/renderer). */
  readonly staticDir: string;
}

export interface WebServer {
  /** `http://127.0.0.1:PORT/?token=…`: the only way in. */
  readonly url: string;
  readonly token: string;
  close(): Promise<void>;
}

/** A commit of 100,000 paths is a few MB of JSON; nothing legitimate is near this. */
const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
/** Pushes held for a socket that has not said `ready`; the oldest go first past this. */
const MAX_QUEUED_PUSHES = 20_000;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': RENDERER_CSP_HEADER,
  'X-Content-Type-Options': 'nosniff',
  // The token is in the page URL: never send it anywhere as a Referer.
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

interface Client {
  readonly socket: WebSocket;
  ready: boolean;
  queue: string[];
}

function sameSecret(given: string | null | undefined, token: string): boolean {
  if (typeof given !== 'string' || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export async function startWebServer(engine: EngineApi, options: WebServerOptions): Promise<WebServer> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') {
    throw new FvmError('USAGE', `fvm ui --web: refusing to listen on ${String(host)}`, 'The web UI listens on 127.0.0.1 only.');
  }
  const staticDir = path.resolve(options.staticDir);
  const indexFile = path.join(staticDir, 'index.html');
  try {
    await stat(indexFile);
  } catch {
    throw new FvmError('IO_ERROR', `fvm ui --web: the UI is not built (no ${indexFile})`, 'Run `npm run build` in the FVM checkout first.');
  }

  const token = randomBytes(32).toString('hex');
  let port = 0;
  // Cookies are per host, not per port: name ours after the port so two servers do not clash.
  const cookieName = () => `fvm_token_${port}`;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  function queryToken(req: IncomingMessage): string | null {
    return new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('token');
  }

  /** A Host header other than ours means a DNS-rebinding page is knocking. */
  function hostOk(req: IncomingMessage): boolean {
    return typeof req.headers.host === 'string' && allowedHosts().has(req.headers.host.toLowerCase());
  }

  function reply(res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra });
    res.end(`${text}\n`);
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string, setCookie: boolean): Promise<void> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      reply(res, 400, 'Bad request');
      return;
    }
    if (decoded.includes('\0')) {
      reply(res, 400, 'Bad request');
      return;
    }
    const file = decoded === '/' ? indexFile : path.resolve(staticDir, `.${decoded}`);
    if (file !== staticDir && !file.startsWith(staticDir + path.sep)) {
      reply(res, 404, 'Not found');
      return;
    }
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      reply(res, 404, 'Not found');
      return;
    }
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(body.length),
    };
    if (setCookie) headers['Set-Cookie'] = `${cookieName()}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const server = createServer((req, res) => {
    if (!hostOk(req)) {
      reply(res, 403, 'Forbidden: unexpected Host header');
      return;
    }
    const fromQuery = sameSecret(queryToken(req), token);
    const fromCookie = sameSecret(cookieValue(req.headers.cookie, cookieName()), token);
    if (!fromQuery && !fromCookie) {
      reply(res, 401, 'Unauthorized: open the URL that `fvm ui --web` printed (it carries the token)', { 'WWW-Authenticate': 'Token' });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
      return;
    }
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    serveStatic(req, res, pathname, fromQuery).catch(() => reply(res, 500, 'Internal error'));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const clients = new Set<Client>();

  function refuseUpgrade(socket: Duplex, status: number, text: string): void {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    // A cross-site page can open a socket to us carrying no cookie but any Origin it likes to
    // hide: demand our own origin *and* the token in the URL.
    const origin = req.headers.origin;
    const originOk = origin === undefined || allowedHosts().has(origin.replace(/^http:\/\//, '').toLowerCase());
    if (pathname !== WS_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    if (!hostOk(req) || !originOk) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!sameSecret(queryToken(req), token)) return refuseUpgrade(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });

  function send(client: Client, message: ServerMessage): void {
    if (client.socket.readyState === client.socket.OPEN) client.socket.send(JSON.stringify(message));
  }

  function accept(ws: WebSocket): void {
    const client: Client = { socket: ws, ready: false, queue: [] };
    clients.add(client);
    ws.on('close', () => clients.delete(client));
    ws.on('error', () => clients.delete(client));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        ws.close(1003, 'text frames only');
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        ws.close(1007, 'not JSON');
        return;
      }
      const message = clientMessageSchema.safeParse(parsed);
      if (!message.success) {
        ws.close(1008, 'not an FVM message');
        return;
      }
      if (message.data.kind === 'ready') {
        client.ready = true;
        for (const text of client.queue.splice(0)) if (ws.readyState === ws.OPEN) ws.send(text);
        return;
      }
      const { id, op, input } = message.data;
      void dispatchOperation((name, value) => engine.invoke(name, value), op, input).then((result) => send(client, { kind: 'reply', id, result }));
    });
  }

  const unsubscribe = engine.onEvent((channel: EventChannel, payload: unknown) => {
    const text = JSON.stringify({ kind: 'event', channel, payload } satisfies ServerMessage);
    for (const client of clients) {
      if (client.ready) {
        if (client.socket.readyState === client.socket.OPEN) client.socket.send(text);
      } else {
        client.queue.push(text);
        if (client.queue.length > MAX_QUEUED_PUSHES) client.queue.shift();
      }
    }
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    unsubscribe();
    const reason = err instanceof Error ? err.message : String(err);
    throw new FvmError('IO_ERROR', `fvm ui --web: cannot listen on ${host}:${options.port ?? 0}: ${reason}`, 'Choose another port with --port N, or leave it out to take any free one.');
  }
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}/?token=${token}`,
    token,
    close() {
      closing ??= (async () => {
        unsubscribe();
        for (const client of clients) client.socket.terminate();
        clients.clear();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}
