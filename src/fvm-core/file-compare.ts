import fs from 'node:fs';

const A = Buffer.allocUnsafe(1 << 16);
const B = Buffer.allocUnsafe(1 << 16);

/** Byte-for-byte equality of two regular files (sizes already known equal). */
export function sameBytesSync(a: string, b: string): boolean {
  let fa: number | undefined;
  let fb: number | undefined;
  try {
    fa = fs.openSync(a, 'r');
    fb = fs.openSync(b, 'r');
    for (;;) {
      const na = fs.readSync(fa, A, 0, A.length, null);
      const nb = fs.readSync(fb, B, 0, B.length, null);
      if (na !== nb) return false;
      if (na === 0) return true;
      if (A.compare(B, 0, nb, 0, na) !== 0) return false;
    }
  } catch {
    return false;
  } finally {
    if (fa !== undefined) fs.closeSync(fa);
    if (fb !== undefined) fs.closeSync(fb);
  }
}
