/**
 * P10: export of a VM holding 1 GiB (quick: 100 MiB) to a bundle, against `tar -czf` of its
 * upper tree; P10b: import of that bundle as a new VM, against `tar -xzf` of that tarball.
 * Target for both: ratio <= 1.1.
 *
 * The data are half random bytes (incompressible, like binaries and media) and half base64 text
 * (compressible), written by a program inside the VM. Both sides use gzip level 6. The engine's
 * side does more than tar's, and the note says so: export fsyncs the bundle before renaming it
 * into place, hashes every file (sha256) and flattens shared layers; import verifies every
 * checksum, relocates, rebuilds whiteouts and writes the VM's manifest.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FigureModule } from '../figure.js';
import { figure, median } from '../figure.js';
import { createVm, host, interleave, mib, ms, openWorld, removeTree, shInVm, spread, syncDisks, who } from '../lib/fvm-bench.js';

const VM = 'bundle-src';

/** FILES files of SIZE bytes under ROOT, 64 per directory: even ones random, odd ones base64 text. */
const GENERATE = `set -e
root=$1 files=$2 size=$3
i=0
while [ "$i" -lt "$files" ]; do
  d="$root/d$((i / 64))"
  mkdir -p "$d"
  if [ $((i % 2)) -eq 0 ]; then
    head -c "$size" /dev/urandom > "$d/f$i.bin"
  else
    head -c "$size" /dev/urandom | base64 -w 76 | head -c "$size" > "$d/f$i.txt"
  fi
  i=$((i + 1))
done`;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  syncDisks();
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export const p10: FigureModule = {
  ids: ['P10', 'P10b'],
  async run(ctx) {
    const w = openWorld(ctx);
    try {
      const total = ctx.quick ? 100 * 2 ** 20 : 2 ** 30;
      const files = ctx.quick ? 100 : 1024;
      const size = Math.floor(total / files);
      const reps = ctx.quick ? 2 : 3;
      await createVm(w, VM);
      ctx.log(`P10: writing ${files} files of ${size} bytes (${mib(files * size)}) inside VM '${VM}'`);
      await shInVm(w, VM, GENERATE, [path.join(w.home, 'p10-data'), String(files), String(size)]);
      await w.engine.stop(VM);
      const upper = w.paths(VM).fs;
      const bundle = path.join(ctx.tmp, 'p10.fvm');
      const tarball = path.join(ctx.tmp, 'p10.tar.gz');

      ctx.log(`P10: ${reps} × export and tar -czf, interleaved`);
      const exp = await interleave(
        reps,
        () => timed(() => w.engine.exportVm(VM, bundle)),
        () => timed(() => host('/bin/tar', ['-czf', tarball, '-C', upper, '.'])),
      );
      const bundleBytes = fs.statSync(bundle).size;
      const tarBytes = fs.statSync(tarball).size;

      ctx.log(`P10b: ${reps} × import and tar -xzf, interleaved (each result removed, untimed)`);
      let n = 0;
      const imp = await interleave(
        reps,
        async () => {
          const name = `imported-${++n}`;
          const t = await timed(() => w.engine.importVm(bundle, name));
          await w.engine.delete(name);
          return t;
        },
        async () => {
          const dir = path.join(ctx.tmp, `untar-${++n}`);
          fs.mkdirSync(dir);
          const t = await timed(() => host('/bin/tar', ['-xzf', tarball, '-C', dir]));
          removeTree(dir);
          return t;
        },
      );
      const data = `${files} files of ${size} B = ${mib(files * size)} (half random, half base64 text), written in the VM`;
      return [
        figure(
          'P10',
          median(exp.a),
          median(exp.b),
          'ms',
          { op: '<=', limit: 1.1 },
          `median of ${reps}, interleaved, sync before each, as ${who()}: value = engine.exportVm() of a stopped VM holding ${data} ` +
            `(${spread(exp.a)}: ${exp.a.map(ms).join(', ')}; bundle ${mib(bundleBytes)}; includes sha256 of every file and fsync + rename of the bundle); ` +
            `baseline = \`tar -czf\` of the VM's upper tree (${spread(exp.b)}: ${exp.b.map(ms).join(', ')}; tarball ${mib(tarBytes)}; no fsync)`,
        ),
        figure(
          'P10b',
          median(imp.a),
          median(imp.b),
          'ms',
          { op: '<=', limit: 1.1 },
          `median of ${reps}, interleaved, sync before each, as ${who()}: value = engine.importVm() of that bundle as a new VM ` +
            `(${spread(imp.a)}: ${imp.a.map(ms).join(', ')}; staged, every sha256 verified, then renamed into place); ` +
            `baseline = \`tar -xzf\` of the tarball into a fresh directory (${spread(imp.b)}: ${imp.b.map(ms).join(', ')})`,
        ),
      ];
    } finally {
      await w.close();
    }
  },
};
