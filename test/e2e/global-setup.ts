import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** Builds the CLI and the app once per run (FVM_E2E_SKIP_BUILD=1 reuses what is there). */
export default function globalSetup(): void {
  if (process.env.FVM_E2E_SKIP_BUILD === '1') return;
  const root = path.resolve(import.meta.dirname, '../..');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm run build failed (exit ${r.status})`);
}
