/** swap-used: the share of swap in use at or above a percentage. No swap, no subject. */
import { z } from 'zod';
import { formatBytes } from '../../util/format.js';
import type { Observation } from '../../model/rule-state.js';
import { hostLabels, type KindContext, levelAbove, pct } from './context.js';
import { commonFields, percentField } from './fields.js';
import { clearNotAbove, type Compiled, defineKind, noWindows } from './spec.js';

const schema = z
  .object({
    ...commonFields,
    kind: z.literal('swap-used'),
    abovePercent: percentField('abovePercent'),
    clearBelowPercent: percentField('clearBelowPercent').optional(),
  })
  .strict();

type Rule = Compiled<z.output<typeof schema>>;

function observe(rule: Rule, ctx: KindContext): Observation[] {
  const m = ctx.snapshot.memory;
  if (m.swapTotalBytes <= 0) return [];
  const usedPct = ((m.swapTotalBytes - m.swapFreeBytes) / m.swapTotalBytes) * 100;
  return [
    {
      subject: 'host',
      level: levelAbove(usedPct, rule.abovePercent, rule.clearBelowPercent ?? rule.abovePercent - 10),
      value: usedPct,
      summary: `swap ${pct(usedPct)} used (${formatBytes(m.swapTotalBytes - m.swapFreeBytes)} of ${formatBytes(m.swapTotalBytes)}) ≥ ${pct(rule.abovePercent)}`,
      details: [{ label: 'swap used', value: formatBytes(m.swapTotalBytes - m.swapFreeBytes) }],
      labels: hostLabels,
    },
  ];
}

export const swapUsedKind = defineKind({
  schema,
  checks: (r) => clearNotAbove('clearBelowPercent', r.clearBelowPercent, r.abovePercent),
  windows: noWindows,
  scope: 'host',
  evaluate: { reads: 'sample', observe },
});
