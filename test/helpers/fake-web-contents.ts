/** Minimal stand-ins for Electron's WebContents and IPC events, for gateway tests. */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export const APP_URL = 'file:///opt/fvm/out/renderer/index.html';

export class FakeWebContents extends EventEmitter {
  private static nextId = 1;
  readonly id = FakeWebContents.nextId++;
  readonly send = vi.fn();
  destroyed = false;
  readonly mainFrame = { parent: null, url: APP_URL };
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

export interface FakeFrame {
  readonly parent: object | null;
  readonly url: string;
}

/** The event Electron hands an ipcMain handler: sender and senderFrame are what the gateway checks. */
export function ipcEvent(sender: FakeWebContents, frame: FakeFrame | null = sender.mainFrame): { sender: FakeWebContents; senderFrame: FakeFrame | null } {
  return { sender, senderFrame: frame };
}
