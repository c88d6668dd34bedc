/** Assembles the daily risk report from what query-daily.ts read. Pure. */
import { riskFromOomScore } from '../sample/risk.js';
import { formatBytes, formatPercent } from '../util/format.js';
import type { DailyInput } from '../store/report-queries-daily.js';
import { BUCKETS, bucketSeries, directionOf, holdMsOf } from './series.js';
import type { DailyProcessRow, DailyReport } from './types.js';

const KIB = 1024;
/** "Near miss" for a cgroup: within 10 % of its limit (issue 5). */
const NEAR_LIMIT_FRACTION = 0.9;

export function assembleDailyReport(input: DailyInput, opts: { timeZone: string; topN: number }): DailyReport {
  const { fromMs, toMs } = input;
  const n = opts.topN;
  const bucketMs = Math.max(1, Math.ceil((toMs - fromMs) / BUCKETS));

  let memory: DailyReport['memory'] = null;
  if (input.ticks.length) {
    let low = input.ticks[0];
    let psi: { v: number; at: number } | null = null;
    for (const t of input.ticks) {
      if (t.memAvailableKib / t.memTotalKib < low.memAvailableKib / low.memTotalKib) low = t;
      if (t.psiSome10 !== null && (psi === null || t.psiSome10 > psi.v)) psi = { v: t.psiSome10, at: t.tsMs };
    }
    memory = {
      memTotalBytes: low.memTotalKib * KIB,
      lowestAvailableBytes: low.memAvailableKib * KIB,
      lowestAvailableFraction: low.memAvailableKib / low.memTotalKib,
      lowestAvailableAtMs: low.tsMs,
      peakPsiSome10: psi?.v ?? null,
      peakPsiAtMs: psi?.at ?? null,
      // A short period cut into buckets shorter than the sampling interval: each tick's value holds until the next.
      availableTrend: bucketSeries(
        input.ticks,
        fromMs,
        bucketMs,
        BUCKETS,
        (t) => t.memAvailableKib / t.memTotalKib,
        Math.min,
        holdMsOf(input.ticks.map((t) => t.tsMs)),
      ),
    };
  }

  const rowsById = new Map<number, { tsMs: number; rssKib: number }[]>();
  for (const r of input.trendRows) {
    let l = rowsById.get(r.processId);
    if (!l) rowsById.set(r.processId, (l = []));
    l.push(r);
  }
  const risk = (score: number) => Math.round(riskFromOomScore(score, input.scale));
  const topRisk: DailyProcessRow[] = input.peaks.slice(0, n).map((p) => {
    const rows = rowsById.get(p.processId) ?? [];
    // Highest value per interval: an interval without samples stays empty rather than repeating the last one.
    const trend = bucketSeries(rows, fromMs, bucketMs, BUCKETS, (r) => r.rssKib * KIB, Math.max);
    return {
      pid: p.pid,
      comm: p.comm,
      cgroup: p.cgroup,
      unit: p.unit,
      peakRisk: risk(p.oomScore),
      peakAtMs: p.tsMs,
      peakRssBytes: p.rssKib * KIB,
      oomScoreAdj: p.oomScoreAdj,
      trend,
      direction: directionOf(rows.map((r) => r.rssKib * KIB)),
    };
  });
  const nextCount = new Map(input.timesNextVictim.map((t) => [t.processId, t.count]));
  const protectedExposure = input.peaks
    .filter((p) => p.oomScoreAdj < 0 && p.oomScoreAdj > -1000)
    .slice(0, n)
    .map((p) => ({
      pid: p.pid,
      comm: p.comm,
      oomScoreAdj: p.oomScoreAdj,
      peakRisk: risk(p.oomScore),
      timesNextVictim: nextCount.get(p.processId) ?? 0,
    }));
  const near = input.cgroupPeaks.filter((c) => c.usageKib >= c.limitKib * NEAR_LIMIT_FRACTION);
  const incidents = input.incidents.map((i) => ({
    id: i.id!,
    timeMs: i.timeMs,
    victimComm: i.victim?.comm ?? null,
    victimPid: i.victim?.pid ?? null,
    constraint: i.constraint,
    memcg: i.oomMemcg,
    source: i.source,
    workload: i.workload,
  }));
  const gapsByReason = new Map<string, { reason: string; count: number; totalMs: number }>();
  for (const g of input.gaps) {
    const e = gapsByReason.get(g.reason) ?? { reason: g.reason, count: 0, totalMs: 0 };
    e.count++;
    e.totalMs += Math.min(g.endMs, toMs) - Math.max(g.startMs, fromMs);
    gapsByReason.set(g.reason, e);
  }
  const denied = input.ticks.filter((t) => t.nDenied > 0);
  const report: DailyReport = {
    schema: 'oomwatch.report.daily/v1',
    host: input.host,
    timeZone: opts.timeZone,
    period: { fromMs, toMs },
    ticks: input.ticks.length,
    incidents: incidents.slice(0, n),
    incidentsMore: Math.max(0, incidents.length - n),
    memory,
    nearLimitCgroups: near.slice(0, n).map((c) => ({
      path: c.path,
      peakUsageBytes: c.usageKib * KIB,
      limitBytes: c.limitKib * KIB,
      peakFraction: c.usageKib / c.limitKib,
      atMs: c.tsMs,
    })),
    nearLimitMore: Math.max(0, near.length - n),
    topRisk,
    topRiskMore: Math.max(0, input.peaks.length - topRisk.length),
    protectedExposure,
    policyFailures: input.adjFailures.slice(0, n),
    alerts: {
      fired: input.alertsFired.slice(0, n),
      open: input.alertsOpen.slice(0, n),
      openMore: Math.max(0, input.alertsOpen.length - n),
    },
    health: {
      gaps: [...gapsByReason.values()],
      events: input.events,
      deniedTicks: denied.length,
      maxDenied: Math.max(0, ...denied.map((t) => t.nDenied)),
    },
    headline: '',
  };
  report.headline = headlineOf(report);
  return report;
}

/** One line that reads well when nothing happened, and names the worst thing when something did. */
function headlineOf(r: DailyReport): string {
  const parts: string[] = [];
  const kills = r.incidents.length + r.incidentsMore;
  parts.push(kills === 0 ? 'no incidents' : `${kills} OOM kill${kills === 1 ? '' : 's'}`);
  if (r.memory)
    parts.push(
      `lowest available memory ${formatPercent(r.memory.lowestAvailableFraction)} (${formatBytes(r.memory.lowestAvailableBytes)})`,
    );
  else parts.push('no samples in the period');
  const near = r.nearLimitCgroups.length + r.nearLimitMore;
  if (near) parts.push(`${near} cgroup${near === 1 ? '' : 's'} within 10 % of their limit`);
  if (r.alerts.open.length)
    parts.push(
      `${r.alerts.open.length + r.alerts.openMore} alert${r.alerts.open.length + r.alerts.openMore === 1 ? '' : 's'} still firing`,
    );
  return parts.join('; ');
}
