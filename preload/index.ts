/**
 * The preload bridge: `window.fvm`, built from the contract table.
 *
 * One fixed-arity function per operation and `on*` subscriptions that return an unsubscribe.
 * `ipcRenderer` itself never crosses the bridge, and listeners never see the IPC event (it
 * carries `sender`, a handle back into Electron internals).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { EVENT_CHANNELS, OPERATIONS } from '../src/shared/contract.js';
import type { Envelope } from '../src/shared/contract.js';
import { HOST_OPERATIONS, OPEN_FILE_CHANNEL, READY_CHANNEL, listenerName, methodName } from '../src/shared/bridge.js';
import type { FvmApi } from '../src/shared/bridge.js';

function lostCall(channel: string, err: unknown): Envelope<never> {
  const message = err instanceof Error ? err.message : String(err);
  return {
    ok: false,
    error: { code: 'INTERNAL', message: `${channel}: the call did not reach the FVM main process: ${message}`, hint: 'Restart FVM.' },
  };
}

function operation(channel: string): (input: unknown) => Promise<Envelope<unknown>> {
  // Exactly one parameter: whatever else a caller passes never reaches main.
  return (input: unknown) => ipcRenderer.invoke(channel, input).catch((err: unknown) => lostCall(channel, err));
}

function subscription(channel: string): (listener: (payload: unknown) => void) => () => void {
  return (listener: (payload: unknown) => void) => {
    if (typeof listener !== 'function') throw new TypeError(`${listenerName(channel)} needs a function`);
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, forward);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      ipcRenderer.removeListener(channel, forward);
    };
  };
}

/** The object exposed as `window.fvm`. Exported for tests. */
export function buildFvmApi(): FvmApi {
  const api: Record<string, unknown> = {};
  for (const op of OPERATIONS) api[methodName(op)] = operation(op);
  for (const op of HOST_OPERATIONS) api[methodName(op)] = operation(op);
  for (const channel of EVENT_CHANNELS) api[listenerName(channel)] = subscription(channel);
  api.onOpenFile = subscription(OPEN_FILE_CHANNEL);
  api.ready = () => ipcRenderer.send(READY_CHANNEL);
  return Object.freeze(api) as unknown as FvmApi;
}

contextBridge.exposeInMainWorld('fvm', buildFvmApi());
