import { z } from 'zod';
import { processMatchSchema } from '../../sample/match.js';
import { durationMs, sizeBytes } from './common.js';

/**
 * Alert rules (docs/rules.md). Each rule has a kind, a raise threshold and a separate clear threshold
 * (hysteresis: it stops firing only below the clear threshold), `for` (how long the condition must hold
 * before it fires) and `keepFiringFor` (how long it keeps firing after the condition cleared).
 * Risk thresholds are on the normalised risk in per mille, never on the raw oom_score (DESIGN.md
 * "oom_score has two scales").
 */

const permille = (what: string) => z.number({ error: `${what} expects a number of per mille (0..1000)` }).min(0).max(1000);
const percent = (what: string) => z.number({ error: `${what} expects a percentage (0..100)` }).min(0).max(100);

const common = {
  /** Unique name: used in alerts (alertname), silences and `oomwatch alerts`. */
  id: z.string({ error: 'every rule needs an id (e.g. id: host-memory-low), used in alerts and silences' }).regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'expected letters, digits, ".", "_" or "-" (e.g. "host-memory-low")'),
  severity: z.enum(['info', 'warning', 'critical']).default('warning'),
  /** Which processes (or cgroups, with scope.cgroup) the rule looks at. */
  scope: processMatchSchema.optional(),
  for: durationMs('for').default(0),
  keepFiringFor: durationMs('keepFiringFor').default(0),
  /** Channel names (under `channels:`); default: alerting.defaultChannels, else every channel. */
  channels: z.array(z.string().min(1)).optional(),
  /** Overrides alerting.groupWait for this rule's groups (0 pages at once, e.g. for OOM kills). */
  groupWait: durationMs('groupWait').optional(),
  /** Overrides alerting.groupInterval when this rule adds an alert to a group already notified (0: at once). */
  groupInterval: durationMs('groupInterval').optional(),
};

const processRisk = z
  .object({
    ...common,
    kind: z.literal('process-risk'),
    /** Fires when the process's risk (‰ of its OOM domain's total) is at or above this. */
    above: permille('above'),
    /** Stops firing below this; default: above - 50 ‰. */
    clearBelow: permille('clearBelow').optional(),
    /** Which domain's risk: the host's, the process's cgroup domain, or the larger of the two (default). */
    domain: z.enum(['host', 'cgroup', 'max']).default('max'),
    /**
     * badness (default): the kernel's score, oom_score_adj included (a process with adj 1000 reads 1000 ‰
     * and more). usage: the process's own memory share, adj left out (what it really holds).
     */
    basis: z.enum(['badness', 'usage']).default('badness'),
  })
  .strict();

const riskRising = z
  .object({
    ...common,
    kind: z.literal('risk-rising'),
    /** Fires when risk rose by at least this many per mille within `within`. */
    increase: permille('increase'),
    clearIncrease: permille('clearIncrease').optional(),
    within: durationMs('within').default(600_000),
  })
  .strict();

const rssGrowth = z
  .object({
    ...common,
    kind: z.literal('rss-growth'),
    /** Fires when RSS+swap grows at least this fast (bytes per second, or a size such as "2MiB"), measured over `over`. */
    bytesPerSecond: sizeBytes('bytesPerSecond'),
    clearBytesPerSecond: sizeBytes('clearBytesPerSecond').optional(),
    over: durationMs('over').default(600_000),
    /** Ignore processes smaller than this (a small process doubling is not a leak worth a page). */
    minRssBytes: sizeBytes('minRssBytes').default(64 * 1024 * 1024),
  })
  .strict();

const protectedNextVictim = z
  .object({
    ...common,
    kind: z.literal('protected-next-victim'),
    /** Processes this rule protects (any of the matches). */
    protect: z.array(processMatchSchema).optional(),
    /** Also the processes the protection policy (policy:) protects. */
    fromPolicy: z.boolean().default(false),
    /** Also every process whose oom_score_adj is below 0: someone lowered it on purpose. */
    negativeAdj: z.boolean().default(false),
    /** Only when the victim-to-be counts at least this much of its domain (an idle host's "first" is noise). */
    minRisk: permille('minRisk').default(100),
  })
  .strict();

const hostMemoryAvailable = z
  .object({
    ...common,
    kind: z.literal('host-memory-available'),
    belowPercent: percent('belowPercent').optional(),
    belowBytes: sizeBytes('belowBytes').optional(),
    /** Default: belowPercent + 5. */
    clearAbovePercent: percent('clearAbovePercent').optional(),
    /** Default: belowBytes × 1.25. */
    clearAboveBytes: sizeBytes('clearAboveBytes').optional(),
  })
  .strict();

const swapUsed = z
  .object({
    ...common,
    kind: z.literal('swap-used'),
    abovePercent: percent('abovePercent'),
    clearBelowPercent: percent('clearBelowPercent').optional(),
  })
  .strict();

