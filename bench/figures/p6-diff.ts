/**
 * P6: the diff of a VM with many changed files (100,000; quick 20,000) against a plain
 * `find UPPER -printf '%y %m %s %p\n'` over its upper tree.
 *
 * The VM itself creates the directory (so overlayfs copies up the chain of parents as it
 * always does); the files are then written straight into the upper tree of the stopped VM, as
 * the same user: exactly what the VM would have produced, only much faster. They are empty:
 * the diff of an added file reads no bytes, so their size does not matter here.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FigureModule } from '../figure.js';
import { figure, median } from '../figure.js';
import { upperPathOf } from '../../src/redirect/host-path.js';
import { createVm, host, interleave, openWorld, shInVm, spread, who } from '../lib/fvm-bench.js';

const VM = 'changes';
const PER_DIR = 1000;

export const p6: FigureModule = {
  ids: ['P6'],
  async run(ctx) {
    const w = openWorld(ctx);
    try {
      const files = ctx.quick ? 20_000 : 100_000;
      const reps = ctx.quick ? 3 : 5;
      const data = path.join(ctx.tmp, 'diff-data');
      await createVm(w, VM);
      await shInVm(w, VM, 'set -e; mkdir -p "$1"; echo seed > "$1/seed"', [data]);
      await w.engine.stop(VM);
      const p = w.paths(VM);
      const upperData = upperPathOf(p.fs, data);
      if (!fs.existsSync(path.join(upperData, 'seed'))) throw new Error(`the VM's write did not land in ${upperData}`);
      ctx.log(`P6: writing ${files} files into the upper tree of the stopped VM`);
      for (let d = 0; d < files / PER_DIR; d++) {
        const dir = path.join(upperData, `d${d}`);
        fs.mkdirSync(dir);
        // Empty: the diff of an added file reads no bytes, and files without data blocks are
        // created and removed far faster on a file system mounted with online discard.
        for (let i = 0; i < PER_DIR; i++) fs.closeSync(fs.openSync(path.join(dir, `f${i}`), 'w', 0o644));
      }

      let changes = 0;
      let lines = 0;
      const engineDiff = async () => {
        const t0 = performance.now();
        changes = w.engine.diff(VM).length;
        return performance.now() - t0;
      };
      const find = async () => {
        const r = await host('/usr/bin/find', [p.fs, '-printf', '%y %m %s %p\\n'], { collect: true });
        lines = r.stdout.length ? r.stdout.split('\n').length - 1 : 0;
        return r.ms;
      };
      ctx.log(`P6: 1 warm-up + ${reps} × engine.diff and find, interleaved`);
      await interleave(1, engineDiff, find);
      const r = await interleave(reps, engineDiff, find);
      if (changes < files) throw new Error(`engine.diff reported ${changes} changes, expected at least ${files}`);
      return [
        figure(
          'P6',
          median(r.a),
          median(r.b),
          'ms',
          { op: '<=', limit: 1.5 },
          `median of ${reps}, interleaved, after a warm-up of each (page cache warm), as ${who()}: ` +
            `value = engine.diff() in-process of a stopped VM with ${files} new (empty) files in ${files / PER_DIR} new dirs (${changes} changes reported) (${spread(r.a)}); ` +
            `baseline = \`find UPPER -printf '%y %m %s %p\\n'\` over the VM's whole upper tree, output read by Node (${lines} lines) (${spread(r.b)})`,
        ),
      ];
    } finally {
      await w.close();
    }
  },
};
