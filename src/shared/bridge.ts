/**
 * The shape of `window.fvm` and of the browser bridge, derived from the contract table.
 *
 * Every operation `domain:verb` becomes one method `domainVerb(input)` answering an `Envelope`,
 * and every push channel `domain:verb` becomes `onDomainVerb(listener)` returning an
 * unsubscribe. Nothing here is written per operation: adding a row to `schemas` adds a method to
 * the preload, the IPC gateway, the WebSocket bridge and the renderer's type in one go.
 */
import { z } from 'zod';
import type { Envelope, EventChannel, OperationInput, OperationName, OperationResult } from './contract.js';
import type { Change, VmState } from './types.js';

/** Payload of each push channel, as the engine emits it. */
export interface EventPayloads {
  /** `deleted` is the last event of a VM. */
  'vm:state': { readonly vm: string; readonly state: VmState | 'deleted' };
  /** `ppid` when the engine knows it (its process watcher does; a run it started does not). */
  'process:started': { readonly vm: string; readonly pid: number; readonly cmd: string; readonly ppid?: number; readonly runId?: string };
  /** `status` is null when it cannot be known (a process that is not the engine's own child). */
  'process:exited': { readonly vm: string; readonly pid: number; readonly status: number | null; readonly runId?: string };
  'process:output': {
    readonly vm: string;
    readonly runId: string;
    readonly stream: 'stdout' | 'stderr';
    readonly data: string;
  };
  'fs:changed': { readonly vm: string; readonly changes: readonly Change[] };
  'op:progress': {
    readonly vm: string;
    readonly op: string;
    readonly done: number;
    readonly total: number;
    readonly path?: string;
  };
}

// Fails to compile if EVENT_CHANNELS and EventPayloads ever disagree.
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _payloadsCoverChannels: Exactly<keyof EventPayloads, EventChannel> = true;
void _payloadsCoverChannels;

type KebabToCamel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<KebabToCamel<Tail>>}` : S;

/** `vm:create` → `vmCreate`, `dialog:pick-installer` → `dialogPickInstaller`. */
export type MethodName<C extends string> = C extends `${infer Domain}:${infer Verb}` ? `${Domain}${Capitalize<KebabToCamel<Verb>>}` : never;

/** `vm:state` → `onVmState`. */
export type ListenerName<C extends string> = `on${Capitalize<MethodName<C>>}`;

/** Runtime twin of {@link MethodName}. */
export function methodName(channel: string): string {
  const [domain, verb = ''] = channel.split(':');
  const camel = verb.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  return domain + camel.charAt(0).toUpperCase() + camel.slice(1);
}

/** Runtime twin of {@link ListenerName}. */
export function listenerName(channel: string): string {
  const m = methodName(channel);
  return 'on' + m.charAt(0).toUpperCase() + m.slice(1);
}

export type OperationMethods = {
  readonly [K in OperationName as MethodName<K>]: (input: OperationInput<K>) => Promise<Envelope<OperationResult<K>>>;
};

export type EventListener<C extends EventChannel> = (payload: EventPayloads[C]) => void;

export type EventSubscriptions = {
  readonly [C in EventChannel as ListenerName<C>]: (listener: EventListener<C>) => () => void;
};

/**
 * Desktop-only operations: native dialogs. They are not engine operations, so they live beside
 * the contract rather than in it, but they are validated the same way at the IPC gateway.
 */
export const hostSchemas = {
  'dialog:pick-installer': z.object({}).strict(),
  'dialog:pick-export-target': z.object({ suggestedName: z.string().min(1).max(255).optional() }).strict(),
} as const;

export type HostOperationName = keyof typeof hostSchemas;
export const HOST_OPERATIONS = Object.keys(hostSchemas) as HostOperationName[];

export interface HostResults {
  /** `path` is null when the user cancelled the dialog. */
  'dialog:pick-installer': { readonly path: string | null };
  'dialog:pick-export-target': { readonly path: string | null };
}

export type HostMethods = {
  readonly [K in HostOperationName as MethodName<K>]: (input: z.infer<(typeof hostSchemas)[K]>) => Promise<Envelope<HostResults[K]>>;
};

/** The renderer tells main (or the web server) that its listeners are in place. */
export const READY_CHANNEL = 'app:renderer-ready';

/** Main asks the renderer to run a file in a new VM (desktop file action, second instance). */
export const OPEN_FILE_CHANNEL = 'app:open-file';
export interface OpenFilePayload {
  readonly path: string;
}

/** Everything `window.fvm` offers in the desktop app. */
export type FvmApi = OperationMethods &
  EventSubscriptions &
  HostMethods & {
    /** Call once all listeners are subscribed: pushes queued until then are delivered. */
    readonly ready: () => void;
    readonly onOpenFile: (listener: (payload: OpenFilePayload) => void) => () => void;
  };
