import fs from 'node:fs';
import path from 'node:path';

/** Bytes allocated below `dir` (st_blocks, so sparse files and whiteouts count as they cost). */
export function diskUsageSync(dir: string): number {
  let total = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop() as string;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      try {
        const st = fs.lstatSync(p);
        total += st.blocks * 512;
        if (e.isDirectory()) stack.push(p);
      } catch {
        // vanished while walking
      }
    }
  }
  return total;
}
