#!/usr/bin/env node
// The `fvm` command: a thin entry into the bundled CLI (`npm run build` makes dist/cli.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('fvm: INTERNAL: the CLI is not built\nhint: run `npm run build` in the FVM checkout first\n');
  process.exit(1);
}
await import(bundle);
