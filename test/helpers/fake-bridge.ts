/**
 * A Bridge for store tests: every operation is a vi.fn answering from a table the test fills,
 * and `push` delivers an event the way window.fvm or the socket would.
 */
import { vi } from 'vitest';
import type { Mock } from 'vitest';
import { EVENT_CHANNELS, OPERATIONS } from '../../src/shared/contract.js';
import type { Envelope, EventChannel, OperationName, OperationResult } from '../../src/shared/contract.js';
import { listenerName, methodName } from '../../src/shared/bridge.js';
import type { EventPayloads } from '../../src/shared/bridge.js';
import type { ErrorData } from '../../src/shared/errors.js';
import type { Bridge } from '../../renderer/bridge/bridge.js';

type Answer<K extends OperationName> = Envelope<OperationResult<K>> | ((input: never) => Envelope<OperationResult<K>> | Promise<Envelope<OperationResult<K>>>);

export interface FakeBridge {
  readonly bridge: Bridge;
  /** The vi.fn behind each operation, by operation name. */
  readonly calls: Record<OperationName, Mock>;
  readonly ready: Mock;
  answer<K extends OperationName>(op: K, answer: Answer<K>): void;
  push<C extends EventChannel>(channel: C, payload: EventPayloads[C]): void;
  listenerCount(channel: EventChannel): number;
}

export function ok<T>(value: T): Envelope<T> {
  return { ok: true, value };
}

export function fail(code: ErrorData['code'], message = `failed: ${code}`, hint = `hint for ${code}`): Envelope<never> {
  return { ok: false, error: { code, message, hint } };
}

export function createFakeBridge(): FakeBridge {
  const answers = new Map<OperationName, Answer<OperationName>>();
  const listeners = new Map<EventChannel, Set<(payload: unknown) => void>>();
  const calls = {} as Record<OperationName, Mock>;
  const api: Record<string, unknown> = { transport: 'browser' };
  for (const op of OPERATIONS) {
    const fn = vi.fn(async (input: unknown) => {
      const answer = answers.get(op);
      if (!answer) return fail('INTERNAL', `no answer set for ${op}`);
      return typeof answer === 'function' ? answer(input as never) : answer;
    });
    calls[op] = fn;
    api[methodName(op)] = fn;
  }
  for (const channel of EVENT_CHANNELS) {
    api[listenerName(channel)] = (listener: (payload: unknown) => void) => {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    };
  }
  const ready = vi.fn();
  api.ready = ready;
  return {
    bridge: api as unknown as Bridge,
    calls,
    ready,
    answer(op, answer) {
      answers.set(op, answer as Answer<OperationName>);
    },
    push(channel, payload) {
      for (const l of listeners.get(channel) ?? []) l(payload);
    },
    listenerCount(channel) {
      return listeners.get(channel)?.size ?? 0;
    },
  };
}
