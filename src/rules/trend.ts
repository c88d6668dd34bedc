/**
 * Straight-line fits for time-to-oom (pure). A steady leak is a straight line in a cgroup's usage or in
 * the host's headroom, so the prediction fits least-squares lines over the newest points: the last 5,
 * 10, 20, 40 and 80 points and the whole window. The shortest fits see a leak that started seconds ago
 * (a pod that dies within a minute), the longest a slow one through noise. A fit may raise an alert only
 * when it has at least MIN_FIT_POINTS points over MIN_FIT_SPAN_MS and the line explains MIN_FIT_R2 of
 * the variance: one step (a cache filled at once) or noise around a plateau does not pass.
 */
import type { Series } from './history.js';

export const MIN_FIT_POINTS = 5;
export const MIN_FIT_SPAN_MS = 5_000;
/** R²: the share of the points' variance the line explains. A single step among 5 points explains at most 0.75. */
export const MIN_FIT_R2 = 0.9;
const SUFFIXES = [5, 10, 20, 40, 80];
/** R² a process's RSS line must reach over rss-growth's window before a leak is called (a GC sawtooth still passes). */
export const MIN_GROWTH_R2 = 0.8;

export interface LineFit {
  /** Change of `a` per second. */
  slopePerSecond: number;
  /** 0..1; 0 for a flat series. */
  r2: number;
  points: number;
  spanMs: number;
}

/**
 * Least-squares line of `a` (or of `b`, with `of: 'b'`) over the points from index `from` to the newest;
 * null with fewer than 2 points or no time between them.
 */
export function fitLine(s: Series, from: number, of: 'a' | 'b' = 'a'): LineFit | null {
  const v = s[of];
  const last = s.t.length - 1;
  const n = last - from + 1;
  if (n < 2) return null;
  const t0 = s.t[last];
  let st = 0;
  let sa = 0;
  for (let i = from; i <= last; i++) {
    st += s.t[i] - t0;
    sa += v[i];
  }
  const mt = st / n;
  const ma = sa / n;
  let stt = 0;
  let sta = 0;
  let saa = 0;
  for (let i = from; i <= last; i++) {
    const dt = s.t[i] - t0 - mt;
    const da = v[i] - ma;
    stt += dt * dt;
    sta += dt * da;
    saa += da * da;
  }
  if (stt === 0) return null;
  return { slopePerSecond: (sta / stt) * 1000, r2: saa === 0 ? 0 : (sta * sta) / (stt * saa), points: n, spanMs: s.t[last] - s.t[from] };
}

export interface Trend {
  /** The steepest fit in the asked direction among those good enough to raise an alert; null when none is. */
  steepest: LineFit | null;
  /** The fit over the whole window, whatever its quality (it may keep an alert firing, never raise one). */
  whole: LineFit;
}

/** Index of the first point at or after `fromMs`. */
export function firstAtOrAfter(s: Series, fromMs: number): number {
  let i = 0;
  while (i < s.t.length && s.t[i] < fromMs) i++;
  return i;
}

/**
 * The trend of `a` within the window before `nowMs`. `direction` is the way that means danger: -1 for a
 * falling headroom, +1 for a rising usage. Null until the window holds MIN_FIT_POINTS points over
 * MIN_FIT_SPAN_MS.
 */
export function trendOf(s: Series | undefined, windowMs: number, nowMs: number, direction: -1 | 1): Trend | null {
  if (!s) return null;
  const last = s.t.length - 1;
  const from = firstAtOrAfter(s, nowMs - windowMs);
  if (last - from + 1 < MIN_FIT_POINTS || s.t[last] - s.t[from] < MIN_FIT_SPAN_MS) return null;
  const whole = fitLine(s, from);
  if (!whole) return null;
  let steepest: LineFit | null = null;
  const consider = (f: LineFit | null) => {
    if (!f || f.points < MIN_FIT_POINTS || f.spanMs < MIN_FIT_SPAN_MS || f.r2 < MIN_FIT_R2) return;
    if (!steepest || f.slopePerSecond * direction > steepest.slopePerSecond * direction) steepest = f;
  };
  for (const k of SUFFIXES) if (last - k + 1 > from) consider(fitLine(s, last - k + 1));
  consider(whole);
  return { steepest, whole };
}
