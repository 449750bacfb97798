import { EventEmitter } from 'node:events';
import type { EventChannel } from '../shared/contract.js';

export type EventListener = (channel: EventChannel, payload: unknown) => void;

/** The engine's push events (state changes, process start/exit, output, progress). */
export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  emit(channel: EventChannel, payload: unknown): void {
    this.emitter.emit('event', channel, payload);
  }

  on(listener: EventListener): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
