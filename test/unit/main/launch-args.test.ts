import { describe, expect, it } from 'vitest';
import { filesToOpen } from '../../../main/launch-args.js';

describe('filesToOpen', () => {
  it('finds nothing in a plain launch', () => {
    expect(filesToOpen(['/opt/FVM/fvm-desktop'], 1, '/home/u')).toEqual([]);
    expect(filesToOpen(['/usr/lib/electron', '.'], 2, '/home/u')).toEqual([]);
  });

  it('takes the file after --open-in-new-vm, in both spellings', () => {
    expect(filesToOpen(['fvm-desktop', '--open-in-new-vm', '/tmp/setup.msi'], 1, '/home/u')).toEqual(['/tmp/setup.msi']);
    expect(filesToOpen(['fvm-desktop', '--open-in-new-vm=/tmp/a b.sh'], 1, '/home/u')).toEqual(['/tmp/a b.sh']);
  });

  it('treats positional arguments as files (the MIME handler) and resolves them against the cwd', () => {
    expect(filesToOpen(['fvm-desktop', 'Downloads/x.deb'], 1, '/home/u')).toEqual(['/home/u/Downloads/x.deb']);
  });

  it('skips Chromium switches and an empty action argument', () => {
    expect(filesToOpen(['fvm-desktop', '--no-sandbox', '--enable-features=X', '--open-in-new-vm'], 1, '/home/u')).toEqual([]);
  });

  it('decodes file:// URLs', () => {
    expect(filesToOpen(['fvm-desktop', 'file:///tmp/My%20Setup.exe'], 1, '/')).toEqual(['/tmp/My Setup.exe']);
  });

  it('takes everything after -- literally', () => {
    expect(filesToOpen(['fvm-desktop', '--', '--weird-name.sh'], 1, '/tmp')).toEqual(['/tmp/--weird-name.sh']);
  });
});
