import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const ipc = vi.hoisted(() => ({
  handlers: new Map<string, (...args: unknown[]) => unknown>(),
  listeners: new Map<string, (...args: unknown[]) => unknown>(),
}));

vi.mock('electron', () => ({
  ipcMain: {
    handle: vi.fn((channel: string, fn: (...args: unknown[]) => unknown) => {
      if (ipc.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      ipc.handlers.set(channel, fn);
    }),
    removeHandler: vi.fn((channel: string) => ipc.handlers.delete(channel)),
    on: vi.fn((channel: string, fn: (...args: unknown[]) => unknown) => ipc.listeners.set(channel, fn)),
    removeListener: vi.fn((channel: string) => ipc.listeners.delete(channel)),
  },
}));

import type { WebContents } from 'electron';
import { OPERATIONS } from '../../../src/shared/contract.js';
import { HOST_OPERATIONS, OPEN_FILE_CHANNEL, READY_CHANNEL } from '../../../src/shared/bridge.js';
import { FvmError } from '../../../src/shared/errors.js';
import { openIpcGateway } from '../../../main/ipc-gateway.js';
import type { IpcGateway } from '../../../main/ipc-gateway.js';
import type { HostDialogs } from '../../../main/dialogs.js';
import { FakeEngine } from '../../helpers/fake-engine.js';
import { APP_URL, FakeWebContents, ipcEvent } from '../../helpers/fake-web-contents.js';

function call(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
  const handler = ipc.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return Promise.resolve(handler(event, ...args));
}

function ready(contents: FakeWebContents, frame = contents.mainFrame): void {
  ipc.listeners.get(READY_CHANNEL)!(ipcEvent(contents, frame));
}

let engine: FakeEngine;
let dialogs: HostDialogs & { pickInstaller: ReturnType<typeof vi.fn>; pickExportTarget: ReturnType<typeof vi.fn> };
let gateway: IpcGateway;
let win: FakeWebContents;

beforeEach(() => {
  engine = new FakeEngine();
  engine.addVm('dev');
  dialogs = { pickInstaller: vi.fn(async () => '/home/u/setup.msi'), pickExportTarget: vi.fn(async () => null) };
  gateway = openIpcGateway({ engine, dialogs, isAppUrl: (url) => url === APP_URL, maxQueued: 5 });
  win = new FakeWebContents();
  gateway.attach(win as unknown as WebContents);
});

afterEach(() => {
  gateway.close();
  ipc.handlers.clear();
  ipc.listeners.clear();
});

describe('registration', () => {
  it('registers exactly one handler per contract operation and per host dialog', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual([...OPERATIONS, ...HOST_OPERATIONS].sort());
    expect(ipc.listeners.has(READY_CHANNEL)).toBe(true);
  });

  it('close removes every handler and the engine subscription', () => {
    expect(engine.listenerCount()).toBe(1);
    gateway.close();
    expect(ipc.handlers.size).toBe(0);
    expect(ipc.listeners.size).toBe(0);
    expect(engine.listenerCount()).toBe(0);
    // afterEach closes again: that must be harmless.
    gateway = { attach: () => undefined, pushOpenFile: () => undefined, close: () => undefined };
  });
});

describe('sender checks', () => {
  it('answers the main frame of an attached window', async () => {
    const result = await call('vm:info', ipcEvent(win), { name: 'dev' });
    expect(result).toMatchObject({ ok: true, value: { name: 'dev' } });
    expect(engine.calls).toEqual([{ op: 'vm:info', input: { name: 'dev' } }]);
  });

  it('drops a window it did not create', async () => {
    const stranger = new FakeWebContents();
    const result = await call('vm:delete', ipcEvent(stranger), { name: 'dev' });
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'UNAUTHORIZED' }) });
    expect(engine.calls).toEqual([]);
  });

  it('drops a subframe of our own window', async () => {
    const iframe = { parent: win.mainFrame, url: APP_URL };
    const result = await call('vm:delete', ipcEvent(win, iframe), { name: 'dev' });
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(engine.calls).toEqual([]);
  });

  it('drops our window once it shows another document', async () => {
    const result = await call('vm:list', ipcEvent(win, { parent: null, url: 'https://evil.example/' }), {});
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(engine.calls).toEqual([]);
  });

  it('drops a message whose frame is already gone', async () => {
    const result = await call('vm:list', ipcEvent(win, null), {});
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('drops a window after it was destroyed', async () => {
    win.destroy();
    const result = await call('vm:list', ipcEvent(win), {});
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
  });

  it('refuses host dialogs to untrusted senders too', async () => {
    const result = await call('dialog:pick-installer', ipcEvent(new FakeWebContents()), {});
    expect(result).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(dialogs.pickInstaller).not.toHaveBeenCalled();
  });
});

