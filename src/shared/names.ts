import { FvmError } from './errors.js';

/** DESIGN.md §4: a VM name is a letter or digit, then up to 63 of letters, digits, `.`, `_`, `-`. */
export const VM_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function isValidVmName(name: unknown): name is string {
  return typeof name === 'string' && VM_NAME_PATTERN.test(name);
}

export function assertVmName(name: unknown): string {
  if (!isValidVmName(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name) : String(name);
    throw new FvmError(
      'INVALID_NAME',
      `invalid VM name ${shown}`,
      'A VM name starts with a letter or digit and has at most 64 characters from A-Z a-z 0-9 . _ -',
    );
  }
  return name;
}
