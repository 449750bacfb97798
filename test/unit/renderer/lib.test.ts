import { describe, expect, it } from 'vitest';
import { formatBytes, formatCommand, shellQuote } from '../../../renderer/lib/format.js';
import { commandForFile, commandForLine, fileKind } from '../../../renderer/lib/installer-command.js';
import { processTree } from '../../../renderer/lib/process-tree.js';
import { nameProblem, parseRules, suggestVmName } from '../../../renderer/lib/vm-form.js';
import type { ProcessInfo } from '../../../src/shared/types.js';

describe('commandForFile', () => {
  it.each([
    ['/tmp/install.sh', ['/bin/sh', '/tmp/install.sh'], false],
    ['/tmp/App-1.0.AppImage', ['/tmp/App-1.0.AppImage', '--appimage-extract-and-run'], false],
    ['/tmp/pkg_1.0_amd64.deb', ['dpkg', '-i', '/tmp/pkg_1.0_amd64.deb'], true],
    ['/tmp/Setup.MSI', ['wine', 'msiexec', '/i', '/tmp/Setup.MSI'], false],
    ['/tmp/setup.exe', ['wine', '/tmp/setup.exe'], false],
    ['/opt/tool/bin/tool', ['/opt/tool/bin/tool'], false],
  ])('%s → %j (root %s)', (file, command, root) => {
    expect(commandForFile(file)).toMatchObject({ command, root });
  });

  it('looks at the file name, not a directory that happens to end like one', () => {
    expect(fileKind('/home/u/build.sh/run')).toBe('program');
  });

  it('runs a typed command line through /bin/sh', () => {
    expect(commandForLine('ls | wc -l')).toEqual(['/bin/sh', '-c', 'ls | wc -l']);
  });
});

describe('parseRules', () => {
  it('reads MODE:PATH lines, bare paths as cow, skipping blanks and comments', () => {
    expect(parseRules('ro:/etc\n\n# note\n/home/u/src\nHIDDEN:/home/u/.ssh')).toEqual({
      ok: true,
      rules: [
        { mode: 'ro', path: '/etc' },
        { mode: 'cow', path: '/home/u/src' },
        { mode: 'hidden', path: '/home/u/.ssh' },
      ],
    });
  });

  it('names the line of an unknown mode or a relative path', () => {
    expect(parseRules('ro:/etc\nwrite:/tmp')).toEqual({ ok: false, error: 'line 2: unknown mode "write" (use cow, open, ro, hidden)' });
    expect(parseRules('open:tmp')).toEqual({ ok: false, error: 'line 1: "tmp" is not an absolute path' });
  });
});

describe('VM names', () => {
  it('accepts what the contract accepts', () => {
    expect(nameProblem('dev-1.2_x')).toBeNull();
    expect(nameProblem('')).toMatch(/required/);
    expect(nameProblem('-dash')).toMatch(/letters, digits/);
    expect(nameProblem('a'.repeat(65))).not.toBeNull();
  });

  it('suggests a free, valid name from an installer file', () => {
    expect(suggestVmName('/home/u/Downloads/Notepad++ Setup 8.6.msi', new Set())).toBe('notepad-setup-8.6');
    expect(suggestVmName('/tmp/install.sh', new Set(['install', 'install-2']))).toBe('install-3');
    expect(suggestVmName('/tmp/---.exe', new Set())).toBe('vm');
    expect(nameProblem(suggestVmName(`/tmp/${'x'.repeat(200)}.deb`, new Set()))).toBeNull();
  });
});

describe('processTree', () => {
  const p = (pid: number, ppid: number): ProcessInfo => ({ vm: 'v', pid, ppid, vmPid: pid, cmd: `c${pid}`, state: 'S' });

  it('orders depth-first by pid and draws guides', () => {
    const rows = processTree([p(5, 1), p(9, 5), p(7, 5), p(8, 7), p(1, 0)]);
    expect(rows.map((r) => `${r.guide}${r.process.pid}`)).toEqual(['1', '└─ 5', '   ├─ 7', '   │  └─ 8', '   └─ 9']);
  });

  it('keeps processes caught in a parent cycle', () => {
    const rows = processTree([p(2, 3), p(3, 2)]);
    expect(rows.map((r) => r.process.pid).sort()).toEqual([2, 3]);
  });
});

describe('format', () => {
  it('formats sizes compactly', () => {
    expect([0, 512, 1536, 10 * 1024, 5 * 1024 ** 3].map(formatBytes)).toEqual(['0 B', '512 B', '1.5 KB', '10 KB', '5.0 GB']);
  });

  it('quotes argv words for display', () => {
    expect(shellQuote('plain/path.txt')).toBe('plain/path.txt');
    expect(shellQuote("it's here")).toBe(`'it'\\''s here'`);
    expect(formatCommand(['wine', 'msiexec', '/i', '/tmp/My Setup.msi'])).toBe("wine msiexec /i '/tmp/My Setup.msi'");
  });
});
