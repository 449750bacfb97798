/** Builds the parentage tree of a VM's processes from flat ProcessInfo rows (by ppid). */
import type { ProcessInfo } from '../../src/shared/types.js';

export interface TreeRow<P extends ProcessInfo = ProcessInfo> {
  readonly process: P;
  readonly depth: number;
  /** True when this row is the last child of its parent (draws └ instead of ├). */
  readonly last: boolean;
  /** Box-drawing guide before the command, e.g. `│  └─ `; empty for roots. */
  readonly guide: string;
}

/** Depth-first rows, children sorted by pid; a process whose parent is not listed is a root. */
export function processTree<P extends ProcessInfo>(processes: readonly P[]): TreeRow<P>[] {
  const byPid = new Map<number, P>();
  for (const p of processes) byPid.set(p.pid, p);
  const children = new Map<number, P[]>();
  const roots: P[] = [];
  for (const p of byPid.values()) {
    if (p.ppid !== p.pid && byPid.has(p.ppid)) {
      const list = children.get(p.ppid);
      if (list) list.push(p);
      else children.set(p.ppid, [p]);
    } else {
      roots.push(p);
    }
  }
  const rows: TreeRow<P>[] = [];
  const seen = new Set<number>();
  walk(roots, children, rows, seen);
  // Rows caught in a ppid cycle have no root: show them flat rather than lose them.
  const orphans = [...byPid.values()].filter((p) => !seen.has(p.pid));
  if (orphans.length > 0) walk(orphans, new Map(), rows, seen);
  return rows;
}

function walk<P extends ProcessInfo>(roots: P[], children: ReadonlyMap<number, P[]>, rows: TreeRow<P>[], seen: Set<number>): void {
  // Iterative, so a deep chain cannot overflow the stack; `seen` guards against ppid cycles.
  // `trail` is the guide inherited by this row's children: a bar under each ancestor that has
  // siblings still to come.
  const stack: { p: P; depth: number; last: boolean; trail: string }[] = roots
    .sort((a, b) => a.pid - b.pid)
    .reverse()
    .map((p, i) => ({ p, depth: 0, last: i === 0, trail: '' }));
  while (stack.length > 0) {
    const { p, depth, last, trail } = stack.pop()!;
    if (seen.has(p.pid)) continue;
    seen.add(p.pid);
    const guide = depth === 0 ? '' : `${trail}${last ? '└─ ' : '├─ '}`;
    rows.push({ process: p, depth, last, guide });
    const childTrail = depth === 0 ? '' : `${trail}${last ? '   ' : '│  '}`;
    const kids = (children.get(p.pid) ?? []).slice().sort((a, b) => a.pid - b.pid);
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ p: kids[i], depth: depth + 1, last: i === kids.length - 1, trail: childTrail });
  }
}
