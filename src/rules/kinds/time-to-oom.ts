/**
 * time-to-oom: when will the host (MemAvailable + SwapFree) or a memory cgroup (usage against its
 * limit) run out, at the current rate? The rate is the steepest good line fit over the newest points
 * (rules/trend.ts), so a steady leak is predicted a few samples after it starts. `for` shrinks with the
 * prediction (a 40 s ETA cannot wait a minute to be sure), and the message names the process growing
 * fastest in the domain: the one that will hit the limit.
 */
import { z } from 'zod';
import { cgroupWithin } from '../../sample/match.js';
import type { ProcessSample } from '../../model/snapshot.js';
import { formatDurationMs } from '../../util/duration.js';
import { formatBytes } from '../../util/format.js';
import { durationMs } from '../../util/schema-helpers.js';
import { growthPerSecondB, seriesOf } from '../history.js';
import { trendOf, type LineFit, type Trend } from '../trend.js';
import type { Observation } from '../../model/rule-state.js';
import { cgroupHeadroomBytes, cgroupLabels, hasLimit, hostLabels, inScope, type KindContext, levelBelow, nameOf } from './context.js';
import { commonFields } from './fields.js';
import { clearNotBelow, type Compiled, defineKind } from './spec.js';

const schema = z
  .object({
    ...commonFields,
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

type TimeToOomRule = Compiled<z.output<typeof schema>>;

/**
 * "OOM in about 4 min": minutes under 90, seconds under 90 s, hours beyond.
 * @example formatEta(240_000) // 'about 4 min'
 */
export function formatEta(ms: number): string {
  if (ms < 90_000) return `about ${Math.max(1, Math.round(ms / 1000))} s`;
  if (ms < 90 * 60_000) return `about ${Math.round(ms / 60_000)} min`;
  return `about ${Math.round(ms / 3_600_000)} h`;
}

/** Far beyond any horizon; stands for "not falling" without putting Infinity into JSON. */
const NEVER_MS = 1e12;
/** Part of the predicted time left that `for` may take: an ETA of 40 s waits at most 10 s. */
const FOR_SHARE_OF_ETA = 1 / 4;
/** A process is named as the cause only when it accounts for at least this share of the fall. */
const GROWER_SHARE = 0.25;

interface Grower {
  p: ProcessSample;
  bytesPerSecond: number;
}

/** The process growing fastest among `members`, measured over about the fit's span; null when none grows at GROWER_SHARE of the fall. */
function fastestGrower(members: Iterable<ProcessSample>, ctx: KindContext, spanMs: number, fallPerSecond: number): Grower | null {
  let best: Grower | null = null;
  for (const p of members) {
    const g = growthPerSecondB(seriesOf(ctx.history, p), spanMs, ctx.snapshot.takenAtMs);
    if (g !== null && g > 0 && (!best || g > best.bytesPerSecond)) best = { p, bytesPerSecond: g };
  }
  return best && best.bytesPerSecond >= fallPerSecond * GROWER_SHARE ? best : null;
}

interface Subject {
  subject: string;
  /** "host" or "cgroup /x". */
  what: string;
  headroomBytes: number;
  trend: Trend | null;
  /** +1 when the series is the usage (rising means danger), -1 when it is the headroom. */
  direction: -1 | 1;
  members: () => Iterable<ProcessSample>;
  extra: Partial<Observation>;
}

const fitText = (f: LineFit): string =>
  `R² ${f.r2.toFixed(2)} over ${formatDurationMs(Math.round(f.spanMs / 1000) * 1000)} (${f.points} points)`;

function predict(rule: TimeToOomRule, s: Subject, ctx: KindContext): Observation | null {
  const existing = ctx.existing.get(s.subject);
  if (s.trend === null) {
    // Too few points: a firing alert holds, nothing new starts.
    return existing
      ? {
          ...s.extra,
          subject: s.subject,
          level: 'hold',
          value: existing.value,
          summary: existing.alert.summary,
          details: existing.alert.details,
          labels: existing.alert.labels,
        }
      : null;
  }
  const good = s.trend.steepest;
  const fit = good ?? s.trend.whole;
  const fall = fit.slopePerSecond * s.direction; // bytes per second towards the limit
  const etaMs = fall > 0 ? Math.min(NEVER_MS, (Math.max(0, s.headroomBytes) / fall) * 1000) : NEVER_MS;
  let level = levelBelow(etaMs, rule.horizon, rule.clearHorizon ?? rule.horizon * 2);
  // A poor fit (noise, a single step) may keep an alert firing but never raise one.
  if (!good && level === 'raise') level = 'hold';
  if (level !== 'raise' && !existing) return null;
  const falling = etaMs < NEVER_MS;
  const grower = falling ? fastestGrower(s.members(), ctx, Math.max(fit.spanMs, 5_000), fall) : null;
  const growerText = grower
    ? `${nameOf(grower.p)}, +${formatBytes(grower.bytesPerSecond)}/s, now ${formatBytes(grower.p.rssBytes + grower.p.swapBytes)}`
    : null;
  const details: Observation['details'] = [
    { label: 'predicted', value: falling ? formatEta(etaMs) : 'not falling' },
    { label: 'headroom', value: formatBytes(s.headroomBytes) },
  ];
  if (falling) details.push({ label: 'falling', value: `${formatBytes(fall)}/s` }, { label: 'fit', value: fitText(fit) });
  if (growerText) details.push({ label: 'growing fastest', value: growerText });
  return {
    ...s.extra,
    subject: s.subject,
    level,
    value: etaMs,
    summary: falling
      ? `OOM in ${formatEta(etaMs)} at the current rate (${s.what}: ${formatBytes(s.headroomBytes)} left, falling ${formatBytes(fall)}/s)${growerText ? `; growing fastest: ${growerText}` : ''}`
      : `${s.what}: memory no longer falling (${formatBytes(s.headroomBytes)} left)`,
    details,
    labels: s.extra.labels ?? hostLabels,
    ...(falling ? { etaMs, forMs: Math.floor(etaMs * FOR_SHARE_OF_ETA) } : {}),
  };
}

function observe(rule: TimeToOomRule, ctx: KindContext): Observation[] {
  const out: Observation[] = [];
  const now = ctx.snapshot.takenAtMs;
  if (rule.target !== 'cgroups') {
    const m = ctx.snapshot.memory;
    const o = predict(
      rule,
      {
        subject: 'host',
        what: 'host',
        headroomBytes: m.memAvailableBytes + m.swapFreeBytes,
        trend: trendOf(ctx.history.host, rule.window, now, -1),
        direction: -1,
        members: () => ctx.snapshot.processes,
        extra: { labels: hostLabels },
      },
      ctx,
    );
    if (o) out.push(o);
  }
  if (rule.target !== 'host') {
    for (const c of ctx.snapshot.cgroups) {
      if (!hasLimit(c) || !inScope(rule, c.path)) continue;
      const o = predict(
        rule,
        {
          subject: `cgroup:${c.path}`,
          what: `cgroup ${c.path}`,
          headroomBytes: cgroupHeadroomBytes(c),
          trend: trendOf(ctx.history.cgroups.get(c.path), rule.window, now, 1),
          direction: 1,
          members: () => ctx.snapshot.processes.filter((p) => cgroupWithin(p.cgroup, c.path)),
          extra: { labels: cgroupLabels(c.path), cgroup: c.path },
        },
        ctx,
      );
      if (o) out.push(o);
    }
  }
  return out;
}

export const timeToOomKind = defineKind({
  schema,
  checks: (r) => [
    ...clearNotBelow('clearHorizon', r.clearHorizon, r.horizon),
    ...(r.horizon <= 0 ? [{ key: 'horizon', message: 'horizon must be above 0, e.g. 10m.' }] : []),
  ],
  // The per-process series name the process growing fastest in a domain running out.
  windows: (r) => ({ key: 'window', ms: r.window, keeps: ['host', 'process'] }),
  scope: 'cgroup',
  evaluate: { reads: 'sample', observe },
});
