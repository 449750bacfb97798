import { describe, expect, it } from 'vitest';
import { selectChanges } from '../../../src/fvm-core/commit-plan.js';
import type { Change } from '../../../src/shared/types.js';

const c = (kind: Change['kind'], path: string, type: Change['type'] = 'file'): Change => ({ kind, path, type, size: 0 });

describe('selectChanges', () => {
  const all = [c('added', '/h/.local', 'dir'), c('added', '/h/.local/bin', 'dir'), c('added', '/h/.local/bin/evil'), c('added', '/h/.local/bin/other'), c('modified', '/h/.bashrc'), c('deleted', '/h/old', 'dir')];

  it('selects a path, everything below it, and the new directories above it', () => {
    expect(selectChanges(all, ['/h/.local/bin/evil']).map((x) => x.path)).toEqual(['/h/.local', '/h/.local/bin', '/h/.local/bin/evil']);
    expect(selectChanges(all, ['/h/.local']).map((x) => x.path)).toEqual(['/h/.local', '/h/.local/bin', '/h/.local/bin/evil', '/h/.local/bin/other']);
    expect(selectChanges(all, undefined)).toHaveLength(all.length);
  });

  it('refuses a path that is not among the changes', () => {
    expect(() => selectChanges(all, ['/h/nothing'])).toThrow(/not among the VM's changes/);
    expect(() => selectChanges(all, ['/h/.loc'])).toThrow(/PATH_NOT_CHANGED|not among/);
  });
});
