import { describe, expect, it } from 'vitest';
import { perPercent } from '../../../../src/fvm-core/bundle/progress.js';

describe('perPercent', () => {
  it('passes progress on once per percent, and always the end', () => {
    const seen: number[] = [];
    const p = perPercent((d) => seen.push(d));
    for (let i = 0; i <= 1000; i++) p(i, 1000);
    expect(seen).toHaveLength(101);
    expect(seen.at(-1)).toBe(1000);
  });
});
