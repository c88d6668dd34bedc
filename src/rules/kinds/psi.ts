/** psi: memory pressure stall information (/proc/pressure/memory) at or above a percentage of wall time. */
import { z } from 'zod';
import type { Observation } from '../../model/rule-state.js';
import { hostLabels, type KindContext, levelAbove } from './context.js';
import { commonFields, percentField } from './fields.js';
import { clearNotAbove, type Compiled, defineKind, noWindows } from './spec.js';

const schema = z
  .object({
    ...commonFields,
    kind: z.literal('psi'),
    /** some: at least one task stalled on memory; full: all non-idle tasks stalled. */
    line: z.enum(['some', 'full']).default('full'),
    window: z.enum(['avg10', 'avg60', 'avg300']).default('avg10'),
    /** Percentage of wall time stalled. */
    above: percentField('above'),
    clearBelow: percentField('clearBelow').optional(),
  })
  .strict();

type Rule = Compiled<z.output<typeof schema>>;

/** null when this tick has no PSI reading (a failed read, or a kernel without PSI): the state is held, not cleared. */
function observe(rule: Rule, ctx: KindContext): Observation[] | null {
  const line = ctx.snapshot.psi?.[rule.line];
  if (!line) return null;
  const v = line[rule.window];
  return [
    {
      subject: 'host',
      level: levelAbove(v, rule.above, rule.clearBelow ?? rule.above / 2),
      value: v,
      summary: `memory pressure ${rule.line} ${rule.window} ${v.toFixed(1)} % ≥ ${rule.above} %`,
      details: [
        { label: `${rule.line} avg10`, value: `${line.avg10.toFixed(1)} %` },
        { label: `${rule.line} avg60`, value: `${line.avg60.toFixed(1)} %` },
        { label: `${rule.line} avg300`, value: `${line.avg300.toFixed(1)} %` },
      ],
      labels: hostLabels,
    },
  ];
}

export const psiKind = defineKind({
  schema,
  checks: (r) => clearNotAbove('clearBelow', r.clearBelow, r.above),
  windows: noWindows,
  scope: 'host',
  evaluate: { reads: 'sample', observe },
});
