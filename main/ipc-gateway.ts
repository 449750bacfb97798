/**
 * The single IPC gateway between the renderer and the engine.
 *
 * One `ipcMain.handle` per contract operation (and per host dialog), each of which drops
 * messages from any sender it did not create, validates the payload with the contract schema
 * and answers an `Envelope`: Electron keeps only `message` of a thrown error, so errors travel
 * as data. Engine pushes are queued per window until its renderer says it is ready.
 */
import { ipcMain } from 'electron';
import type { IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import { OPERATIONS } from '../src/shared/contract.js';
import type { Envelope, EventChannel } from '../src/shared/contract.js';
import { HOST_OPERATIONS, OPEN_FILE_CHANNEL, READY_CHANNEL, hostSchemas } from '../src/shared/bridge.js';
import type { HostOperationName, HostResults } from '../src/shared/bridge.js';
import { dispatchOperation, validateWith } from '../src/shared/dispatch.js';
import { toErrorData } from '../src/shared/errors.js';
import type { EngineApi } from '../src/shared/engine-api.js';
import type { HostDialogs } from './dialogs.js';

export interface GatewayOptions {
  readonly engine: EngineApi;
  readonly dialogs: HostDialogs;
  /** True for the URL of our own renderer document (file:// index or the dev server). */
  readonly isAppUrl: (url: string) => boolean;
  /** Pushes kept per window before it is ready; the oldest are dropped past this. */
  readonly maxQueued?: number;
}

export interface IpcGateway {
  /** Trusts the main frame of this window's renderer; every other sender is dropped. */
  attach(contents: WebContents): void;
  /** Asks every window to offer running `path` in a new VM. */
  pushOpenFile(path: string): void;
  /** Removes the handlers and the engine subscription. */
  close(): void;
}

interface Push {
  readonly channel: string;
  readonly payload: unknown;
}

interface WindowSlot {
  readonly contents: WebContents;
  ready: boolean;
  queue: Push[];
  dropped: number;
}

const DEFAULT_MAX_QUEUED = 20_000;

/** Registers the handlers; call once, before the first window loads. */
export function openIpcGateway(options: GatewayOptions): IpcGateway {
  const { engine, dialogs, isAppUrl } = options;
  const maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
  const windows = new Map<number, WindowSlot>();

  /**
   * The threat: a subframe, a window we did not open, or our window after it was navigated
   * elsewhere, calling the engine. Only the top frame of a window we attached, showing our own
   * document, may talk to it.
   */
  function trustedSlot(event: IpcMainInvokeEvent | IpcMainEvent): WindowSlot | null {
    const slot = windows.get(event.sender.id);
    if (!slot || slot.contents !== event.sender) return null;
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null || !isAppUrl(frame.url)) return null;
    return slot;
  }

  function refused(channel: string): Envelope<never> {
    return {
      ok: false,
      error: {
        code: 'UNAUTHORIZED',
        message: `${channel}: refused a message from a frame FVM did not create`,
        hint: 'Only the FVM window itself may call the engine.',
      },
    };
  }

  for (const op of OPERATIONS) {
    ipcMain.handle(op, (event: IpcMainInvokeEvent, raw: unknown) => {
      if (!trustedSlot(event)) return refused(op);
      return dispatchOperation((name, input) => engine.invoke(name, input), op, raw);
    });
  }

  async function runHost<K extends HostOperationName>(op: K, contents: WebContents, raw: unknown): Promise<Envelope<HostResults[K]>> {
    const input = validateWith(op, hostSchemas[op], raw);
    if (!input.ok) return input;
    try {
      switch (op) {
        case 'dialog:pick-installer':
          return { ok: true, value: { path: await dialogs.pickInstaller(contents) } };
        case 'dialog:pick-export-target': {
          const { suggestedName } = input.value as { suggestedName?: string };
          return { ok: true, value: { path: await dialogs.pickExportTarget(contents, suggestedName) } };
        }
      }
      return { ok: false, error: toErrorData(new Error(`no handler for ${op}`)) };
    } catch (err) {
      return { ok: false, error: toErrorData(err) };
    }
  }

  for (const op of HOST_OPERATIONS) {
    ipcMain.handle(op, (event: IpcMainInvokeEvent, raw: unknown) => {
      const slot = trustedSlot(event);
      if (!slot) return refused(op);
      return runHost(op, slot.contents, raw);
    });
  }

  function onReady(event: IpcMainEvent): void {
    const slot = trustedSlot(event);
    if (!slot) return;
    slot.ready = true;
    const queued = slot.queue;
    slot.queue = [];
    if (slot.dropped > 0) {
      console.warn(`fvm: the window was not ready for ${slot.dropped} push events; they were dropped (the UI reloads its lists on start)`);
      slot.dropped = 0;
    }
    for (const push of queued) deliver(slot, push);
  }
  ipcMain.on(READY_CHANNEL, onReady);

  function deliver(slot: WindowSlot, push: Push): void {
    if (slot.contents.isDestroyed()) return;
    slot.contents.send(push.channel, push.payload);
  }

  function broadcast(push: Push): void {
    for (const slot of windows.values()) {
      if (slot.ready) {
        deliver(slot, push);
        continue;
      }
      slot.queue.push(push);
      if (slot.queue.length > maxQueued) {
        slot.queue.shift();
        slot.dropped++;
      }
    }
  }

  const unsubscribe = engine.onEvent((channel: EventChannel, payload: unknown) => broadcast({ channel, payload }));

  return {
    attach(contents) {
      const slot: WindowSlot = { contents, ready: false, queue: [], dropped: 0 };
      windows.set(contents.id, slot);
      // A reload replaces the document and its listeners: queue again until it says ready.
      contents.on('did-start-loading', () => {
        slot.ready = false;
      });
      contents.once('destroyed', () => {
        if (windows.get(contents.id) === slot) windows.delete(contents.id);
      });
    },
    pushOpenFile(path) {
      broadcast({ channel: OPEN_FILE_CHANNEL, payload: { path } });
    },
    close() {
      unsubscribe();
      for (const op of [...OPERATIONS, ...HOST_OPERATIONS]) ipcMain.removeHandler(op);
      ipcMain.removeListener(READY_CHANNEL, onReady);
      windows.clear();
    },
  };
}
