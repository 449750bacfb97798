/**
 * The trust boundary shared by every transport: validate an untrusted payload against the
 * contract, call the engine, and answer errors as data.
 */
import type { z } from 'zod';
import { OPERATIONS, schemas } from './contract.js';
import type { Envelope, OperationInput, OperationName } from './contract.js';
import { toErrorData } from './errors.js';
import type { ErrorData } from './errors.js';

export function isOperationName(value: unknown): value is OperationName {
  return typeof value === 'string' && (OPERATIONS as readonly string[]).includes(value);
}

/** One line naming each bad field, e.g. `name: invalid VM name; rules.0.path: must be an absolute path`. */
export function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'input';
    return `${where}: ${issue.message}`;
  });
  if (error.issues.length > shown.length) shown.push(`and ${error.issues.length - shown.length} more`);
  return shown.join('; ');
}

export function invalidArgument(op: string, detail: string): ErrorData {
  return {
    code: 'INVALID_ARGUMENT',
    message: `${op}: ${detail}`,
    hint: 'The request did not match the FVM API contract; check the values you entered.',
  };
}

const NAME_FIELDS: readonly PropertyKey[] = ['name', 'source', 'target'];

/** Parses `raw` with `schema`, naming `op` in the error; a bad VM name gets the CLI's INVALID_NAME. */
export function validateWith<S extends z.ZodType>(op: string, schema: S, raw: unknown): Envelope<z.infer<S>> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues;
  if (issues.every((i) => i.path.length === 1 && NAME_FIELDS.includes(i.path[0]))) {
    return {
      ok: false,
      error: {
        code: 'INVALID_NAME',
        message: `${op}: ${describeIssues(parsed.error)}`,
        hint: 'A VM name starts with a letter or digit and has at most 64 characters from A-Z a-z 0-9 . _ -',
      },
    };
  }
  return { ok: false, error: invalidArgument(op, describeIssues(parsed.error)) };
}

export function validateInput<K extends OperationName>(op: K, raw: unknown): Envelope<OperationInput<K>> {
  return validateWith(op, schemas[op], raw) as Envelope<OperationInput<K>>;
}

export type Invoke = (op: OperationName, input: never) => Promise<unknown>;

/**
 * Validates and runs one operation for an untrusted caller; never throws.
 *
 * `op` is unknown too: a socket or a compromised renderer may name anything.
 */
export async function dispatchOperation(invoke: Invoke, op: unknown, raw: unknown): Promise<Envelope<unknown>> {
  if (!isOperationName(op)) {
    const shown = typeof op === 'string' ? op.slice(0, 64) : typeof op;
    return { ok: false, error: invalidArgument('request', `unknown operation ${JSON.stringify(shown)}`) };
  }
  const input = validateInput(op, raw);
  if (!input.ok) return input;
  try {
    return { ok: true, value: await invoke(op, input.value as never) };
  } catch (err) {
    return { ok: false, error: toErrorData(err) };
  }
}
