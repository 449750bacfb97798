#!/usr/bin/env node
// `npm run bench [-- --quick] [--json] [--only P1,P3]`: runs bench/run.ts through tsx.
//
// The runner's own stdout goes to our stderr: a figure's child process that prints something
// can never corrupt the one table or JSON document, which the runner writes to a result file
// and we copy to stdout at the end. Exit status: the runner's (0 even when targets are missed,
// non-zero when a figure crashed).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const resultDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fvm-bench-result-'));
const resultFile = path.join(resultDir, 'result');

const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench/run.ts'), ...process.argv.slice(2), '--result-file', resultFile], {
  cwd: root,
  stdio: ['inherit', process.stderr, process.stderr],
});

// The terminal's Ctrl-C reaches the runner too (same process group); it cleans up and exits.
const ignore = () => undefined;
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, ignore);

child.on('exit', (code, signal) => {
  let out = '';
  try {
    out = fs.readFileSync(resultFile, 'utf8');
  } catch {
    // the runner died before writing it
  }
  fs.rmSync(resultDir, { recursive: true, force: true });
  if (out) process.stdout.write(out);
  process.exitCode = code ?? (signal ? 128 + (os.constants.signals[signal] ?? 1) : 1);
});
