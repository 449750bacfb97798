import { describe, expect, it } from 'vitest';
import { exitStatusFor, FvmError, toErrorData } from '../../../src/shared/errors.js';
import { assertVmName, isValidVmName } from '../../../src/shared/names.js';

describe('errors', () => {
  it('keep code, message and hint as data', () => {
    const e = new FvmError('VM_BUSY', 'VM x is busy', 'wait');
    expect(toErrorData(e)).toEqual({ code: 'VM_BUSY', message: 'VM x is busy', hint: 'wait' });
    expect(toErrorData({ code: 'VM_EXISTS', message: 'm', hint: 'h' })).toEqual({ code: 'VM_EXISTS', message: 'm', hint: 'h' });
    expect(toErrorData(new Error('boom')).code).toBe('INTERNAL');
    expect(toErrorData({ code: 'NOT_A_CODE', message: 'x' }).code).toBe('INTERNAL');
    expect(exitStatusFor('USAGE')).toBe(2);
    expect(exitStatusFor('COMMIT_CONFLICT')).toBe(1);
  });
});

describe('VM names', () => {
  it('follow DESIGN.md §4', () => {
    for (const ok of ['a', 'VM1', '0x', 'a.b_c-d', 'x'.repeat(64)]) expect(isValidVmName(ok), ok).toBe(true);
    for (const bad of ['', '-a', '.a', '_a', 'a/b', 'a b', 'ä', 'x'.repeat(65), 'a\n']) expect(isValidVmName(bad), bad).toBe(false);
    expect(() => assertVmName('../x')).toThrow(/invalid VM name "..\/x"/);
  });
});
