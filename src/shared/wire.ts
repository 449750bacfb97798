/**
 * Messages of the browser bridge (WebSocket between the renderer and `fvm ui --web`).
 *
 * Client → server: `call` runs one operation; `ready` says the listeners are in place, after
 * which queued pushes are delivered. Server → client: `reply` answers one call with an
 * `Envelope`; `event` is a push from the engine.
 */
import { z } from 'zod';
import type { Envelope, EventChannel } from './contract.js';

/** Path of the WebSocket endpoint; the token rides in its query string. */
export const WS_PATH = '/ws';

export const clientMessageSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('call'),
      id: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
      op: z.string().max(128),
      input: z.unknown(),
    })
    .strict(),
  z.object({ kind: z.literal('ready') }).strict(),
]);

export type ClientMessage = z.infer<typeof clientMessageSchema>;

export type ServerMessage =
  | { readonly kind: 'reply'; readonly id: number; readonly result: Envelope<unknown> }
  | { readonly kind: 'event'; readonly channel: EventChannel; readonly payload: unknown };
