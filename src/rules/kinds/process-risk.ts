/**
 * process-risk: a process's risk (‰ of its OOM domain's total) at or above a threshold. Risk thresholds
 * are on the normalised risk in per mille, never on the raw oom_score (DESIGN.md "oom_score has two scales").
 */
import { z } from 'zod';
import type { ProcessSample } from '../../model/snapshot.js';
import { formatDurationMs } from '../../util/duration.js';
import { formatBytes } from '../../util/format.js';
import { hostShare, maxRisk, usageShare } from '../history.js';
import { domainText, type KindContext, nameOf, permille, tightestDomain } from './context.js';
import { commonFields, permilleField } from './fields.js';
import { processEvaluator, type ProcessKind } from './process-observe.js';
import { clearNotAbove, type Compiled, defineKind, noWindows } from './spec.js';

const schema = z
  .object({
    ...commonFields,
    kind: z.literal('process-risk'),
    /** Fires when the process's risk (‰ of its OOM domain's total) is at or above this. */
    above: permilleField('above'),
    /** Stops firing below this; default: above - 50 ‰. */
    clearBelow: permilleField('clearBelow').optional(),
    /** Which domain's risk: the host's, the process's cgroup domain, or the larger of the two (default). */
    domain: z.enum(['host', 'cgroup', 'max']).default('max'),
    /**
     * badness (default): the kernel's score, oom_score_adj included (a process with adj 1000 reads 1000 ‰
     * and more). usage: the process's own memory share, adj left out (what it really holds).
     */
    basis: z.enum(['badness', 'usage']).default('badness'),
  })
  .strict();

type Rule = Compiled<z.output<typeof schema>>;

const RANKING_SLACK = 5;

const riskIn = (rule: Rule, p: ProcessSample, ctx: KindContext): number => {
  if (rule.basis === 'usage') {
    if (rule.domain === 'host') return hostShare(p, ctx.index);
    if (rule.domain === 'cgroup') return ctx.index.cgroupShareByPid.get(p.pid)?.share ?? 0;
    return usageShare(p, ctx.index);
  }
  if (rule.domain === 'host') return p.risk;
  if (rule.domain === 'cgroup') return ctx.index.cgroupRiskByPid.get(p.pid) ?? 0;
  return maxRisk(p, ctx.index);
};

const processRisk: ProcessKind<Rule> = {
  measure: riskIn,
  raise: (r) => r.above,
  clear: (r) => r.clearBelow ?? Math.max(0, r.above - 50),
  // Rankings are sorted by badness in bytes, highest first (sample/rank.ts), and risk is badness per mille
  // of the domain's total, so walking each ranking down to the threshold finds every process at the raise
  // level. The host ranking shows the kernel's oom_score-derived risk (1 ‰ resolution, read a moment
  // apart from the bytes), so the walk goes RANKING_SLACK ‰ further before it stops (5 ‰ of 16 GiB is 80 MiB).
  candidates: (r, ctx) => {
    // Shares are not what the rankings are sorted by (adj moves a process up or down): look at every process.
    if (r.basis === 'usage') return ctx.snapshot.processes;
    const out = new Set<ProcessSample>();
    for (const d of ctx.snapshot.domains) {
      if ((r.domain === 'host' && d.kind !== 'host') || (r.domain === 'cgroup' && d.kind !== 'cgroup')) continue;
      for (const x of d.ranking) {
        if (x.risk < r.above - RANKING_SLACK) break;
        const p = ctx.index.byPid.get(x.pid);
        if (p && p.startTimeTicks === x.startTimeTicks) out.add(p);
      }
    }
    return out;
  },
  describe: (r, p, v, ctx) => ({
    summary:
      r.basis === 'usage'
        ? `${nameOf(p)} holds ${permille(v)} of ${r.domain === 'host' ? 'the host' : domainText(tightestDomain(p, ctx))}'s memory ≥ ${permille(r.above)}${r.for ? ` for ${formatDurationMs(r.for)}` : ''}`
        : `${nameOf(p)} risk ${permille(v)} ≥ ${permille(r.above)}${r.for ? ` for ${formatDurationMs(r.for)}` : ''}`,
    details: [
      { label: r.basis === 'usage' ? 'own share' : 'risk', value: permille(v) },
      { label: 'oom_score', value: String(p.oomScore) },
      { label: 'oom_score_adj', value: String(p.oomScoreAdj) },
      { label: 'RSS + swap', value: formatBytes(p.rssBytes + p.swapBytes) },
    ],
  }),
};

export const processRiskKind = defineKind({
  schema,
  checks: (r) => clearNotAbove('clearBelow', r.clearBelow, r.above),
  windows: noWindows,
  scope: 'process',
  evaluate: processEvaluator(processRisk),
});
