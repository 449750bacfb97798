/**
 * P4: commit of a VM that created many files (10,000 files / 1 GiB; quick 2,000 / 100 MiB)
 * against `cp -a` of its upper tree (and, in the note, `mv` of it). The data land under
 * ctx.tmp, on the file system of FVM_HOME, so the commit may move files with rename(2).
 *
 * P5: copy of that VM (engine.copy) against the copy of a VM holding 10 small files: a copy
 * whose cost does not grow with the VM's size gives a ratio near 1. `cp -a` of the big tree
 * is in the note.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FigureModule } from '../figure.js';
import { figure, median } from '../figure.js';
import { createVm, host, mib, ms, openWorld, removeTree, shInVm, speedupFigure, spread, syncDisks, who } from '../lib/fvm-bench.js';

/** P4 commits this one (and uncommits it again between repetitions). */
const BIG = 'big';
/**
 * P5 copies this one: the same changes, but no commit history (every command reads the commit
 * records). Its upper tree is the last `cp -a` copy of BIG's, moved into place while it is
 * stopped: exactly the tree the same program would have left in it.
 */
const BIG_COPY = 'big-for-copy';
const SMALL = 'small';

/** Creates DIRS directories of PER files of SIZE random bytes under ROOT: one `split` per directory. */
const GENERATE = `set -e
root=$1 dirs=$2 per=$3 size=$4
mkdir -p "$root"
i=0
while [ "$i" -lt "$dirs" ]; do
  mkdir "$root/d$i"
  head -c $((per * size)) /dev/urandom | split -b "$size" -a 3 -d - "$root/d$i/f"
  i=$((i + 1))
done`;

const SMALL_FILES = `set -e
mkdir -p "$1"
for i in 0 1 2 3 4 5 6 7 8 9; do echo "small file $i" > "$1/f$i"; done`;

