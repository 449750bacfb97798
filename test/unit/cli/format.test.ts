import { describe, expect, it } from 'vitest';
import { formatReport } from '../../../src/cli/format.js';
import type { VmReport } from '../../../src/shared/types.js';

const summary = { changes: 2, added: 1, modified: 1, deleted: 0, bytesAdded: 2048, bytesModified: 10, largest: [{ path: '/h/a', size: 2048, kind: 'added' as const }], topDirs: [{ path: '/h', changes: 2, bytes: 2058 }], registryChanges: 0 };

describe('formatReport', () => {
  it('prints the flags grouped by severity, each with its paths and details, then the summary', () => {
    const report: VmReport = {
      vm: 'dev',
      state: 'stopped',
      generated: '2026-11-24T08:00:00.000Z',
      flags: [
        { id: 'shell-rc', severity: 'high', title: 'Shell start-up file', explanation: 'Runs in every new shell.', paths: [{ path: '/h/.bashrc', change: 'modified', detail: ['+ alias ls=x'] }], count: 3 },
        { id: 'certificate-file', severity: 'low', title: 'Certificate or key file', explanation: 'Harmless until trusted.', paths: [{ path: '/h/a.pem', change: 'added', detail: [] }], count: 1 },
      ],
      summary,
      processes: [],
    };
    expect(formatReport(report)).toBe(
      [
        'VM dev (stopped): 1 high, 0 medium, 1 low risk flag(s)',
        '',
        'HIGH',
        '  Shell start-up file [shell-rc], 3 paths',
        '    Runs in every new shell.',
        '    M /h/.bashrc',
        '        + alias ls=x',
        '    … and 2 more',
        '',
        'LOW',
        '  Certificate or key file [certificate-file]',
        '    Harmless until trusted.',
        '    A /h/a.pem',
        '',
        'SUMMARY',
        '  changes    2: 1 added, 1 modified, 0 deleted',
        '  bytes      2.0 KiB in new files, 10 B in modified files',
        '  largest       2.0 KiB  /h/a',
        '  top dirs            2  /h',
      ].join('\n'),
    );
  });

  it('says so when nothing is risky', () => {
    const text = formatReport({ vm: 'dev', state: 'stopped', generated: '', flags: [], summary, processes: [] });
    expect(text.split('\n').slice(0, 3)).toEqual(['VM dev (stopped): 0 high, 0 medium, 0 low risk flag(s)', '', 'Nothing risky found.']);
  });
});
