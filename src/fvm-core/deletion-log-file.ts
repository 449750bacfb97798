import { deletionLogOf, serializeDeletionLog } from '../redirect/deletion-log.js';
import { sourceDirs, type VmPaths } from './repository.js';
import { walkUpper } from './upper-walk.js';
import { writeFileAtomicSync } from './atomic-write.js';

/** Mirrors the VM's whiteouts and opaque dirs into vms/<id>/deleted.log (portable form). */
export function writeDeletionLog(p: VmPaths): void {
  const [own, ...layers] = sourceDirs(p);
  const { entries } = walkUpper(own, layers);
  writeFileAtomicSync(p.deletedLog, serializeDeletionLog(deletionLogOf(entries)));
}