function countFiles(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop() as string;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile()) {
        files++;
        bytes += fs.lstatSync(p).size;
      }
    }
  }
  return { files, bytes };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  syncDisks();
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export const p4p5: FigureModule = {
  ids: ['P4', 'P5'],
  async run(ctx) {
    const w = openWorld(ctx);
    try {
      const files = ctx.quick ? 2000 : 10_000;
      const total = ctx.quick ? 100 * 2 ** 20 : 2 ** 30;
      const dirs = files / 100;
      const size = Math.floor(total / files);
      const target = path.join(ctx.tmp, 'commit-target');
      const smallTarget = path.join(ctx.tmp, 'small-target');
      await createVm(w, BIG);
      ctx.log(`P4/P5: creating ${files} files of ${size} bytes (${mib(files * size)}) inside VM '${BIG}'`);
      await shInVm(w, BIG, GENERATE, [target, String(dirs), '100', String(size)]);
      await w.engine.stop(BIG);
      const upper = countFiles(w.paths(BIG).fs);
      if (upper.files < files) throw new Error(`the upper tree of VM '${BIG}' holds ${upper.files} files, expected ${files}`);
      await createVm(w, BIG_COPY);
      await createVm(w, SMALL);
      await shInVm(w, SMALL, SMALL_FILES, [smallTarget]);
      await w.engine.stop(SMALL);
      const bigFs = w.paths(BIG).fs;

      const reps = 3;
      // Each cp -a copy costs its removal too (slow on a file system with online discard).
      const cpReps = ctx.quick ? 2 : 3;
      // P4's baselines first, while the upper tree still is the VM's whole state (a copy may
      // freeze it into a shared layer).
      const cpA: number[] = [];
      const mv: number[] = [];
      ctx.log(`P4: ${cpReps} × cp -a and mv of the upper tree, then ${reps} × commit (each followed by an untimed uncommit)`);
      for (let i = 0; i < cpReps; i++) {
        const cpDst = path.join(ctx.tmp, `cp-a-${i}`);
        const mvDst = path.join(ctx.tmp, `mv-${i}`);
        cpA.push(await timed(() => host('/bin/cp', ['-a', bigFs, cpDst])));
        mv.push(await timed(() => host('/bin/mv', [cpDst, mvDst])));
        const copied = countFiles(mvDst);
        if (copied.files < files) throw new Error(`cp -a copied ${copied.files} files, expected ${files}`);
        if (i < cpReps - 1) removeTree(mvDst);
        else {
          // The last copy becomes the upper tree of the (never started) VM that P5 copies.
          const cp2 = w.paths(BIG_COPY);
          fs.rmdirSync(cp2.fs);
          fs.renameSync(mvDst, cp2.fs);
          const big = w.paths(BIG);
          for (const f of [big.baseline, big.deletedLog]) if (fs.existsSync(f)) fs.copyFileSync(f, path.join(cp2.dir, path.basename(f)));
        }
      }

      // P4: commit; uncommit (untimed) puts the files back into the VM for the next one.
      const commits: number[] = [];
      let applied = 0;
      for (let i = 0; i < reps; i++) {
        commits.push(
          await timed(async () => {
            const r = await w.engine.commit(BIG, {});
            applied = r.applied.length;
          }),
        );
        const onHost = countFiles(target);
        if (onHost.files !== files || onHost.bytes !== files * size) throw new Error(`after commit ${i + 1} the host holds ${onHost.files} files / ${onHost.bytes} bytes, expected ${files} / ${files * size}`);
        await w.engine.uncommit(BIG);
      }
      if (fs.existsSync(target)) throw new Error(`uncommit left ${target} on the host`);
      const back = countFiles(bigFs);
      if (back.files < files) throw new Error(`after uncommit the VM's upper tree holds ${back.files} files, expected ${files}`);

      // P5: copies of the big and of the small VM, interleaved; each copy deleted (untimed).
      const copyBig: number[] = [];
      const copySmall: number[] = [];
      ctx.log(`P5: ${reps} × engine.copy of '${BIG_COPY}' and of '${SMALL}', interleaved`);
      for (let i = 0; i < reps; i++) {
        const bigCopy = async () => {
          copyBig.push(await timed(() => w.engine.copy(BIG_COPY, `big-copy-${i}`)));
          await w.engine.delete(`big-copy-${i}`);
        };
        const smallCopy = async () => {
          copySmall.push(await timed(() => w.engine.copy(SMALL, `small-copy-${i}`)));
          await w.engine.delete(`small-copy-${i}`);
        };
        if (i % 2 === 0) {
          await bigCopy();
          await smallCopy();
        } else {
          await smallCopy();
          await bigCopy();
        }
      }
      const commit = median(commits);
      const cp = median(cpA);
      const mvm = median(mv);
      const size1 = `${files} files of ${size} B = ${mib(files * size)} (${dirs} dirs), created in the VM with head -c /dev/urandom | split`;
      return [
        speedupFigure(
          'P4',
          commit,
          cp,
          'ms',
          10,
          `RATIO HERE IS cp_a / commit (speed-up; target: commit >= 10x faster than cp -a). as ${who()}, sync before each: ` +
            `value = median of ${reps} engine.commit() of a stopped VM holding ${size1}, ${applied} changes applied, target dir on the store's file system (rename(2)); ` +
            `commits ${commits.map(ms).join(', ')} (each followed by an untimed uncommit that puts the files back); ` +
            `baseline = median of ${cpReps} \`cp -a\` of the VM's whole upper tree to a fresh dir, before any commit or copy (${cpA.map(ms).join(', ')}); ` +
            `baseline 2 = \`mv\` of that tree copy to a fresh name on the same fs: median ${ms(mvm)} (${spread(mv)}), i.e. commit = ${(commit / mvm).toFixed(0)}x mv`,
        ),
        figure(
          'P5',
          median(copyBig),
          median(copySmall),
          'ms',
          { op: '<=', limit: 1.2 },
          `ratio = copy time of the big VM / of a small VM (target: copy time independent of the VM's size). median of ${reps}, interleaved, sync before each, as ${who()}: ` +
            `value = engine.copy() of a stopped VM holding the same ${files} files / ${mib(files * size)} (its upper tree is P4's last cp -a copy), never committed (${spread(copyBig)}: ${copyBig.map(ms).join(', ')}); ` +
            `baseline = engine.copy() of a VM holding 10 small files (${spread(copySmall)}); each copy deleted again, untimed; ` +
            `for scale, \`cp -a\` of an upper tree of the same size (P4's baseline): median ${ms(cp)}, so engine.copy = ${(median(copyBig) / cp).toFixed(3)}x cp -a`,
        ),
      ];
    } finally {
      await w.close();
    }
  },
};
