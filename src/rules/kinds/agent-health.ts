/**
 * agent-health: the agent's own facts (a stalled sampler, an unreadable kernel log, database errors,
 * broken channels, protection not applied). An event kind: evaluated on every call, stale data included:
 * a stalled sampler is exactly when agent-health must speak.
 */
import { z } from 'zod';
import type { HealthFacts, Observation } from '../../model/rule-state.js';
import { commonFields } from './fields.js';
import { type Compiled, defineKind, noChecks, noWindows } from './spec.js';

export const HEALTH_CHECKS = ['sampler-stalled', 'kmsg', 'store', 'channel', 'protection'] as const;
export type HealthCheck = (typeof HEALTH_CHECKS)[number];

const schema = z
  .object({
    ...commonFields,
    kind: z.literal('agent-health'),
    checks: z
      .array(z.enum(HEALTH_CHECKS))
      .min(1)
      .default([...HEALTH_CHECKS]),
  })
  .strict();

type Rule = Compiled<z.output<typeof schema>>;

function observeHealth(rule: Rule, h: HealthFacts): Observation[] {
  const out: Observation[] = [];
  const add = (subject: string, summary: string, labels: Record<string, string> = {}) =>
    out.push({
      subject,
      level: 'raise',
      value: 1,
      summary,
      details: [],
      labels: { scope: 'agent', check: subject.split(':')[1], ...labels },
    });
  const checks = new Set(rule.checks);
  if (checks.has('sampler-stalled') && h.samplerStalled)
    add('health:sampler-stalled', 'sampler stalled: no fresh sample, memory alerts are on hold until sampling resumes');
  if (checks.has('kmsg') && h.kmsgProblem) add('health:kmsg', `kernel log unreadable: ${h.kmsgProblem}`);
  // 'store' is not observed here: a database that cannot be written cannot carry its own alert through the
  // outbox. The store alarm tells it straight through the channels (rules/store-fault.ts).
  if (checks.has('channel'))
    for (const ch of h.brokenChannels)
      add(
        `health:channel:${ch}`,
        `channel ${ch} is broken: its deliveries fail permanently. Fix its settings, then run oomwatch test-notify ${ch}`,
        { channel: ch },
      );
  if (checks.has('protection') && h.unprotected?.length)
    add(
      'health:protection',
      `protection not applied to ${h.unprotected.length} process(es): ${h.unprotected.slice(0, 5).join(', ')}${h.unprotected.length > 5 ? ', …' : ''}`,
    );
  return out;
}

export const agentHealthKind = defineKind({
  schema,
  checks: noChecks,
  windows: noWindows,
  scope: 'host',
  evaluate: { reads: 'events', observe: (rule, ctx) => observeHealth(rule, ctx.health) },
});
