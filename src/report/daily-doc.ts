/** The daily risk report as a Doc (doc.ts). Pure. */
import { formatDurationMs } from '../util/duration.js';
import { compactWorkload } from '../workload/describe.js';
import { formatBytes, formatPercent } from '../util/format.js';
import { at, type Block, type Doc } from './doc.js';
import type { DailyReport } from './types.js';

const more = (n: number, what: string) => (n > 0 ? `and ${n} more ${what}` : undefined);

export function buildDailyDoc(r: DailyReport): Doc {
  const tz = r.timeZone;
  const blocks: Block[] = [];
  const bucketMs = Math.max(1, Math.ceil((r.period.toMs - r.period.fromMs) / 30));
  blocks.push({ kind: 'para', text: r.headline });

  blocks.push({ kind: 'heading', text: 'Incidents' });
  if (r.incidents.length) {
    blocks.push({
      kind: 'table',
      headers: ['ID', 'AT', 'VICTIM', 'CONSTRAINT', 'WORKLOAD'],
      right: [0],
      rows: r.incidents.map((i) => [
        String(i.id),
        at(i.timeMs, tz),
        i.victimComm ? `${i.victimComm} (${i.victimPid})` : 'unknown',
        i.constraint ?? '-',
        (i.workload ? compactWorkload(i.workload) : null) ?? i.memcg ?? '-',
      ]),
      more: more(r.incidentsMore, 'incidents'),
    });
    blocks.push({ kind: 'para', text: 'Details: oomwatch report --incident ID' });
  } else blocks.push({ kind: 'para', text: 'no OOM kills in the period' });

  blocks.push({ kind: 'heading', text: 'Near misses' });
  const near: string[] = [];
  if (r.memory) {
    near.push(
      `lowest available memory ${formatPercent(r.memory.lowestAvailableFraction)} (${formatBytes(r.memory.lowestAvailableBytes)} of ${formatBytes(r.memory.memTotalBytes)}) at ${at(r.memory.lowestAvailableAtMs, tz)}`,
    );
    near.push(
      r.memory.peakPsiSome10 === null
        ? 'memory pressure (PSI): not available on this kernel'
        : `highest memory pressure (PSI some avg10) ${r.memory.peakPsiSome10.toFixed(1)} % at ${at(r.memory.peakPsiAtMs, tz)}`,
    );
  } else near.push('no samples in the period: the agent was not running');
  blocks.push({ kind: 'list', items: near });
  if (r.memory)
    blocks.push({
      kind: 'chart',
      chart: {
        title: 'Available memory (lowest per interval)',
        unit: 'percent',
        startMs: r.period.fromMs,
        bucketMs,
        max: 100,
        series: [{ name: 'MemAvailable', values: r.memory.availableTrend.map((v) => (v === null ? null : v * 100)) }],
      },
    });
  if (r.nearLimitCgroups.length) {
    blocks.push({
      kind: 'table',
      headers: ['CGROUP', 'PEAK', 'LIMIT', 'USED', 'AT'],
      right: [1, 2, 3],
      rows: r.nearLimitCgroups.map((c) => [
        c.path,
        formatBytes(c.peakUsageBytes),
        formatBytes(c.limitBytes),
        formatPercent(c.peakFraction),
        at(c.atMs, tz),
      ]),
      more: more(r.nearLimitMore, 'cgroups'),
    });
  } else blocks.push({ kind: 'para', text: 'no memory cgroup came within 10 % of its limit' });

  blocks.push({ kind: 'heading', text: 'Highest peak risk' });
  if (r.topRisk.length) {
    blocks.push({
      kind: 'table',
      headers: ['PID', 'COMM', 'PEAK RISK‰', 'RSS AT PEAK', 'ADJ', 'TREND', 'AT'],
      right: [0, 2, 3, 4],
      rows: r.topRisk.map((p) => [
        String(p.pid),
        p.comm,
        String(p.peakRisk),
        formatBytes(p.peakRssBytes),
        String(p.oomScoreAdj),
        p.direction,
        at(p.peakAtMs, tz),
      ]),
      more: more(r.topRiskMore, 'processes'),
    });
    blocks.push({
      kind: 'chart',
      chart: {
        title: 'Memory of the highest-risk processes',
        unit: 'bytes',
        startMs: r.period.fromMs,
        bucketMs,
        series: r.topRisk.slice(0, 5).map((p) => ({ name: `${p.comm} (${p.pid})`, values: p.trend })),
      },
    });
  } else blocks.push({ kind: 'para', text: 'no processes sampled in the period' });

  blocks.push({ kind: 'heading', text: 'Protected processes' });
  if (r.protectedExposure.length) {
    blocks.push({
      kind: 'table',
      headers: ['PID', 'COMM', 'ADJ', 'PEAK RISK‰', 'TICKS AS NEXT VICTIM'],
      right: [0, 2, 3, 4],
      rows: r.protectedExposure.map((p) => [String(p.pid), p.comm, String(p.oomScoreAdj), String(p.peakRisk), String(p.timesNextVictim)]),
    });
  } else blocks.push({ kind: 'para', text: 'no protected processes (oom_score_adj between -999 and -1) were sampled' });
  if (r.policyFailures.length) {
    blocks.push({
      kind: 'list',
      items: r.policyFailures.map(
        (f) =>
          `protection of ${f.comm} (pid ${f.pid}) ${f.outcome} ${f.count} time${f.count === 1 ? '' : 's'}${f.message ? `: ${f.message}` : ''}`,
      ),
    });
  }

  blocks.push({ kind: 'heading', text: 'Alerts' });
  const alerts: string[] = [];
  for (const f of r.alerts.fired)
    alerts.push(`${f.ruleId} (${f.severity}) fired ${f.count} time${f.count === 1 ? '' : 's'}; last: ${f.lastSummary}`);
  for (const o of r.alerts.open) alerts.push(`still firing since ${at(o.sinceMs, tz)}: ${o.ruleId} (${o.severity}) ${o.summary}`);
  if (r.alerts.openMore) alerts.push(`and ${r.alerts.openMore} more still firing`);
  blocks.push(alerts.length ? { kind: 'list', items: alerts } : { kind: 'para', text: 'no alerts fired; none open' });

  blocks.push({ kind: 'heading', text: 'Agent health' });
  const health: string[] = [`${r.ticks} samples in the period`];
  for (const g of r.health.gaps) health.push(`gap: ${g.reason} ×${g.count}, ${formatDurationMs(g.totalMs)} without data`);
  if (r.health.deniedTicks)
    health.push(
      `unreadable processes in ${r.health.deniedTicks} samples (at most ${r.health.maxDenied} at once): run as root or drop hidepid`,
    );
  for (const e of r.health.events) health.push(`${e.kind} ×${e.count}: ${e.lastMessage}`);
  if (health.length === 1) health.push('no gaps, no unreadable sources');
  blocks.push({ kind: 'list', items: health });

  return { title: `oomwatch daily report for ${r.host}`, subtitle: `${at(r.period.fromMs, tz)} → ${at(r.period.toMs, tz)}`, blocks };
}
