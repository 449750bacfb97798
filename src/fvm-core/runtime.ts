/**
 * A VM's runtime record (run/runtime.json) and whether it is still true.
 *
 * Processes do not survive a reboot or a kill -9 of the VM's init; the record names the init by
 * pid, start time and boot id, so a stale record (any of them differs) reads as "stopped".
 */
import fs from 'node:fs';
import path from 'node:path';
import type { VmPaths } from './repository.js';
import type { NetworkMode } from '../shared/types.js';
import { writeJsonAtomicSync } from './atomic-write.js';
import { isAlive, readBootId } from './proc.js';

export interface Runtime {
  readonly initPid: number;
  readonly initStart: number;
  readonly unsharePid: number;
  readonly pidNs: string;
  readonly bootId: string;
  readonly network: NetworkMode;
  readonly fullMap: boolean;
  /**
   * Programs join a user namespace nested below the one that owns the VM's namespaces (a root
   * VM started by this version, resources/fvm-init.sh): their capabilities act on files only,
   * so a join needs no setpriv. Absent in records of older versions.
   */
  readonly nestedUserns?: boolean;
  readonly started: string;
  readonly cgroup: string | null;
  readonly slirpPid: number | null;
  readonly slirpStart: number | null;
}

export function runtimeFile(p: VmPaths): string {
  return path.join(p.run, 'runtime.json');
}

export function writeRuntime(p: VmPaths, r: Runtime): void {
  writeJsonAtomicSync(runtimeFile(p), r);
}

/** The live runtime of a VM, or null when it is stopped (or its record is stale). */
export function readLiveRuntime(p: VmPaths): Runtime | null {
  let r: Runtime;
  try {
    r = JSON.parse(fs.readFileSync(runtimeFile(p), 'utf8')) as Runtime;
  } catch {
    return null;
  }
  if (r.bootId !== readBootId()) return null;
  return isAlive(r.initPid, r.initStart) ? r : null;
}

export function readRecordedRuntime(p: VmPaths): Runtime | null {
  try {
    return JSON.parse(fs.readFileSync(runtimeFile(p), 'utf8')) as Runtime;
  } catch {
    return null;
  }
}

export function isSuspendedMarker(p: VmPaths): boolean {
  return fs.existsSync(path.join(p.run, 'suspended'));
}
