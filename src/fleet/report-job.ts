/**
 * The scheduled fleet report as an agent job: at its cron time (and at start, for a missed run) the agent
 * claims the period in the fleet database; only the claim's winner builds the report and queues it for
 * its channels, in the same SQLite transaction as the local period row (store/report-repo.ts), so the
 * fleet gets one report per period. A host that lost the claim records the period with no channels.
 * A claim survives a crash of its winner before queueing: the same host claims it again on restart.
 */
import type pg from 'pg';
import type { NotificationDraft } from '../model/notification.js';
import { renderDocHtml } from '../report/render-html.js';
import { renderDocText } from '../report/render-text.js';
import { duePeriod } from '../report/schedule.js';
import type { Store } from '../store/store.js';
import type { FleetConfig } from './config.js';
import { queryClosestToOom } from './prometheus.js';
import { buildFleetDoc, fleetHeadline, type FleetReport } from './report-model.js';
import { queryFleetReport } from './report-query.js';

const KIND = 'fleet';

export type FleetReportRun =
  { kind: 'queued'; toMs: number } | { kind: 'claimed-elsewhere'; toMs: number; by: string } | { kind: 'not-due' };

/** One run. `client` is a connection to the fleet database; `host` this agent's name. */
export async function runFleetReport(deps: {
  store: Pick<Store, 'reportPeriods'>;
  client: pg.ClientBase;
  host: string;
  report: NonNullable<FleetConfig['report']>;
  nowMs: number;
}): Promise<FleetReportRun> {
  const r = deps.report;
  const period = duePeriod(r.cron, r.timeZone, deps.nowMs, null);
  const repo = deps.store.reportPeriods;
  if (!period || repo.isSent(KIND, period.toMs)) return { kind: 'not-due' };
  const claim = await deps.client.query<{ host: string }>(
    `INSERT INTO fleet_report_sends (period_end, host) VALUES ($1, $2)
     ON CONFLICT (period_end) DO UPDATE SET period_end = EXCLUDED.period_end RETURNING host`,
    [new Date(period.toMs).toISOString(), deps.host],
  );
  const dedupKey = `report|${KIND}|${period.toMs}`;
  const row = { kind: KIND, periodStartMs: period.fromMs, periodEndMs: period.toMs, enqueuedAtMs: deps.nowMs, dedupKey };
  const winner = claim.rows[0].host;
  if (winner !== deps.host) {
    repo.enqueueReport(row, []);
    return { kind: 'claimed-elsewhere', toMs: period.toMs, by: winner };
  }
  const sql = await queryFleetReport(deps.client, period);
  let closestToOom: FleetReport['closestToOom'] = null;
  let prometheusProblem: string | null = r.prometheus ? null : 'fleet.report.prometheus is not set';
  if (r.prometheus) {
    try {
      closestToOom = await queryClosestToOom(r.prometheus, period);
    } catch (err) {
      prometheusProblem = `Prometheus at ${new URL(r.prometheus).host} could not be queried (${(err as Error).message}): check fleet.report.prometheus`;
    }
  }
  const model: FleetReport = {
    schema: 'oomwatch.report.fleet/v1',
    timeZone: r.timeZone,
    period,
    ...sql,
    closestToOom,
    prometheusProblem,
    headline: '',
  };
  model.headline = fleetHeadline(model);
  const doc = buildFleetDoc(model);
  const payload = {
    subject: `Fleet memory report: ${model.headline}`,
    text: renderDocText(doc),
    html: renderDocHtml(doc, { charts: 'table', timeZone: r.timeZone }),
  };
  const drafts: NotificationDraft[] = r.channels.map((channel) => ({
    channel,
    kind: 'report',
    groupKey: `report|${KIND}`,
    host: deps.host,
    createdAtMs: deps.nowMs,
    dedupKey,
    alerts: [],
    report: payload,
  }));
  repo.enqueueReport(row, drafts);
  return { kind: 'queued', toMs: period.toMs };
}
