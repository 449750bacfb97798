import { describe, expect, it } from 'vitest';
import { classifyEntryName, hostPathOfTreeRel, isSafeLinkTarget } from '../../../../src/fvm-core/bundle/entry-path.js';
import type { FvmError } from '../../../../src/shared/errors.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as FvmError).code;
  }
  return 'none';
}

describe('classifyEntryName', () => {
  it('sorts the parts of a bundle', () => {
    expect(classifyEntryName('fvm-bundle.json', false, 'b')).toEqual({ section: 'manifest', name: 'fvm-bundle.json', rel: '' });
    expect(classifyEntryName('fvm-index.json', false, 'b').section).toBe('index');
    expect(classifyEntryName('deleted.log', false, 'b').section).toBe('deletion-log');
    expect(classifyEntryName('tree/home/u/x', false, 'b')).toEqual({ section: 'tree', name: 'tree/home/u/x', rel: 'home/u/x' });
    expect(classifyEntryName('tree/home/', true, 'b')).toEqual({ section: 'tree', name: 'tree/home', rel: 'home' });
    expect(classifyEntryName('registry/user.reg', false, 'b')).toEqual({ section: 'registry', name: 'registry/user.reg', rel: 'user.reg' });
  });

  it('refuses names that climb out, absolute names and odd components as unsafe', () => {
    for (const bad of ['../x', 'tree/../../x', 'tree/a/../../b', '/etc/passwd', 'tree//x', 'tree/./x', 'tree/a\0b', `tree/${'x'.repeat(256)}`, 'tree/x/']) {
      expect(codeOf(() => classifyEntryName(bad, false, 'b')), bad).toBe('BUNDLE_UNSAFE_PATH');
    }
  });

  it('refuses names outside the known parts as corrupt', () => {
    expect(codeOf(() => classifyEntryName('etc/passwd', false, 'b'))).toBe('BUNDLE_CORRUPT');
    expect(codeOf(() => classifyEntryName('manifest.json', false, 'b'))).toBe('BUNDLE_CORRUPT');
  });
});

describe('isSafeLinkTarget', () => {
  it('takes absolute targets (host paths in the VM view) and relative ones that stay below /', () => {
    expect(isSafeLinkTarget('/home/u/link', '/etc/passwd')).toBe(true);
    expect(isSafeLinkTarget('/home/u/link', '../v/x')).toBe(true);
    expect(isSafeLinkTarget('/home/u/link', '../../etc')).toBe(true);
    expect(isSafeLinkTarget('/home/u/link', './a/./b')).toBe(true);
  });

  it('refuses targets that climb above / (out of the VM tree on the store), empty or NUL', () => {
    expect(isSafeLinkTarget('/home/u/link', '../../../etc')).toBe(false);
    expect(isSafeLinkTarget('/link', '..')).toBe(false);
    expect(isSafeLinkTarget('/a/link', 'x/../../..')).toBe(false);
    expect(isSafeLinkTarget('/a/link', '')).toBe(false);
    expect(isSafeLinkTarget('/a/link', 'a\0b')).toBe(false);
  });
});

describe('hostPathOfTreeRel', () => {
  it('maps tree/ names to host paths', () => {
    expect(hostPathOfTreeRel('home/u')).toBe('/home/u');
    expect(hostPathOfTreeRel('')).toBe('/');
  });
});
