/** cgroup-usage: a memory cgroup's usage at or above a percentage of its limit; one instance per cgroup. */
import { z } from 'zod';
import { formatBytes } from '../../util/format.js';
import type { Observation } from '../../model/rule-state.js';
import { cgroupLabels, hasLimit, inScope, type KindContext, levelAbove, pct } from './context.js';
import { commonFields, percentField } from './fields.js';
import { clearNotAbove, type Compiled, defineKind, noWindows } from './spec.js';

const schema = z
  .object({
    ...commonFields,
    kind: z.literal('cgroup-usage'),
    abovePercent: percentField('abovePercent'),
    clearBelowPercent: percentField('clearBelowPercent').optional(),
  })
  .strict();

type Rule = Compiled<z.output<typeof schema>>;

function observe(rule: Rule, ctx: KindContext): Observation[] {
  const out: Observation[] = [];
  for (const c of ctx.snapshot.cgroups) {
    if (!hasLimit(c) || !inScope(rule, c.path)) continue;
    const usedPct = (c.usageBytes / c.limitBytes) * 100;
    const level = levelAbove(usedPct, rule.abovePercent, rule.clearBelowPercent ?? rule.abovePercent - 5);
    if (level !== 'raise' && !ctx.existing.has(`cgroup:${c.path}`)) continue;
    out.push({
      subject: `cgroup:${c.path}`,
      level,
      value: usedPct,
      summary: `cgroup ${c.path} at ${pct(usedPct)} of its ${formatBytes(c.limitBytes)} limit (≥ ${pct(rule.abovePercent)})`,
      details: [
        { label: 'usage', value: formatBytes(c.usageBytes) },
        { label: 'limit', value: formatBytes(c.limitBytes) },
        { label: 'OOM kills so far', value: c.oomKillCount === null ? 'unknown' : String(c.oomKillCount) },
      ],
      labels: cgroupLabels(c.path),
      cgroup: c.path,
    });
  }
  return out;
}

export const cgroupUsageKind = defineKind({
  schema,
  checks: (r) => clearNotAbove('clearBelowPercent', r.clearBelowPercent, r.abovePercent),
  windows: noWindows,
  scope: 'cgroup',
  evaluate: { reads: 'sample', observe },
});
