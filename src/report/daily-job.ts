/**
 * The daily report as an agent job (src/agent/jobs.ts): on its cron time, and once at start for catch-up,
 * build the report of the due period (in a worker thread: daily-build.ts) and hand it to the outbox together with the period row, in one
 * transaction (store/report-repo.ts). The dispatcher delivers it: at most one report per period, even
 * across restarts.
 */
import type { AgentContext } from '../agent/module.js';
import type { JobSpec } from '../model/job.js';
import type { NotificationDraft } from '../model/notification.js';
import type { ChannelsConfig } from '../notify/config.js';
import type { ReportConfig } from './config.js';
import type { DailyPayloadBuilder } from './daily-build.js';
import { duePeriod } from './schedule.js';

const KIND = 'daily';

/** The channels the daily report goes to: the configured list, else every email channel. */
export function dailyReportChannels(config: { report: ReportConfig; channels: ChannelsConfig }): string[] {
  const d = config.report.daily;
  if (d.channels) return d.channels;
  return Object.entries(config.channels)
    .filter(([, c]) => c.type === 'email')
    .map(([name]) => name)
    .sort();
}

export type DailyRunResult =
  { kind: 'sent'; fromMs: number; toMs: number; channels: string[] } | { kind: 'not-due' } | { kind: 'disabled'; reason: string };

/**
 * One run: enqueue the due period's report, or nothing. The report is built by `build` (default: in
 * this thread; the agent passes a worker thread); the period row and the outbox rows are written in one
 * transaction afterwards, so a crash while building sends nothing and the next run builds it again.
 */
export async function runDailyReport(
  ctx: Pick<AgentContext, 'config' | 'store' | 'facts'>,
  nowMs: number,
  build?: DailyPayloadBuilder,
): Promise<DailyRunResult> {
  const d = ctx.config.report.daily;
  if (!d.enabled) return { kind: 'disabled', reason: 'report.daily.enabled is false' };
  const channels = dailyReportChannels(ctx.config);
  if (!channels.length) return { kind: 'disabled', reason: 'no email channel is configured and report.daily.channels is not set' };
  const repo = ctx.store.reportPeriods;
  const period = duePeriod(d.cron, d.timeZone, nowMs, repo.lastPeriod(KIND)?.periodEndMs ?? null);
  if (!period) return { kind: 'not-due' };
  const host = ctx.facts.hostname;
  // The report code is loaded when a report is due, not with the agent.
  const builder = build ?? (await import('./daily-build.js')).buildInThread(ctx.store.reports);
  const payload = await builder({ dbPath: ctx.store.path, ...period, host, timeZone: d.timeZone, topN: d.topN });
  const dedupKey = `report|${KIND}|${host}|${period.toMs}`;
  const drafts: NotificationDraft[] = channels.map((channel) => ({
    channel,
    kind: 'report',
    groupKey: `report|${KIND}|${host}`,
    host,
    createdAtMs: nowMs,
    dedupKey,
    alerts: [],
    report: payload,
  }));
  const queued = repo.enqueueReport(
    { kind: KIND, periodStartMs: period.fromMs, periodEndMs: period.toMs, enqueuedAtMs: nowMs, dedupKey },
    drafts,
  );
  return queued ? { kind: 'sent', ...period, channels } : { kind: 'not-due' };
}

/**
 * The job for the agent's calendar table, or null when no report is to be sent (disabled, or no channel).
 * `onQueued` is called after a report was queued; the agent passes none, since the store tells delivery (store.outbox.onEnqueued).
 */
export function dailyReportJob(ctx: AgentContext, opts: { onQueued?: () => void } = {}): JobSpec | null {
  const d = ctx.config.report.daily;
  const log = ctx.log.child({ mod: 'report' });
  if (!d.enabled || dailyReportChannels(ctx.config).length === 0) return null;
  let build: DailyPayloadBuilder | null = null;
  return {
    name: 'daily-report',
    cron: d.cron,
    timeZone: d.timeZone,
    runAtStart: true,
    run: async () => {
      build ??= (await import('./daily-build.js')).agentBuilder(ctx.store.reports, ctx.store.path, log);
      const r = await runDailyReport(ctx, ctx.clock.nowMs(), build);
      if (r.kind === 'sent') {
        log.info({ period: { fromMs: r.fromMs, toMs: r.toMs }, channels: r.channels }, 'daily report queued');
        opts.onQueued?.();
      } else if (r.kind === 'disabled') log.info(r.reason);
    },
  };
}
