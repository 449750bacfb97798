import { describe, expect, it } from 'vitest';
import { deletionLogOf, parseDeletionLog, serializeDeletionLog } from '../../../src/redirect/deletion-log.js';

describe('deletion log', () => {
  it('round-trips and sorts', () => {
    const text = serializeDeletionLog([
      { kind: 'whiteout', path: '/home/u/z' },
      { kind: 'opaque', path: '/home/u/a dir\nwith newline' },
    ]);
    expect(text.split('\n')[0]).toBe('# fvm deletion log v1');
    expect(parseDeletionLog(text)).toEqual([
      { kind: 'opaque', path: '/home/u/a dir\nwith newline' },
      { kind: 'whiteout', path: '/home/u/z' },
    ]);
  });

  it('derives entries from the upper walk', () => {
    expect(
      deletionLogOf([
        { host: '/a', kind: 'whiteout', opaque: false },
        { host: '/b', kind: 'dir', opaque: true },
        { host: '/c', kind: 'dir', opaque: false },
        { host: '/d', kind: 'file', opaque: false },
      ]),
    ).toEqual([
      { kind: 'whiteout', path: '/a' },
      { kind: 'opaque', path: '/b' },
    ]);
  });

  it('rejects unsafe or malformed lines with their line number', () => {
    const bad = (body: string) => () => parseDeletionLog(`# fvm deletion log v1\n${body}\n`);
    expect(bad('{"kind":"whiteout","path":"/a/../../etc"}')).toThrow(/line 2/);
    expect(bad('{"kind":"whiteout","path":"relative"}')).toThrow(/line 2/);
    expect(bad('{"kind":"device","path":"/a"}')).toThrow(/line 2/);
    expect(bad('{"kind":"whiteout","path":"/a"}\nnot json')).toThrow(/line 3: not JSON/);
    expect(() => parseDeletionLog('hello')).toThrow(/line 1/);
  });
});
