/** One measured figure of `npm run bench`: value and baseline come from the same run. */
export interface Figure {
  readonly id: string;
  readonly value: number;
  readonly baseline: number;
  /** value / baseline */
  readonly ratio: number;
  readonly unit: string;
  readonly note: string;
  /** The target, e.g. "<= 1.2". */
  readonly target: string;
  readonly pass: boolean;
}

export interface BenchContext {
  readonly quick: boolean;
  /** A fresh temporary directory the figure may use; removed after the run. */
  readonly tmp: string;
  log(message: string): void;
}

export interface FigureModule {
  readonly ids: readonly string[];
  run(ctx: BenchContext): Promise<Figure[]>;
}

export function figure(
  id: string,
  value: number,
  baseline: number,
  unit: string,
  target: { op: '<=' | '>='; limit: number },
  note: string,
): Figure {
  const ratio = baseline === 0 ? Number.POSITIVE_INFINITY : value / baseline;
  const pass = target.op === '<=' ? ratio <= target.limit : ratio >= target.limit;
  return { id, value, baseline, ratio, unit, note, target: `${target.op} ${target.limit}`, pass };
}

/** Median of repeated timings, in ms. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
