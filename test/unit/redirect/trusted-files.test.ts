import { describe, expect, it } from 'vitest';
import { LOADER_FILES, librariesOf, trustedPaths } from '../../../src/redirect/trusted-files.js';

describe('trusted files', () => {
  it('guards only what the VM touched; the loader files always count, tools and libraries as root', () => {
    expect(trustedPaths(false, () => false)).toEqual([]);
    expect(trustedPaths(false, (p) => p === '/etc/ld.so.preload')).toEqual(['/etc/ld.so.preload']);
    expect(trustedPaths(false, () => true)).toEqual(LOADER_FILES);
    const asRoot = trustedPaths(true, () => true);
    expect(asRoot).toContain('/usr/bin/setpriv');
    expect(asRoot.some((p) => /\/libc\.so\.6$/.test(p))).toBe(true);
    expect(asRoot.some((p) => /ld-linux.*\.so/.test(p))).toBe(true);
  });

  it('lists the real libraries of a dynamic tool', () => {
    const libs = librariesOf(['/usr/bin/setpriv']);
    expect(libs.every((p) => p.startsWith('/'))).toBe(true);
    expect(libs.some((p) => p.includes('libc.so'))).toBe(true);
  });
});
