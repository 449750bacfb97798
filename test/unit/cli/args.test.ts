import { describe, expect, it } from 'vitest';
import { expectPositionals, parseArgs } from '../../../src/cli/args.js';
import { humanSize, progressLine, formatChanges } from '../../../src/cli/format.js';

describe('parseArgs', () => {
  const spec = { rule: 'multi', network: 'value', force: 'flag' } as const;
  it('parses values, repeated options, flags and everything after --', () => {
    const p = parseArgs(['vm', '--rule', 'ro:/a', '--rule=hidden:/b', '--network=none', '--force', '--', '--rule', 'x'], spec, 'create');
    expect(p.positional).toEqual(['vm']);
    expect(p.values.get('rule')).toEqual(['ro:/a', 'hidden:/b']);
    expect(p.values.get('network')).toEqual(['none']);
    expect(p.flags.has('force')).toBe(true);
    expect(p.rest).toEqual(['--rule', 'x']);
  });
  it('rejects unknown options, missing values, repeated single values, stray arguments', () => {
    expect(() => parseArgs(['--nope'], spec, 'create')).toThrow(/unknown option --nope/);
    expect(() => parseArgs(['-x'], spec, 'create')).toThrow(/unknown option -x/);
    expect(() => parseArgs(['--network'], spec, 'create')).toThrow(/needs a value/);
    expect(() => parseArgs(['--network', 'a', '--network', 'b'], spec, 'create')).toThrow(/given twice/);
    expect(() => parseArgs(['--force=1'], spec, 'create')).toThrow(/takes no value/);
    expect(() => expectPositionals(parseArgs(['a', 'b'], spec, 'info'), 'info', 1, 1, 'NAME')).toThrow(/unexpected argument 'b'/);
    expect(() => expectPositionals(parseArgs([], spec, 'info'), 'info', 1, 1, 'NAME')).toThrow(/missing NAME/);
  });
});

describe('format', () => {
  it('sizes, progress and diff lines', () => {
    expect(humanSize(512)).toBe('512 B');
    expect(humanSize(1536)).toBe('1.5 KiB');
    expect(progressLine({ op: 'commit', done: 5, total: 10 }, 10)).toBe('\rcommit  [#####     ]  50% 5/10');
    expect(formatChanges([
      { kind: 'added', path: '/a', type: 'dir', size: 0 },
      { kind: 'deleted', path: '/b', type: 'file', size: 0 },
      { kind: 'modified', path: '/c', type: 'symlink', size: 0 },
    ])).toBe('A /a/\nD /b\nM /c');
  });
});
