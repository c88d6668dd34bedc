import { z } from 'zod';
import type { CrossCheck, CrossCheckContext } from '../model/config-check.js';
import type { SampleConfig } from '../sample/config.js';
import { formatDurationMs } from '../util/duration.js';
import { durationMs } from '../util/schema-helpers.js';
import { kindSpecOf, RULE_KIND_SPECS, RULE_KINDS, trendWindowOf, type RuleConfig, type RuleKindSchema } from './kinds/index.js';
import { ALERT_LABELS } from './silences.js';

/**
 * Alert rules (docs/rules.md). Each kind's keys are its schema in src/rules/kinds/<kind>.ts (with the
 * keys every rule has, rules/kinds/fields.ts); this is their union, discriminated by `kind`, built from
 * the registry of kinds so a kind cannot be evaluated without being configurable or the reverse.
 */
export const ruleSchema = z.discriminatedUnion(
  'kind',
  RULE_KINDS.map((k) => RULE_KIND_SPECS[k].schema) as [RuleKindSchema, ...RuleKindSchema[]],
  {
    error: (iss) => (iss.code === 'invalid_union' ? `unknown or missing rule kind; expected one of ${RULE_KINDS.join(', ')}` : undefined),
  },
);

export type { RuleConfig, RuleKind } from './kinds/index.js';

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

/** How a message names config.rules[i]: the entry's dot-path in the file, or the default rule's id. */
export function ruleWhere(ctx: Pick<CrossCheckContext<{ rules: readonly { id: string }[] }>, 'config' | 'ruleSources'>, i: number): string {
  const id = ctx.config.rules[i].id;
  const path = ctx.ruleSources[i]?.path;
  return path ? `${path} (rule ${JSON.stringify(id)})` : `rules (default rule ${JSON.stringify(id)})`;
}

const known = new Set<string>(ALERT_LABELS);

/** That every channel a rule or alerting.defaultChannels routes to is configured (run before the channels' own checks). */
export const routingCrossChecks: CrossCheck<{
  rules: readonly RuleConfig[];
  alerting: AlertingConfig;
  channels: Record<string, unknown>;
}>[] = [
  function routedChannelsExist(ctx) {
    const { config, errors } = ctx;
    const configured = Object.keys(config.channels);
    const check = (names: readonly string[] | undefined, where: string) => {
      for (const n of names ?? []) {
        if (!configured.includes(n)) {
          errors.push(
            `${where}: no channel named "${n}" under channels: (configured: ${configured.join(', ') || 'none'}). Fix the name or add the channel.`,
          );
        }
      }
    };
    config.rules.forEach((r, i) => check(r.channels, `${ctx.ruleSources[i]?.path ?? ruleWhere(ctx, i)}.channels`));
    check(config.alerting.defaultChannels, 'alerting.defaultChannels');
  },
];

/** What the checks of `rules:` and `alerting:` read. */
type RulesView = { rules: readonly RuleConfig[]; alerting: AlertingConfig; sample: Pick<SampleConfig, 'interval'> };

/**
 * Cross-checks of `rules:` and `alerting:` (run by config/cross-checks.ts). Pure: config in, messages out.
 * Channel names a rule routes to are checked by routingCrossChecks above.
 */
export const rulesCrossChecks: CrossCheck<RulesView>[] = [
  function alertingLabelsExist({ config, warnings }) {
    const a = config.alerting;
    for (const l of a.groupBy)
      if (!known.has(l))
        warnings.push(
          `alerting.groupBy: alerts have no label "${l}", so it groups nothing apart. Use labels from: ${ALERT_LABELS.join(', ')}.`,
        );
    a.inhibit.forEach((r, i) => {
      for (const l of [...Object.keys(r.source), ...Object.keys(r.target), ...r.equal]) {
        if (!known.has(l))
          warnings.push(
            `alerting.inhibit.${i}: alerts have no label "${l}", so this inhibition never applies. Use labels from: ${ALERT_LABELS.join(', ')}.`,
          );
      }
    });
  },
  function trendWindowsCoverSamples(ctx) {
    const { config, warnings } = ctx;
    const interval = config.sample.interval;
    config.rules.forEach((r, i) => {
      // A trend is trusted once its points cover half the window (rules/history.ts): that needs window ≥ 4 intervals for 3 points.
      const w = trendWindowOf(r);
      if (w !== null && w.ms < 4 * interval) {
        warnings.push(
          `${ruleWhere(ctx, i)}.${w.key}: ${formatDurationMs(w.ms)} holds too few samples at sample.interval ${formatDurationMs(interval)} for a trend. ` +
            `Set it to at least ${formatDurationMs(4 * interval)}, or sample more often; until then the rule never fires.`,
        );
      }
    });
  },
  function scopeFitsTheKind(ctx) {
    const { config, warnings } = ctx;
    config.rules.forEach((r, i) => {
      if (!r.scope) return;
      const keys = Object.keys(r.scope);
      const use = kindSpecOf(r)?.scope;
      const hostOnly = use === 'host';
      const cgroupOnly = use === 'cgroup';
      if (hostOnly) warnings.push(`${ruleWhere(ctx, i)}.scope: a ${r.kind} rule watches the host, so its scope is ignored. Remove scope.`);
      else if (cgroupOnly && keys.some((k) => k !== 'cgroup'))
        warnings.push(
          `${ruleWhere(ctx, i)}.scope: a ${r.kind} rule watches cgroups, so only scope.cgroup applies (${keys.filter((k) => k !== 'cgroup').join(', ')} ignored).`,
        );
    });
  },
  function rulesRouteSomewhere(ctx) {
    const { config, warnings } = ctx;
    config.rules.forEach((r, i) => {
      if (r.channels && r.channels.length === 0)
        warnings.push(
          `${ruleWhere(ctx, i)}.channels: an empty list sends this rule's alerts nowhere (they are still recorded). Remove the key to use every channel.`,
        );
    });
  },
];
