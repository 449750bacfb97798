/**
 * The browser-mode Bridge: the same methods as `window.fvm`, carried over one WebSocket to
 * `fvm ui --web` (see src/shared/wire.ts for the messages).
 */
import { EVENT_CHANNELS, OPERATIONS } from '../../src/shared/contract.js';
import type { Envelope, EventChannel } from '../../src/shared/contract.js';
import { listenerName, methodName } from '../../src/shared/bridge.js';
import type { ErrorData } from '../../src/shared/errors.js';
import type { ClientMessage, ServerMessage } from '../../src/shared/wire.js';
import { WS_PATH } from '../../src/shared/wire.js';
import type { Bridge } from './bridge.js';

/** The part of the DOM WebSocket the bridge uses, so tests can hand in a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'close' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

const OPEN = 1;

/** `ws://host/ws?token=…` for the page at `location`, or null when the page has no token. */
export function socketUrlFor(location: { protocol: string; host: string; search: string }): string | null {
  const token = new URLSearchParams(location.search).get('token');
  if (!token) return null;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
}

const CONNECTION_LOST: ErrorData = {
  code: 'INTERNAL',
  message: 'the connection to the FVM server closed',
  hint: 'If `fvm ui --web` is still running, reload this page; otherwise start it again and open the new URL it prints (the token changes every time).',
};

export function createWebSocketBridge(url: string, openSocket: (url: string) => SocketLike = (u) => new WebSocket(u)): Bridge {
  const pending = new Map<number, (result: Envelope<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const lostListeners = new Set<(error: ErrorData) => void>();
  const outbox: string[] = [];
  let nextId = 1;
  let lost: ErrorData | null = null;

  const socket = openSocket(url);
  socket.addEventListener('open', () => {
    for (const text of outbox.splice(0)) socket.send(text);
  });
  socket.addEventListener('message', (event) => receive(event.data));
  socket.addEventListener('close', () => fail(CONNECTION_LOST));
  socket.addEventListener('error', () => fail(CONNECTION_LOST));

  function send(message: ClientMessage): void {
    const text = JSON.stringify(message);
    if (socket.readyState === OPEN) socket.send(text);
    else outbox.push(text);
  }

  function fail(error: ErrorData): void {
    if (lost) return;
    lost = error;
    outbox.length = 0;
    for (const resolve of pending.values()) resolve({ ok: false, error });
    pending.clear();
    for (const listener of lostListeners) listener(error);
  }

  function receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: ServerMessage;
    try {
      message = JSON.parse(data) as ServerMessage;
    } catch {
      return;
    }
    if (message.kind === 'reply') {
      const resolve = pending.get(message.id);
      pending.delete(message.id);
      resolve?.(message.result);
    } else if (message.kind === 'event') {
      for (const listener of listeners.get(message.channel) ?? []) {
        try {
          listener(message.payload);
        } catch (err) {
          console.error(`fvm: a listener of ${message.channel} failed`, err);
        }
      }
    }
  }

  function call(op: string, input: unknown): Promise<Envelope<unknown>> {
    if (lost) return Promise.resolve({ ok: false, error: lost });
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve);
      send({ kind: 'call', id, op, input });
    });
  }

  function subscribe(channel: EventChannel, listener: (payload: unknown) => void): () => void {
    let set = listeners.get(channel);
    if (!set) listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  const api: Record<string, unknown> = { transport: 'browser' };
  for (const op of OPERATIONS) api[methodName(op)] = (input: unknown) => call(op, input);
  for (const channel of EVENT_CHANNELS) api[listenerName(channel)] = (listener: (payload: unknown) => void) => subscribe(channel, listener);
  api.ready = () => {
    if (!lost) send({ kind: 'ready' });
  };
  api.onConnectionLost = (listener: (error: ErrorData) => void) => {
    lostListeners.add(listener);
    if (lost) listener(lost);
    return () => {
      lostListeners.delete(listener);
    };
  };
  return api as unknown as Bridge;
}
