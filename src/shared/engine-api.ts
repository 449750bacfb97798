/**
 * What every front end needs from the engine, stated against the contract alone.
 *
 * The IPC gateway and the web server depend on this interface rather than on src/fvm-core, so
 * they can be tested with a fake and the engine's facade (`openEngine()`) only has to satisfy it.
 */
import type { EventChannel, OperationInput, OperationName, OperationResult } from './contract.js';

export interface EngineApi {
  /** Runs one operation; throws FvmError. Inputs are already validated by the caller. */
  invoke<K extends OperationName>(op: K, input: OperationInput<K>): Promise<OperationResult<K>>;
  /** Subscribes to every push event; returns the unsubscribe. */
  onEvent(listener: (channel: EventChannel, payload: unknown) => void): () => void;
  close(): Promise<void>;
}
