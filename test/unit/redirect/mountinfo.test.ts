import { describe, expect, it } from 'vitest';
import { hasChildMounts, parseMountinfo } from '../../../src/redirect/mountinfo.js';

const SAMPLE = `22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
23 22 0:21 / /proc rw,relatime - proc proc rw
40 22 0:35 / /mnt/my\\040disk rw - tmpfs my\\134src rw
41 22 0:36 / /mnt/x rw shared:5 master:2 - cgroup2 cgroup2 rw
`;

describe('mountinfo', () => {
  it('parses fields, decodes octal escapes, tolerates optional fields', () => {
    const m = parseMountinfo(SAMPLE);
    expect(m.map((e) => e.mountPoint)).toEqual(['/', '/proc', '/mnt/my disk', '/mnt/x']);
    expect(m[2].source).toBe('my\\src');
    expect(m[3].fsType).toBe('cgroup2');
  });

  it('finds child mounts strictly below a dir', () => {
    const m = parseMountinfo(SAMPLE);
    expect(hasChildMounts(m, '/mnt')).toBe(true);
    expect(hasChildMounts(m, '/mnt/x')).toBe(false);
    expect(hasChildMounts(m, '/mn')).toBe(false);
    expect(hasChildMounts(m, '/')).toBe(true);
  });
});
