/** host-memory-available: MemAvailable at or below a percentage of MemTotal, or a size, or either. */
import { z } from 'zod';
import { formatBytes } from '../../util/format.js';
import { sizeBytes } from '../../util/schema-helpers.js';
import type { Observation } from '../../model/rule-state.js';
import { hostLabels, type KindContext, pct } from './context.js';
import { commonFields, percentField } from './fields.js';
import { clearNotBelow, type Compiled, defineKind, noWindows } from './spec.js';

const schema = z
  .object({
    ...commonFields,
    kind: z.literal('host-memory-available'),
    belowPercent: percentField('belowPercent').optional(),
    belowBytes: sizeBytes('belowBytes').optional(),
    /** Default: belowPercent + 5. */
    clearAbovePercent: percentField('clearAbovePercent').optional(),
    /** Default: belowBytes × 1.25. */
    clearAboveBytes: sizeBytes('clearAboveBytes').optional(),
  })
  .strict();

type Rule = Compiled<z.output<typeof schema>>;

function observe(rule: Rule, ctx: KindContext): Observation[] {
  const m = ctx.snapshot.memory;
  if (m.memTotalBytes <= 0) return [];
  const availPct = (m.memAvailableBytes / m.memTotalBytes) * 100;
  const bytes = m.memAvailableBytes;
  const raisePct = rule.belowPercent !== undefined && availPct <= rule.belowPercent;
  const raiseBytes = rule.belowBytes !== undefined && bytes <= rule.belowBytes;
  const clearPct = rule.belowPercent === undefined || availPct > (rule.clearAbovePercent ?? rule.belowPercent + 5);
  const clearBytes = rule.belowBytes === undefined || bytes > (rule.clearAboveBytes ?? rule.belowBytes * 1.25);
  const level = raisePct || raiseBytes ? 'raise' : clearPct && clearBytes ? 'clear' : 'hold';
  const limit = [
    rule.belowPercent !== undefined ? pct(rule.belowPercent) : null,
    rule.belowBytes !== undefined ? formatBytes(rule.belowBytes) : null,
  ]
    .filter(Boolean)
    .join(' or ');
  return [
    {
      subject: 'host',
      level,
      value: availPct,
      summary: `MemAvailable ${pct(availPct)} (${formatBytes(bytes)} of ${formatBytes(m.memTotalBytes)}), limit ${limit}`,
      details: [
        { label: 'MemAvailable', value: formatBytes(bytes) },
        { label: 'MemTotal', value: formatBytes(m.memTotalBytes) },
        { label: 'swap free', value: formatBytes(m.swapFreeBytes) },
      ],
      labels: hostLabels,
    },
  ];
}

export const hostMemoryAvailableKind = defineKind({
  schema,
  checks: (r) => [
    ...(r.belowPercent === undefined && r.belowBytes === undefined
      ? [{ key: 'belowPercent', message: 'set belowPercent (e.g. 10) or belowBytes (e.g. "1GiB"), or both.' }]
      : []),
    ...clearNotBelow('clearAbovePercent', r.clearAbovePercent, r.belowPercent),
    ...clearNotBelow('clearAboveBytes', r.clearAboveBytes, r.belowBytes),
  ],
  windows: noWindows,
  scope: 'host',
  evaluate: { reads: 'sample', observe },
});
