/**
 * risk-rising: a process's own memory share rose by at least `increase` ‰ within `within`. The series
 * holds the share with oom_score_adj left out, so a process whose adj is raised does not "rise".
 */
import { z } from 'zod';
import type { ProcessSample } from '../../model/snapshot.js';
import { formatDurationMs } from '../../util/duration.js';
import { formatBytes } from '../../util/format.js';
import { durationMs } from '../../util/schema-helpers.js';
import { riseSince, riseWithin, seriesOf, usageShare } from '../history.js';
import { cgroupHeadroomBytes, domainText, type KindContext, nameOf, permille, tightestDomain } from './context.js';
import { commonFields, permilleField } from './fields.js';
import { processEvaluator, type ProcessKind } from './process-observe.js';
import { clearNotAbove, type Compiled, defineKind } from './spec.js';
import { formatEta } from './time-to-oom.js';

const schema = z
  .object({
    ...commonFields,
    kind: z.literal('risk-rising'),
    /** Fires when risk rose by at least this many per mille within `within`. */
    increase: permilleField('increase'),
    clearIncrease: permilleField('clearIncrease').optional(),
    within: durationMs('within').default(600_000),
  })
  .strict();

type Rule = Compiled<z.output<typeof schema>>;

/**
 * When the process's tightest domain fills at the rate its share rose: the domain's headroom over the
 * growth in bytes per second. Undefined when it cannot be told.
 */
function etaOfRise(r: Rule, p: ProcessSample, ctx: KindContext): number | undefined {
  const rise = riseSince(seriesOf(ctx.history, p), r.within, ctx.snapshot.takenAtMs);
  if (!rise || rise.rise <= 0 || rise.overMs <= 0) return undefined;
  const d = tightestDomain(p, ctx);
  let totalBytes = ctx.index.hostTotalBytes;
  let headroomBytes = ctx.snapshot.memory.memAvailableBytes + ctx.snapshot.memory.swapFreeBytes;
  if (d.kind === 'cgroup') {
    const domain = ctx.snapshot.domains.find((x) => x.kind === 'cgroup' && x.id === d.path);
    const cg = ctx.snapshot.cgroups.find((c) => c.path === d.path);
    if (!domain || !cg) return undefined;
    totalBytes = domain.totalBytes;
    headroomBytes = cgroupHeadroomBytes(cg);
  }
  const bytesPerMs = (rise.rise * totalBytes) / 1000 / rise.overMs;
  return Math.max(0, headroomBytes) / bytesPerMs;
}

const riskRising: ProcessKind<Rule> = {
  // The series holds the process's own share, oom_score_adj left out: a browser moving a tab's renderer
  // from adj 300 to 1000 does not "rise".
  measure: (r, p, ctx) => riseWithin(seriesOf(ctx.history, p), r.within, ctx.snapshot.takenAtMs),
  cannotRaise: (_r, p, ctx, raise) => {
    const s = seriesOf(ctx.history, p);
    return !s || s.a[s.a.length - 1] - s.minA < raise;
  },
  raise: (r) => r.increase,
  clear: (r) => r.clearIncrease ?? r.increase / 2,
  describe: (r, p, v, ctx) => {
    const where = domainText(tightestDomain(p, ctx));
    const etaMs = etaOfRise(r, p, ctx);
    const details = [
      { label: 'rise', value: permille(v) },
      { label: 'share now', value: `${permille(usageShare(p, ctx.index))} of ${where}` },
      { label: 'RSS + swap', value: formatBytes(p.rssBytes + p.swapBytes) },
    ];
    if (etaMs !== undefined) details.push({ label: 'predicted', value: `${where} full in ${formatEta(etaMs)}` });
    return {
      summary: `${nameOf(p)} memory share rose ${permille(v)} within ${formatDurationMs(r.within)} (now ${permille(usageShare(p, ctx.index))} of ${where})${etaMs !== undefined ? `; ${where} full in ${formatEta(etaMs)} at this rate` : ''}`,
      details,
      ...(etaMs !== undefined ? { etaMs } : {}),
    };
  },
};

export const riskRisingKind = defineKind({
  schema,
  checks: (r) => clearNotAbove('clearIncrease', r.clearIncrease, r.increase),
  windows: (r) => ({ key: 'within', ms: r.within, keeps: ['process'] }),
  scope: 'process',
  evaluate: processEvaluator(riskRising),
});
