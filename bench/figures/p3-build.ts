/**
 * P3: a real build inside a VM against the same build on the host: untar a generated C project
 * (N small C files, a header, a Makefile), `make -j2`, link and run the program. Only the work
 * is timed, by the shell that does it (date +%s%N before and after), so launch cost is excluded.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { FigureModule } from '../figure.js';
import { figure, median } from '../figure.js';
import { createVm, host, ms, openWorld, shInVm, spread, who, type World } from '../lib/fvm-bench.js';

const VM = 'build';

/** One translation unit: a few functions with loops, a switch and a struct, enough for -O2 to chew on. */
function unitSource(k: number): string {
  const a = (k * 7919) % 251;
  const b = (k * 104729) % 241;
  const cases = Array.from({ length: 12 }, (_, i) => `    case ${i}: acc = (acc << ${(i % 5) + 1}) ^ (acc >> ${(i % 3) + 2}) ^ ${a + i}u; break;`).join('\n');
  return `#include "common.h"

struct state_${k} { unsigned long a, b; unsigned c[8]; };

static unsigned step_${k}(unsigned x, unsigned i) {
  unsigned acc = x;
  switch ((x + i) % 12) {
${cases}
    default: acc += i;
  }
  return acc * 2654435761u + ${b}u;
}

static void mix_${k}(struct state_${k} *s, unsigned long seed) {
  for (unsigned i = 0; i < 8; i++) s->c[i] = step_${k}((unsigned)(seed >> (i * 4)), i);
  for (unsigned r = 0; r < 4; r++)
    for (unsigned i = 0; i < 8; i++) s->c[i] ^= s->c[(i + r + 1) % 8] * ${a + 3}u + r;
  s->a = seed * 6364136223846793005ul + ${k}ul;
  s->b = s->a ^ (s->a >> 29);
}

static unsigned long fold_${k}(const struct state_${k} *s) {
  unsigned long h = s->a ^ s->b;
  for (unsigned i = 0; i < 8; i++) h = (h ^ s->c[i]) * 1099511628211ul;
  return h;
}

unsigned long unit_${k}(unsigned long seed) {
  struct state_${k} s;
  unsigned long h = seed;
  for (unsigned round = 0; round < 64; round++) {
    mix_${k}(&s, h + round);
    h ^= fold_${k}(&s);
  }
  return h;
}
`;
}

/** Writes the project into dir/proj and returns the tarball's path. */
async function makeProject(tmp: string, name: string, files: number): Promise<string> {
  const dir = path.join(tmp, name);
  const proj = path.join(dir, 'proj');
  fs.mkdirSync(path.join(proj, 'src'), { recursive: true });
  const decls = Array.from({ length: files }, (_, k) => `unsigned long unit_${k}(unsigned long seed);`).join('\n');
  fs.writeFileSync(path.join(proj, 'src/common.h'), `#ifndef COMMON_H\n#define COMMON_H\n${decls}\n#endif\n`);
  for (let k = 0; k < files; k++) fs.writeFileSync(path.join(proj, `src/unit${k}.c`), unitSource(k));
  const calls = Array.from({ length: files }, (_, k) => `  h ^= unit_${k}(h + ${k}ul);`).join('\n');
  fs.writeFileSync(path.join(proj, 'src/main.c'), `#include <stdio.h>\n#include "common.h"\nint main(void) {\n  unsigned long h = 1;\n${calls}\n  printf("%lx\\n", h);\n  return 0;\n}\n`);
  fs.writeFileSync(
    path.join(proj, 'Makefile'),
    [
      'CC ?= cc',
      'CFLAGS ?= -O2 -Wall',
      'SRCS := $(wildcard src/*.c)',
      'OBJS := $(SRCS:src/%.c=obj/%.o)',
      '',
      'prog: $(OBJS)',
      '\t$(CC) -o $@ $(OBJS)',
      '',
      'obj/%.o: src/%.c src/common.h | obj',
      '\t$(CC) $(CFLAGS) -c -o $@ $<',
      '',
      'obj:',
      '\tmkdir -p obj',
      '',
    ].join('\n'),
  );
  const tar = path.join(tmp, `${name}.tar`);
  await host('/usr/bin/tar', ['-cf', tar, '-C', dir, 'proj']);
  fs.rmSync(dir, { recursive: true, force: true });
  return tar;
}

/** The timed work; prints microseconds. The same script runs in the VM and on the host. */
const BUILD = `set -e
d=$1 t=$2
s=$(date +%s%N)
mkdir -p "$d"
tar -xf "$t" -C "$d"
make -s -C "$d/proj" -j2 >/dev/null
"$d/proj/prog" >/dev/null
e=$(date +%s%N)
echo $(( (e - s) / 1000 ))`;

function micros(out: string): number {
  const v = Number(out.trim().split('\n').pop());
  if (!Number.isFinite(v) || v <= 0) throw new Error(`build printed no timing: ${out}`);
  return v / 1000;
}

export const p3: FigureModule = {
  ids: ['P3'],
  async run(ctx) {
    const w: World = openWorld(ctx);
    try {
      const files = ctx.quick ? 8 : 80;
      const runs = ctx.quick ? 3 : 5;
      const tar = await makeProject(ctx.tmp, 'project', files);
      const warmTar = await makeProject(ctx.tmp, 'warm-up', 3);
      await createVm(w, VM);
      let seq = 0;
      const inVm = async (t = tar) => micros(await shInVm(w, VM, BUILD, [path.join(ctx.tmp, `vm-build-${++seq}`), t]));
      const onHost = async (t = tar) => micros((await host('/bin/sh', ['-c', BUILD, 'fvm-bench', path.join(ctx.tmp, `host-build-${++seq}`), t], { collect: true, env: w.env, cwd: w.home })).stdout);
      ctx.log(`P3: ${files} C files; a small warm-up build then ${runs} builds on each side, interleaved`);
      // Page cache: the tarball, and an untimed small build on each side (compiler, headers, libc).
      fs.readFileSync(tar);
      await inVm(warmTar);
      await onHost(warmTar);
      const vm: number[] = [];
      const hostT: number[] = [];
      for (let i = 0; i < runs; i++) {
        if (i % 2 === 0) {
          vm.push(await inVm());
          hostT.push(await onHost());
        } else {
          hostT.push(await onHost());
          vm.push(await inVm());
        }
      }
      return [
        figure(
          'P3',
          median(vm),
          median(hostT),
          'ms',
          { op: '<=', limit: 1.05 },
          `median of ${runs}, interleaved, after a small warm-up build (4 C files) on each side, as ${who()}: untar + make -j2 of ${files + 1} C files (gcc -O2) + link + run, ` +
            `timed by the shell doing it (date +%s%N), so VM start and join are excluded; value = in the VM, tree under the VM's /tmp overlay (${spread(vm)}: ${vm.map(ms).join(', ')}); ` +
            `baseline = same script on the host, same file system (${spread(hostT)}: ${hostT.map(ms).join(', ')})`,
        ),
      ];
    } finally {
      await w.close();
    }
  },
};
