/** Bucketing of change-only history into fixed series for sparklines and charts. Pure. */

/** Number of buckets a report's window is cut into. */
export const BUCKETS = 30;

/**
 * The value holding at the end of each bucket, from change-only rows (each row holds until the next).
 * null before the first row and from the bucket where the process had ended.
 * @example carrySeries([{tsMs: 10, v: 1}, {tsMs: 60, v: 2}], 0, 50, 2, null, (r) => r.v) // [1, 2]
 */
export function carrySeries<T extends { tsMs: number }>(
  rows: readonly T[],
  fromMs: number,
  bucketMs: number,
  n: number,
  endedMs: number | null,
  value: (r: T) => number,
): (number | null)[] {
  const out: (number | null)[] = [];
  let i = 0;
  let cur: number | null = null;
  for (let b = 0; b < n; b++) {
    const end = fromMs + (b + 1) * bucketMs;
    while (i < rows.length && rows[i].tsMs <= end) cur = value(rows[i++]);
    out.push(endedMs !== null && endedMs <= fromMs + b * bucketMs ? null : cur);
  }
  return out;
}

/**
 * Aggregates points (each at an instant) per bucket with `pick` (e.g. Math.min). An empty bucket is null,
 * unless the last point before it is less than `holdMs` old: with buckets shorter than the sampling
 * interval (a 3-minute window at 10-second ticks gives 6-second buckets) most buckets hold no tick, and
 * the value sampled last still holds there. A longer silence (a gap) stays null.
 * @example bucketSeries([{tsMs: 0, v: 1}, {tsMs: 10, v: 2}], 0, 4, 4, (p) => p.v, Math.max, 15) // [1, 1, 2, 2]
 */
export function bucketSeries<T extends { tsMs: number }>(
  points: readonly T[],
  fromMs: number,
  bucketMs: number,
  n: number,
  value: (p: T) => number | null,
  pick: (a: number, b: number) => number,
  holdMs = 0,
): (number | null)[] {
  const out: (number | null)[] = new Array(n).fill(null);
  const lastAt: (number | null)[] = new Array(n).fill(null);
  for (const p of points) {
    const b = Math.min(n - 1, Math.max(0, Math.floor((p.tsMs - fromMs) / bucketMs)));
    const v = value(p);
    if (v === null) continue;
    const prev = out[b];
    out[b] = prev === null ? v : pick(prev, v);
    lastAt[b] = Math.max(lastAt[b] ?? -Infinity, p.tsMs);
  }
  if (holdMs > 0) {
    let held: { v: number; tsMs: number } | null = null;
    for (let b = 0; b < n; b++) {
      const v = out[b];
      if (v !== null) held = { v, tsMs: lastAt[b]! };
      else if (held && fromMs + b * bucketMs - held.tsMs < holdMs) out[b] = held.v;
    }
  }
  return out;
}

/**
 * How long a sampled value holds: 1.5 times the typical (median) spacing of the ticks, so a late tick
 * still joins the line and a gap of several intervals does not. 0 with fewer than two ticks.
 */
export function holdMsOf(tickTimes: readonly number[]): number {
  if (tickTimes.length < 2) return 0;
  const steps = tickTimes
    .slice(1)
    .map((t, i) => t - tickTimes[i])
    .sort((a, b) => a - b);
  return Math.round(steps[steps.length >> 1] * 1.5);
}

/** 'rising' when the last value is over 10 % above the first, 'falling' when 10 % below. */
export function directionOf(series: readonly (number | null)[]): 'rising' | 'falling' | 'flat' {
  const vals = series.filter((v): v is number => v !== null);
  if (vals.length < 2) return 'flat';
  const [a, b] = [vals[0], vals[vals.length - 1]];
  if (b > a * 1.1 && b - a > 1024 * 1024) return 'rising';
  if (b < a * 0.9 && a - b > 1024 * 1024) return 'falling';
  return 'flat';
}
