/** `fvm export`: a stopped VM's plan, written as one bundle file (see bundle-format.ts). */
import type { ExportResult } from '../../shared/contract.js';
import type { VmManifest, VmPaths } from '../repository.js';
import { planExport } from './export-plan.js';
import { writeBundle } from './bundle-writer.js';
import { bundleSource } from './source-info.js';

/** Exports a VM the caller holds locked and stopped. */
export async function exportVmBundle(p: VmPaths, m: VmManifest, file: string, onProgress?: (done: number, total: number) => void): Promise<ExportResult> {
  const plan = planExport(p);
  const r = await writeBundle({
    file,
    plan,
    source: bundleSource(m.owner.home),
    vm: { name: m.name, created: m.created, config: m.config },
    onProgress,
  });
  return { name: m.name, file: r.file, bytes: r.bytes, entries: r.entries, skipped: plan.skipped };
}