describe('validation and envelopes', () => {
  it('names a bad VM name INVALID_NAME, like the CLI does', async () => {
    const result = await call('vm:create', ipcEvent(win), { name: '../etc' });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_NAME', message: 'vm:create: name: invalid VM name' } });
    expect(engine.calls).toEqual([]);
  });

  it.each([
    ['vm:create', { name: '../etc', network: 'internet' }],
    ['vm:create', { name: 'ok', network: 'internet' }],
    ['vm:create', { name: 'ok', sneaky: true }],
    ['vm:run', { name: 'dev', command: [] }],
    ['vm:commit', { name: 'dev', paths: ['relative/path'] }],
    ['vm:list', null],
    ['vm:info', 'dev'],
  ])('rejects a bad %s payload before the engine sees it', async (op, payload) => {
    const result = (await call(op, ipcEvent(win), payload)) as { ok: boolean; error: { code: string; message: string } };
    expect(result.ok).toBe(false);
    expect(result.error.code).toBe('INVALID_ARGUMENT');
    expect(result.error.message.startsWith(`${op}: `)).toBe(true);
    expect(engine.calls).toEqual([]);
  });

  it('passes only the first argument: extra ones never reach the engine', async () => {
    await call('vm:info', ipcEvent(win), { name: 'dev' }, { name: 'other' }, 'junk');
    expect(engine.calls).toEqual([{ op: 'vm:info', input: { name: 'dev' } }]);
  });

  it('turns an FvmError into data with code, message and hint', async () => {
    const result = await call('vm:info', ipcEvent(win), { name: 'nope' });
    expect(result).toEqual({
      ok: false,
      error: { code: 'VM_NOT_FOUND', message: "no VM named 'nope'", hint: 'See `fvm list` for the VMs.' },
    });
  });

  it('turns any other throw into INTERNAL, keeping its message', async () => {
    vi.spyOn(engine, 'invoke').mockRejectedValueOnce(new TypeError('boom'));
    const result = await call('vm:list', ipcEvent(win), {});
    expect(result).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
  });

  it('keeps the code of an FvmError thrown by the engine for an otherwise valid call', async () => {
    vi.spyOn(engine, 'invoke').mockRejectedValueOnce(new FvmError('VM_BUSY', 'vm:stop: VM dev is busy', 'Wait for the commit.'));
    const result = await call('vm:stop', ipcEvent(win), { name: 'dev' });
    expect(result).toEqual({ ok: false, error: { code: 'VM_BUSY', message: 'vm:stop: VM dev is busy', hint: 'Wait for the commit.' } });
  });
});

describe('host dialogs', () => {
  it('answers the picked path for the calling window', async () => {
    const result = await call('dialog:pick-installer', ipcEvent(win), {});
    expect(result).toEqual({ ok: true, value: { path: '/home/u/setup.msi' } });
    expect(dialogs.pickInstaller).toHaveBeenCalledWith(win);
  });

  it('answers null when the dialog is cancelled', async () => {
    const result = await call('dialog:pick-export-target', ipcEvent(win), { suggestedName: 'dev.fvm' });
    expect(result).toEqual({ ok: true, value: { path: null } });
    expect(dialogs.pickExportTarget).toHaveBeenCalledWith(win, 'dev.fvm');
  });

  it('validates dialog payloads as strictly as operations', async () => {
    const result = await call('dialog:pick-export-target', ipcEvent(win), { suggestedName: 42 });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(dialogs.pickExportTarget).not.toHaveBeenCalled();
  });
});

describe('push events', () => {
  it('queues events until the renderer says it is ready, then delivers them in order', () => {
    engine.emit('vm:state', { vm: 'dev', state: 'running' });
    engine.emit('process:started', { vm: 'dev', pid: 7, cmd: 'sh' });
    expect(win.send).not.toHaveBeenCalled();
    ready(win);
    expect(win.send.mock.calls).toEqual([
      ['vm:state', { vm: 'dev', state: 'running' }],
      ['process:started', { vm: 'dev', pid: 7, cmd: 'sh' }],
    ]);
    engine.emit('vm:state', { vm: 'dev', state: 'stopped' });
    expect(win.send).toHaveBeenLastCalledWith('vm:state', { vm: 'dev', state: 'stopped' });
  });

  it('ignores a ready signal from a frame it does not trust', () => {
    engine.emit('vm:state', { vm: 'dev', state: 'running' });
    ready(win, { parent: win.mainFrame, url: APP_URL } as never);
    ready(new FakeWebContents());
    expect(win.send).not.toHaveBeenCalled();
  });

  it('queues again while the window reloads', () => {
    ready(win);
    win.emit('did-start-loading');
    engine.emit('fs:changed', { vm: 'dev', changes: [] });
    expect(win.send).not.toHaveBeenCalled();
    ready(win);
    expect(win.send).toHaveBeenCalledWith('fs:changed', { vm: 'dev', changes: [] });
  });

  it('keeps only the newest events past the queue limit', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    for (let i = 0; i < 8; i++) engine.emit('op:progress', { vm: 'dev', op: 'commit', done: i, total: 8 });
    ready(win);
    expect(win.send.mock.calls.map((c) => (c[1] as { done: number }).done)).toEqual([3, 4, 5, 6, 7]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('3 push events'));
  });

  it('sends nothing to a destroyed window', () => {
    ready(win);
    win.destroyed = true;
    engine.emit('vm:state', { vm: 'dev', state: 'running' });
    expect(win.send).not.toHaveBeenCalled();
  });

  it('queues an open-file request like any push', () => {
    gateway.pushOpenFile('/home/u/setup.msi');
    expect(win.send).not.toHaveBeenCalled();
    ready(win);
    expect(win.send).toHaveBeenCalledWith(OPEN_FILE_CHANNEL, { path: '/home/u/setup.msi' });
  });
});