const psi = z
  .object({
    ...common,
    kind: z.literal('psi'),
    /** some: at least one task stalled on memory; full: all non-idle tasks stalled. */
    line: z.enum(['some', 'full']).default('full'),
    window: z.enum(['avg10', 'avg60', 'avg300']).default('avg10'),
    /** Percentage of wall time stalled. */
    above: percent('above'),
    clearBelow: percent('clearBelow').optional(),
  })
  .strict();

const cgroupUsage = z
  .object({
    ...common,
    kind: z.literal('cgroup-usage'),
    abovePercent: percent('abovePercent'),
    clearBelowPercent: percent('clearBelowPercent').optional(),
  })
  .strict();

const timeToOom = z
  .object({
    ...common,
    kind: z.literal('time-to-oom'),
    /** Fires when the trend reaches exhaustion within this. */
    horizon: durationMs('horizon'),
    /** Stops firing when the prediction is beyond this; default 2 × horizon. */
    clearHorizon: durationMs('clearHorizon').optional(),
    /** The trend is a least-squares line over this much history. */
    window: durationMs('window').default(300_000),
    target: z.enum(['host', 'cgroups', 'both']).default('both'),
  })
  .strict();

const oomKill = z
  .object({
    ...common,
    kind: z.literal('oom-kill'),
    /** A kill is an event: the alert stays listed as firing this long, then ends without a "resolved" message. */
    keepFiringFor: durationMs('keepFiringFor').default(600_000),
  })
  .strict();

export const HEALTH_CHECKS = ['sampler-stalled', 'kmsg', 'store', 'channel', 'protection'] as const;
export type HealthCheck = (typeof HEALTH_CHECKS)[number];

const agentHealth = z
  .object({
    ...common,
    kind: z.literal('agent-health'),
    checks: z.array(z.enum(HEALTH_CHECKS)).min(1).default([...HEALTH_CHECKS]),
  })
  .strict();

export const ruleSchema = z.discriminatedUnion(
  'kind',
  [processRisk, riskRising, rssGrowth, protectedNextVictim, hostMemoryAvailable, swapUsed, psi, cgroupUsage, timeToOom, oomKill, agentHealth],
  {
    error: (iss) =>
      iss.code === 'invalid_union'
        ? `unknown or missing rule kind; expected one of ${RULE_KINDS.join(', ')}`
        : undefined,
  },
);

export const RULE_KINDS = [
  'process-risk',
  'risk-rising',
  'rss-growth',
  'protected-next-victim',
  'host-memory-available',
  'swap-used',
  'psi',
  'cgroup-usage',
  'time-to-oom',
  'oom-kill',
  'agent-health',
] as const;

export type RuleConfig = z.output<typeof ruleSchema>;
export type RuleKind = RuleConfig['kind'];

/** Checks across a rule's fields (clear thresholds on the right side of the raise threshold, one of two keys given). */
export function thresholdProblems(rule: RuleConfig): { key: string; message: string }[] {
  const out: { key: string; message: string }[] = [];
  const below = (key: string, clear: number | undefined, raise: number) => {
    if (clear !== undefined && clear > raise) out.push({ key, message: `${key} (${clear}) must not be above the raise threshold (${raise}); set it lower (hysteresis).` });
  };
  const above = (key: string, clear: number | undefined, raise: number | undefined) => {
    if (clear !== undefined && raise !== undefined && clear < raise) out.push({ key, message: `${key} (${clear}) must not be below the raise threshold (${raise}); set it higher (hysteresis).` });
  };
  switch (rule.kind) {
    case 'process-risk':
      below('clearBelow', rule.clearBelow, rule.above);
      break;
    case 'risk-rising':
      below('clearIncrease', rule.clearIncrease, rule.increase);
      break;
    case 'rss-growth':
      below('clearBytesPerSecond', rule.clearBytesPerSecond, rule.bytesPerSecond);
      if (rule.bytesPerSecond <= 0) out.push({ key: 'bytesPerSecond', message: 'bytesPerSecond must be above 0, e.g. "1MiB".' });
      break;
    case 'host-memory-available':
      if (rule.belowPercent === undefined && rule.belowBytes === undefined)
        out.push({ key: 'belowPercent', message: 'set belowPercent (e.g. 10) or belowBytes (e.g. "1GiB"), or both.' });
      above('clearAbovePercent', rule.clearAbovePercent, rule.belowPercent);
      above('clearAboveBytes', rule.clearAboveBytes, rule.belowBytes);
      break;
    case 'swap-used':
    case 'cgroup-usage':
      below('clearBelowPercent', rule.clearBelowPercent, rule.abovePercent);
      break;
    case 'psi':
      below('clearBelow', rule.clearBelow, rule.above);
      break;
    case 'time-to-oom':
      above('clearHorizon', rule.clearHorizon, rule.horizon);
      if (rule.horizon <= 0) out.push({ key: 'horizon', message: 'horizon must be above 0, e.g. 10m.' });
      break;
    case 'protected-next-victim':
      if (!rule.fromPolicy && !rule.negativeAdj && !rule.protect?.length)
        out.push({ key: 'protect', message: 'list the protected processes under protect:, or set fromPolicy: true or negativeAdj: true.' });
      break;
    default:
      break;
  }
  return out;
}

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
