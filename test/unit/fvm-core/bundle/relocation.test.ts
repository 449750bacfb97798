import { describe, expect, it } from 'vitest';
import { isRelocated, relocatePath, relocationFor } from '../../../../src/fvm-core/bundle/relocation.js';

describe('relocation', () => {
  const r = relocationFor('/home/a', '/home/b');

  it('moves the old home and what lies below it, nothing else', () => {
    expect(relocatePath(r, '/home/a')).toBe('/home/b');
    expect(relocatePath(r, '/home/a/.config/x')).toBe('/home/b/.config/x');
    expect(relocatePath(r, '/home/ab/x')).toBe('/home/ab/x');
    expect(relocatePath(r, '/tmp/home/a')).toBe('/tmp/home/a');
    expect(isRelocated(r, '/home/a/x')).toBe(true);
    expect(isRelocated(r, '/home/abc')).toBe(false);
  });

  it('is nothing when both homes are the same path (or one is /)', () => {
    expect(relocationFor('/home/a', '/home/a/')).toBeNull();
    expect(relocationFor('/', '/home/b')).toBeNull();
    expect(relocatePath(null, '/home/a/x')).toBe('/home/a/x');
  });

  it('handles homes of different depth', () => {
    const deep = relocationFor('/home/a', '/srv/users/b');
    expect(relocatePath(deep, '/home/a/x')).toBe('/srv/users/b/x');
  });
});
