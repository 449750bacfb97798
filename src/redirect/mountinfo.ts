import { readFileSync } from 'node:fs';

export interface MountEntry {
  readonly mountPoint: string;
  readonly fsType: string;
  readonly source: string;
}

/** mountinfo escapes blank, tab, newline and backslash as octal (`\040`). */
export function decodeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Parses the text of /proc/PID/mountinfo. */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-', 6);
    if (sep < 0 || fields.length < sep + 3) continue;
    out.push({
      mountPoint: decodeMountField(fields[4]),
      fsType: fields[sep + 1],
      source: decodeMountField(fields[sep + 2]),
    });
  }
  return out;
}

export function readMountsSync(): MountEntry[] {
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'));
}

/** True when some mount point lies strictly below `dir`. */
export function hasChildMounts(mounts: readonly MountEntry[], dir: string): boolean {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  return mounts.some((m) => m.mountPoint !== dir && m.mountPoint.startsWith(prefix));
}
