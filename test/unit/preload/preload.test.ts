import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EVENT_CHANNELS, OPERATIONS } from '../../../src/shared/contract.js';
import { HOST_OPERATIONS, OPEN_FILE_CHANNEL, READY_CHANNEL, listenerName, methodName } from '../../../src/shared/bridge.js';
import type { FvmApi } from '../../../src/shared/bridge.js';

type Listener = (event: unknown, ...args: unknown[]) => void;

function fakeIpcRenderer() {
  const listeners = new Map<string, Set<Listener>>();
  return {
    listeners,
    invoke: vi.fn(async (channel: string, ...args: unknown[]) => ({ ok: true, value: { channel, args } })),
    send: vi.fn(),
    on: vi.fn((channel: string, listener: Listener) => {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
    }),
    removeListener: vi.fn((channel: string, listener: Listener) => {
      listeners.get(channel)?.delete(listener);
    }),
    /** Delivers a message the way Electron does: the IPC event first. */
    emit(channel: string, payload: unknown) {
      const event = { sender: { secret: 'ipcRenderer internals' }, ports: [] };
      for (const l of listeners.get(channel) ?? []) l(event, payload);
    },
  };
}

let ipcRenderer: ReturnType<typeof fakeIpcRenderer>;
let exposed: Record<string, unknown>;
let api: FvmApi;

beforeEach(async () => {
  vi.resetModules();
  ipcRenderer = fakeIpcRenderer();
  exposed = {};
  vi.doMock('electron', () => ({
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
    ipcRenderer,
  }));
  await import('../../../preload/index.js');
  api = exposed.fvm as FvmApi;
});

describe('window.fvm', () => {
  it('exposes one key, fvm, and never ipcRenderer itself', () => {
    expect(Object.keys(exposed)).toEqual(['fvm']);
    const values = Object.values(api as unknown as Record<string, unknown>);
    expect(values).not.toContain(ipcRenderer);
    expect(values.every((v) => typeof v === 'function')).toBe(true);
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('has exactly one function per operation, host dialog and push channel, named from the contract', () => {
    const expected = [
      ...OPERATIONS.map(methodName),
      ...HOST_OPERATIONS.map(methodName),
      ...EVENT_CHANNELS.map(listenerName),
      'onOpenFile',
      'ready',
    ].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    expect(api).toHaveProperty('vmCreate');
    expect(api).toHaveProperty('dialogPickInstaller');
    expect(api).toHaveProperty('onFsChanged');
  });

  it('gives every operation a fixed arity of one', () => {
    for (const op of [...OPERATIONS, ...HOST_OPERATIONS]) {
      expect((api as unknown as Record<string, (...a: unknown[]) => unknown>)[methodName(op)].length).toBe(1);
    }
  });
});

describe('operations', () => {
  it('invoke their own channel with exactly the one argument', async () => {
    const result = await (api.vmInfo as (...a: unknown[]) => Promise<unknown>)({ name: 'dev' }, 'extra', { more: true });
    expect(ipcRenderer.invoke).toHaveBeenCalledWith('vm:info', { name: 'dev' });
    expect(result).toEqual({ ok: true, value: { channel: 'vm:info', args: [{ name: 'dev' }] } });
  });

  it('answer an INTERNAL envelope, not a rejection, when the call cannot reach main', async () => {
    ipcRenderer.invoke.mockRejectedValueOnce(new Error("No handler registered for 'vm:list'"));
    const result = await api.vmList({});
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'INTERNAL', message: expect.stringContaining("No handler registered for 'vm:list'") }),
    });
  });

  it('ready() tells main the listeners are in place', () => {
    api.ready();
    expect(ipcRenderer.send).toHaveBeenCalledWith(READY_CHANNEL);
  });
});

describe('subscriptions', () => {
  it('call the listener with the payload only, never the IPC event', () => {
    const listener = vi.fn();
    api.onVmState(listener);
    ipcRenderer.emit('vm:state', { vm: 'dev', state: 'running' });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0]).toEqual([{ vm: 'dev', state: 'running' }]);
  });

  it('return an unsubscribe that removes exactly that listener, and is safe to call twice', () => {
    const first = vi.fn();
    const second = vi.fn();
    const unsubscribe = api.onFsChanged(first);
    api.onFsChanged(second);
    unsubscribe();
    unsubscribe();
    ipcRenderer.emit('fs:changed', { vm: 'dev', changes: [] });
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
    expect(ipcRenderer.removeListener).toHaveBeenCalledTimes(1);
  });

  it('cover every push channel and the open-file request', () => {
    for (const channel of EVENT_CHANNELS) {
      const listener = vi.fn();
      (api as unknown as Record<string, (l: unknown) => unknown>)[listenerName(channel)](listener);
      ipcRenderer.emit(channel, { channel });
      expect(listener).toHaveBeenCalledWith({ channel });
    }
    const onOpen = vi.fn();
    api.onOpenFile(onOpen);
    ipcRenderer.emit(OPEN_FILE_CHANNEL, { path: '/tmp/x.sh' });
    expect(onOpen).toHaveBeenCalledWith({ path: '/tmp/x.sh' });
  });

  it('refuse a listener that is not a function', () => {
    expect(() => (api.onVmState as (l: unknown) => unknown)('not a function')).toThrow(TypeError);
    expect(ipcRenderer.on).not.toHaveBeenCalled();
  });
});
