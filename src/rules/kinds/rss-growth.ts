/** rss-growth: a process's RSS + swap grows at least `bytesPerSecond`, as a line over `over` (a leak). */
import { z } from 'zod';
import { formatDurationMs } from '../../util/duration.js';
import { formatBytes } from '../../util/format.js';
import { durationMs, sizeBytes } from '../../util/schema-helpers.js';
import { ratePerSecondB, seriesOf } from '../history.js';
import { firstAtOrAfter, fitLine, MIN_GROWTH_R2 } from '../trend.js';
import { nameOf } from './context.js';
import { commonFields } from './fields.js';
import { processEvaluator, type ProcessKind } from './process-observe.js';
import { clearNotAbove, type Compiled, defineKind } from './spec.js';

const schema = z
  .object({
    ...commonFields,
    kind: z.literal('rss-growth'),
    /** Fires when RSS+swap grows at least this fast (bytes per second, or a size such as "2MiB"), measured over `over`. */
    bytesPerSecond: sizeBytes('bytesPerSecond'),
    clearBytesPerSecond: sizeBytes('clearBytesPerSecond').optional(),
    over: durationMs('over').default(600_000),
    /** Ignore processes smaller than this (a small process doubling is not a leak worth a page). */
    minRssBytes: sizeBytes('minRssBytes').default(64 * 1024 * 1024),
  })
  .strict();

type Rule = Compiled<z.output<typeof schema>>;

const rssGrowth: ProcessKind<Rule> = {
  measure: (r, p, ctx) => {
    if (p.rssBytes + p.swapBytes < r.minRssBytes) return 0;
    // b is RSS + swap (history.ts); the rate over the whole window smooths out a single spike.
    return ratePerSecondB(seriesOf(ctx.history, p), r.over, ctx.snapshot.takenAtMs);
  },
  // A leak is a line: RSS wobbling around a plateau (a 40 GiB database moving a few hundred MiB either
  // way) can show a fast rise between two points, but a line fitted through the window explains little of it.
  trusted: (r, p, ctx) => {
    const s = seriesOf(ctx.history, p);
    const fit = s ? fitLine(s, firstAtOrAfter(s, ctx.snapshot.takenAtMs - r.over), 'b') : null;
    return fit !== null && fit.slopePerSecond > 0 && fit.r2 >= MIN_GROWTH_R2;
  },
  raise: (r) => r.bytesPerSecond,
  clear: (r) => r.clearBytesPerSecond ?? r.bytesPerSecond / 2,
  // The rate needs at least half the window, so it is at most (newest - lowest) / (window / 2).
  cannotRaise: (r, p, ctx, raise) => {
    if (p.rssBytes + p.swapBytes < r.minRssBytes) return true;
    const s = seriesOf(ctx.history, p);
    return !s || ((s.b[s.b.length - 1] - s.minB) / (r.over / 2)) * 1000 < raise;
  },
  describe: (r, p, v) => ({
    summary: `${nameOf(p)} RSS growing ${formatBytes(v)}/s over ${formatDurationMs(r.over)} (now ${formatBytes(p.rssBytes + p.swapBytes)})`,
    details: [
      { label: 'growth', value: `${formatBytes(v)}/s` },
      { label: 'RSS', value: formatBytes(p.rssBytes) },
      { label: 'swap', value: formatBytes(p.swapBytes) },
    ],
  }),
};

export const rssGrowthKind = defineKind({
  schema,
  checks: (r) => [
    ...clearNotAbove('clearBytesPerSecond', r.clearBytesPerSecond, r.bytesPerSecond),
    ...(r.bytesPerSecond <= 0 ? [{ key: 'bytesPerSecond', message: 'bytesPerSecond must be above 0, e.g. "1MiB".' }] : []),
  ],
  windows: (r) => ({ key: 'over', ms: r.over, keeps: ['process'] }),
  scope: 'process',
  evaluate: processEvaluator(rssGrowth),
});
