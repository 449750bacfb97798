import { describe, expect, it, vi } from 'vitest';
import { createWebSocketBridge, socketUrlFor } from '../../../renderer/bridge/ws-bridge.js';
import type { SocketLike } from '../../../renderer/bridge/ws-bridge.js';

class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: unknown[] = [];
  private readonly listeners = new Map<string, ((e: { data: unknown }) => void)[]>();
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.fire('close');
  }
  addEventListener(type: string, listener: (e: { data: unknown }) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  fire(type: string, data?: unknown): void {
    if (type === 'open') this.readyState = 1;
    if (type === 'close') this.readyState = 3;
    for (const l of this.listeners.get(type) ?? []) l({ data });
  }
  reply(message: unknown): void {
    this.fire('message', JSON.stringify(message));
  }
}

function setup() {
  const socket = new FakeSocket();
  const bridge = createWebSocketBridge('ws://127.0.0.1:9/ws?token=t', () => socket);
  return { socket, bridge };
}

describe('socketUrlFor', () => {
  it('carries the page token to the socket on the same host', () => {
    expect(socketUrlFor({ protocol: 'http:', host: '127.0.0.1:4321', search: '?token=abc123' })).toBe('ws://127.0.0.1:4321/ws?token=abc123');
  });

  it('is null for a page without a token', () => {
    expect(socketUrlFor({ protocol: 'http:', host: '127.0.0.1:4321', search: '' })).toBeNull();
  });
});

describe('createWebSocketBridge', () => {
  it('is a browser-mode bridge without native dialogs', () => {
    const { bridge } = setup();
    expect(bridge.transport).toBe('browser');
    expect(bridge.dialogPickInstaller).toBeUndefined();
  });

  it('holds calls until the socket opens, then answers each by id', async () => {
    const { socket, bridge } = setup();
    const first = bridge.vmInfo({ name: 'a' });
    const second = bridge.vmList({});
    expect(socket.sent).toEqual([]);
    socket.fire('open');
    expect(socket.sent).toEqual([
      { kind: 'call', id: 1, op: 'vm:info', input: { name: 'a' } },
      { kind: 'call', id: 2, op: 'vm:list', input: {} },
    ]);
    socket.reply({ kind: 'reply', id: 2, result: { ok: true, value: { vms: [] } } });
    socket.reply({ kind: 'reply', id: 1, result: { ok: false, error: { code: 'VM_NOT_FOUND', message: 'no VM a', hint: 'h' } } });
    expect(await second).toEqual({ ok: true, value: { vms: [] } });
    expect(await first).toEqual({ ok: false, error: { code: 'VM_NOT_FOUND', message: 'no VM a', hint: 'h' } });
  });

  it('delivers pushes to the listeners of their channel until unsubscribed', () => {
    const { socket, bridge } = setup();
    socket.fire('open');
    const listener = vi.fn();
    const unsubscribe = bridge.onVmState(listener);
    socket.reply({ kind: 'event', channel: 'vm:state', payload: { vm: 'a', state: 'running' } });
    socket.reply({ kind: 'event', channel: 'fs:changed', payload: { vm: 'a', changes: [] } });
    unsubscribe();
    socket.reply({ kind: 'event', channel: 'vm:state', payload: { vm: 'a', state: 'stopped' } });
    expect(listener.mock.calls).toEqual([[{ vm: 'a', state: 'running' }]]);
  });

  it('sends ready once open', () => {
    const { socket, bridge } = setup();
    bridge.ready();
    socket.fire('open');
    expect(socket.sent).toEqual([{ kind: 'ready' }]);
  });

  it('ignores garbage from the server', () => {
    const { socket, bridge } = setup();
    socket.fire('open');
    const listener = vi.fn();
    bridge.onVmState(listener);
    socket.fire('message', 'not json');
    socket.fire('message', new ArrayBuffer(4));
    expect(listener).not.toHaveBeenCalled();
  });

  it('a closed socket fails pending and later calls with a hint, and says so once', async () => {
    const { socket, bridge } = setup();
    socket.fire('open');
    const pending = bridge.vmList({});
    const lost = vi.fn();
    bridge.onConnectionLost!(lost);
    socket.fire('close');
    socket.fire('error');
    const failed = await pending;
    expect(failed).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'the connection to the FVM server closed' } });
    expect(await bridge.vmList({})).toEqual(failed);
    expect(lost).toHaveBeenCalledTimes(1);
    const late = vi.fn();
    bridge.onConnectionLost!(late);
    expect(late).toHaveBeenCalledTimes(1);
  });
});
