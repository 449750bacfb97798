import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeOverlayPath, planToScript, shQuote } from '../../../src/redirect/plan-script.js';

describe('planToScript', () => {
  it('quotes every path so that /bin/sh reads back exactly the same words', () => {
    // A real file, so that the plan's existence guard on bind sources lets the bind through.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fvm-q-'));
    const nasty = path.join(dir, `it's a "dir" $(touch pwned) \`x\` \\ ; & |\ttab`);
    fs.writeFileSync(nasty, '');
    const script = planToScript([
      { kind: 'mkdir', target: nasty },
      { kind: 'symlink', target: '/bin', linkTo: nasty },
      { kind: 'bind', source: nasty, target: nasty, readOnly: true },
    ]);
    const shell = `fvm_mkdir() { printf '[%s]\\n' "$1"; }
fvm_symlink() { printf '[%s|%s]\\n' "$1" "$2"; }
fvm_bind() { printf '[%s|%s|%s]\\n' "$1" "$2" "$3"; }
${script}`;
    const out = execFileSync('/bin/sh', ['-c', shell], { encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(out).toBe(`[${nasty}]\n[/bin|${nasty}]\n[${nasty}|${nasty}|1]\n`);
  });

  it('escapes the characters overlayfs splits options on', () => {
    expect(escapeOverlayPath('/a,b:c\\d')).toBe('/a\\,b\\:c\\\\d');
    expect(shQuote("a'b")).toBe(`'a'\\''b'`);
  });

  it('emits one function call per op, in order', () => {
    const s = planToScript([
      { kind: 'tmpfs', target: '/run', mode: '755', readOnly: false },
      { kind: 'overlay', lower: '/usr', layers: [], upper: '/s/fs/usr', work: '/s/work/usr', target: '/usr' },
      { kind: 'overlay', lower: '/opt', layers: ['/l1/fs/opt', '/l2/fs/opt'], upper: '/s/fs/opt', work: '/s/work/opt', target: '/opt', layerWork: '/s/work/opt@layer', stage: '/s/mnt/.fvm-stage-1' },
      { kind: 'remount-ro', target: '/mnt' },
      { kind: 'proc', target: '/proc' },
      { kind: 'sys', target: '/sys' },
      { kind: 'dev', target: '/dev' },
      { kind: 'touch', target: '/f' },
    ]);
    expect(s.split('\n').slice(1, -1)).toEqual([
      "fvm_tmpfs '/run' 755 0",
      "if [ -d '/usr' ]; then fvm_overlay '/usr' '/s/fs/usr' '/s/work/usr' '/usr'; fi",
      "if [ -d '/opt' ]; then fvm_stacked_overlay '/opt' '/l2/fs/opt' '/s/work/opt@layer' '/s/mnt/.fvm-stage-1' '/l1/fs/opt:/s/mnt/.fvm-stage-1' '/s/fs/opt' '/s/work/opt' '/opt'; fi",
      "fvm_remount_ro '/mnt'",
      "fvm_proc '/proc'",
      "fvm_sys '/sys'",
      "fvm_dev '/dev'",
      "fvm_touch '/f'",
    ]);
  });
});
