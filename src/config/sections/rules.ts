import { z } from 'zod';
import { RULE_KIND_SPECS, RULE_KINDS, type RuleKindSchema } from '../../rules/kinds/index.js';
import { durationMs } from './common.js';

/**
 * Alert rules (docs/rules.md). Each kind's keys are its schema in src/rules/kinds/<kind>.ts (with the
 * keys every rule has, rules/kinds/fields.ts); this is their union, discriminated by `kind`, built from
 * the registry of kinds so a kind cannot be evaluated without being configurable or the reverse.
 */
export const ruleSchema = z.discriminatedUnion(
  'kind',
  RULE_KINDS.map((k) => RULE_KIND_SPECS[k].schema) as [RuleKindSchema, ...RuleKindSchema[]],
  {
    error: (iss) =>
      iss.code === 'invalid_union'
        ? `unknown or missing rule kind; expected one of ${RULE_KINDS.join(', ')}`
        : undefined,
  },
);

export type { RuleConfig, RuleKind } from '../../rules/kinds/index.js';

const labelMatch = z.record(z.string().min(1), z.string());

/** Inhibition: while a `source` alert fires, `target` alerts with equal values of the `equal` labels are not sent. */
const inhibitRule = z
  .object({
    source: labelMatch,
    target: labelMatch,
    equal: z.array(z.string().min(1)).default(['host']),
  })
  .strict();

const ALERTING_DEFAULTS = {
  groupBy: ['host', 'alertname'],
  groupWait: 10_000,
  groupInterval: 300_000,
  repeatInterval: 4 * 3_600_000,
  vanishWaitTicks: 3,
  inhibit: [{ source: { severity: 'critical', scope: 'host' }, target: { severity: 'warning', scope: 'process' }, equal: ['host'] }],
};

/** Grouping, timing, inhibition and default routing of notifications (modelled on Alertmanager's route). */
export const alertingSection = z
  .object({
    /** Labels that form a notification group (alertname = the rule id). */
    groupBy: z.array(z.string().min(1)).min(1).default(ALERTING_DEFAULTS.groupBy),
    /** How long a new group waits to collect more alerts before its first notification. */
    groupWait: durationMs('alerting.groupWait').default(ALERTING_DEFAULTS.groupWait),
    /** Minimum time between two notifications of one group when its alerts change. */
    groupInterval: durationMs('alerting.groupInterval').default(ALERTING_DEFAULTS.groupInterval),
    /** A group still firing unchanged is sent again after this. */
    repeatInterval: durationMs('alerting.repeatInterval', { minMs: 60_000 }).default(ALERTING_DEFAULTS.repeatInterval),
    /** Ticks to wait for kill evidence after a firing process disappears, before calling it "exited". */
    vanishWaitTicks: z.number().int().min(0).max(100).default(ALERTING_DEFAULTS.vanishWaitTicks),
    inhibit: z.array(inhibitRule).default(ALERTING_DEFAULTS.inhibit),
    /** Channels a rule without `channels:` goes to; empty (default) means every configured channel. */
    defaultChannels: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .default(() => ({ ...ALERTING_DEFAULTS, inhibit: ALERTING_DEFAULTS.inhibit.map((r) => ({ ...r })), defaultChannels: [] }));

export type AlertingConfig = z.output<typeof alertingSection>;
export type InhibitRule = z.output<typeof inhibitRule>;
