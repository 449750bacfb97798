/**
 * Stable error codes with a message that names the operation and the user's path, and a hint.
 *
 * Errors cross process boundaries (IPC, WebSocket, `--json`) as plain data, so the class carries
 * nothing that would not survive JSON: code, message, hint.
 */
export const ERROR_CODES = [
  'USAGE',
  'INVALID_NAME',
  'INVALID_ARGUMENT',
  'VM_NOT_FOUND',
  'VM_EXISTS',
  'VM_BUSY',
  'VM_RUNNING',
  'VM_NOT_RUNNING',
  'VM_SUSPENDED',
  'PATH_NOT_CHANGED',
  'COMMIT_CONFLICT',
  'NOTHING_TO_UNCOMMIT',
  'LAUNCH_FAILED',
  'KERNEL_UNSUPPORTED',
  'ROOT_UNAVAILABLE',
  'NETWORK_UNAVAILABLE',
  'TOOL_MISSING',
  'REPOSITORY_CORRUPT',
  'IO_ERROR',
  'REGISTRY_PARSE',
  'REGISTRY_BUSY',
  'REGISTRY_KEY_NOT_FOUND',
  'REGISTRY_NO_PREFIX',
  'BUNDLE_CORRUPT',
  'BUNDLE_UNSAFE_PATH',
  'BUNDLE_CHECKSUM',
  'BUNDLE_TOO_LARGE',
  'BUNDLE_VERSION',
  'UNAUTHORIZED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorData {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint: string;
}

export class FvmError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;

  constructor(code: ErrorCode, message: string, hint = '') {
    super(message);
    this.name = 'FvmError';
    this.code = code;
    this.hint = hint;
  }

  toData(): ErrorData {
    return { code: this.code, message: this.message, hint: this.hint };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Turns anything thrown into error data; unknown errors become INTERNAL with their message kept. */
export function toErrorData(err: unknown): ErrorData {
  if (err instanceof FvmError) return err.toData();
  if (err && typeof err === 'object' && 'code' in err && isErrorCode((err as { code: unknown }).code)) {
    const e = err as { code: ErrorCode; message?: unknown; hint?: unknown };
    return { code: e.code, message: String(e.message ?? ''), hint: String(e.hint ?? '') };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message, hint: 'This is a bug in FVM; please report it with the command you ran.' };
}

/** Exit status of the CLI for an error code: usage errors 2, everything else 1. */
export function exitStatusFor(code: ErrorCode): number {
  return code === 'USAGE' ? 2 : 1;
}

export function assertNever(x: never, what = 'value'): never {
  throw new FvmError('INTERNAL', `unexpected ${what}: ${JSON.stringify(x)}`);
}
