/** Who is exporting, from what machine: the `source` of a bundle's manifest. */
import fs from 'node:fs';
import os from 'node:os';
import type { BundleSource } from './bundle-format.js';

export const FVM_VERSION = '0.1.0';

function distribution(): string {
  try {
    const text = fs.readFileSync('/etc/os-release', 'utf8');
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
    return m ? m[1] : 'unknown';
  } catch {
    return 'unknown';
  }
}

function userName(uid: number): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${uid}`;
  }
}

/** `home` is the $HOME whose paths the VM's tree holds (its owner's). */
export function bundleSource(home: string): BundleSource {
  const uid = process.getuid?.() ?? 0;
  return {
    user: userName(uid),
    uid,
    home,
    hostname: os.hostname(),
    kernel: os.release(),
    distribution: distribution(),
    fvmVersion: FVM_VERSION,
  };
}
