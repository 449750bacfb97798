/**
 * What the store talks to: `window.fvm` in Electron, a WebSocket client in browser mode.
 *
 * Every method answers an Envelope and never rejects; components never see a Bridge, only the
 * store's actions.
 */
import type { EventSubscriptions, FvmApi, HostMethods, OpenFilePayload, OperationMethods } from '../../src/shared/bridge.js';
import type { ErrorData } from '../../src/shared/errors.js';

export type Transport = 'electron' | 'browser';

export type Bridge = OperationMethods &
  EventSubscriptions &
  Partial<HostMethods> & {
    readonly transport: Transport;
    /** Call once every listener is subscribed; pushes are held until then. */
    readonly ready: () => void;
    /** Desktop only: the app was asked to run a file in a new VM. */
    readonly onOpenFile?: (listener: (payload: OpenFilePayload) => void) => () => void;
    /** Browser only: the socket to `fvm ui --web` closed; later calls fail at once. */
    readonly onConnectionLost?: (listener: (error: ErrorData) => void) => () => void;
  };

/** Wraps the preload's `window.fvm`; the object is a frozen copy made by contextBridge. */
export function electronBridge(api: FvmApi): Bridge {
  return { ...api, transport: 'electron' };
}
