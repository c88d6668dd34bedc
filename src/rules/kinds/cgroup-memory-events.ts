/**
 * cgroup-memory-events: a memory cgroup's pressure counters rose since the tick before. `max` (v2 memory.events max,
 * v1 memory.failcnt): usage reached the limit and the kernel reclaimed there, the step before an OOM kill; `high`
 * (v2): usage went over memory.high and was throttled. One instance per cgroup; it clears on the first tick without a
 * rise.
 */
import { z } from 'zod';
import { formatBytes } from '../../util/format.js';
import type { Observation } from '../../model/rule-state.js';
import { cgroupLabels, inScope, type KindContext } from './context.js';
import { commonFields } from './fields.js';
import { type Compiled, defineKind, noChecks, noWindows } from './spec.js';

const schema = z
  .object({
    ...commonFields,
    kind: z.literal('cgroup-memory-events'),
    /** Which counter: max (the limit was reached; v1 failcnt) or high (memory.high throttling, v2 only). */
    event: z.enum(['max', 'high']).default('max'),
    /** Fire when it rose by at least this much between two ticks. */
    atLeast: z.number({ error: 'atLeast expects a whole number of events (1 or more)' }).int().min(1).default(1),
  })
  .strict();

type Rule = Compiled<z.output<typeof schema>>;

const WHAT = {
  max: (n: number, path: string) =>
    `cgroup ${path} reached its memory limit ${n} time${n === 1 ? '' : 's'} since the last sample: the kernel is reclaiming at the limit, an OOM kill may follow`,
  high: (n: number, path: string) =>
    `cgroup ${path} went over memory.high ${n} time${n === 1 ? '' : 's'} since the last sample: it is throttled and reclaimed`,
};

function observe(rule: Rule, ctx: KindContext): Observation[] {
  const out: Observation[] = [];
  const previous = ctx.history.previous.cgroupByPath;
  for (const c of ctx.snapshot.cgroups) {
    if (!inScope(rule, c.path)) continue;
    const now = c.events?.[rule.event];
    const before = previous.get(c.path)?.events?.[rule.event];
    // A counter that went down belongs to a cgroup removed and made again: no rise to tell.
    const rise = typeof now === 'number' && typeof before === 'number' && now >= before ? now - before : 0;
    const subject = `cgroup:${c.path}`;
    if (rise < rule.atLeast && !ctx.existing.has(subject)) continue;
    out.push({
      subject,
      level: rise >= rule.atLeast ? 'raise' : 'clear',
      value: rise,
      summary: WHAT[rule.event](rise, c.path),
      details: [
        { label: `${rule.event} events`, value: `+${rise} (${now ?? '?'} in all)` },
        { label: 'usage', value: `${formatBytes(c.usageBytes)} of ${formatBytes(c.limitBytes)}` },
        { label: 'OOM kills so far', value: c.oomKillCount === null ? 'unknown' : String(c.oomKillCount) },
      ],
      labels: cgroupLabels(c.path),
      cgroup: c.path,
    });
  }
  return out;
}

export const cgroupMemoryEventsKind = defineKind({
  schema,
  checks: noChecks,
  windows: noWindows,
  scope: 'cgroup',
  evaluate: { reads: 'sample', observe },
});
