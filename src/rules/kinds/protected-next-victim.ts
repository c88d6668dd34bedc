/**
 * protected-next-victim: a process someone protected (by this rule's list, by the protection policy, or
 * by a negative oom_score_adj) is the kernel's next choice in a domain where an unprotected process
 * could have gone instead.
 */
import { z } from 'zod';
import { processMatchSchema } from '../../sample/match.js';
import type { ProcessSample } from '../../model/snapshot.js';
import { type KindContext, nameOf, permille } from './context.js';
import { commonFields, permilleField } from './fields.js';
import { processEvaluator, type ProcessKind } from './process-observe.js';
import { type Compiled, defineKind, noWindows } from './spec.js';

const schema = z
  .object({
    ...commonFields,
    kind: z.literal('protected-next-victim'),
    /** Processes this rule protects (any of the matches). */
    protect: z.array(processMatchSchema).optional(),
    /** Also the processes the protection policy (policy:) protects. */
    fromPolicy: z.boolean().default(false),
    /** Also every process whose oom_score_adj is below 0: someone lowered it on purpose. */
    negativeAdj: z.boolean().default(false),
    /** Only when the victim-to-be counts at least this much of its domain (an idle host's "first" is noise). */
    minRisk: permilleField('minRisk').default(100),
  })
  .strict();

type Rule = Compiled<z.output<typeof schema>>;

const isProtectedBy = (r: Rule, p: ProcessSample, ctx: KindContext): boolean =>
  (r.negativeAdj && p.oomScoreAdj < 0) || r.protectMatchers.some((m) => m(p)) || (r.fromPolicy && ctx.isProtected(p));

/**
 * The domains in which this process is the kernel's next choice (first in the ranking) while an
 * unprotected process ranks below it: protection could have steered the kill elsewhere and did not. A
 * domain holding only protected processes (a container whose processes all inherit a negative adj) is
 * not this rule's business: its kill is cgroup-near-limit's and time-to-oom's.
 */
function domainsLedBy(r: Rule, p: ProcessSample, ctx: KindContext): { id: string; risk: number }[] {
  const out: { id: string; risk: number }[] = [];
  for (const d of ctx.snapshot.domains) {
    const top = d.ranking[0];
    if (!top || top.pid !== p.pid || top.startTimeTicks !== p.startTimeTicks) continue;
    const alternative = d.ranking.some((x, i) => {
      if (i === 0) return false;
      const q = ctx.index.byPid.get(x.pid);
      return q !== undefined && q.startTimeTicks === x.startTimeTicks && !isProtectedBy(r, q, ctx);
    });
    if (alternative) out.push({ id: d.id, risk: top.risk });
  }
  return out;
}

const protectedNextVictim: ProcessKind<Rule> = {
  // The value is the risk in the domain it leads; 0 when it leads none (or is not protected).
  measure: (r, p, ctx) => {
    if (!isProtectedBy(r, p, ctx)) return 0;
    let best = 0;
    for (const d of domainsLedBy(r, p, ctx)) best = Math.max(best, d.risk);
    return best;
  },
  raise: (r) => r.minRisk,
  clear: (r) => r.minRisk * 0.8,
  candidates: (_r, ctx) => {
    const tops: ProcessSample[] = [];
    for (const d of ctx.snapshot.domains) {
      const top = d.ranking[0];
      const p = top && ctx.index.byPid.get(top.pid);
      if (p && p.startTimeTicks === top.startTimeTicks) tops.push(p);
    }
    return tops;
  },
  describe: (r, p, v, ctx) => {
    const led = domainsLedBy(r, p, ctx).map((d) => (d.id === 'host' ? 'the host' : `cgroup ${d.id}`));
    return {
      summary: `protected ${nameOf(p)} is the next OOM victim in ${led.join(' and ') || 'its domain'} (risk ${permille(v)})`,
      details: [
        { label: 'domain', value: led.join(', ') },
        { label: 'risk', value: permille(v) },
        { label: 'oom_score_adj', value: String(p.oomScoreAdj) },
      ],
    };
  },
};

export const protectedNextVictimKind = defineKind({
  schema,
  checks: (r) =>
    !r.fromPolicy && !r.negativeAdj && !r.protect?.length
      ? [{ key: 'protect', message: 'list the protected processes under protect:, or set fromPolicy: true or negativeAdj: true.' }]
      : [],
  windows: noWindows,
  scope: 'process',
  evaluate: processEvaluator(protectedNextVictim),
});
