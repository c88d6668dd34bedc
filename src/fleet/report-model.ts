/**
 * The fleet report (`oomwatch fleet report`): kills per host and per workload, repeated victims and the
 * week's trend from the fleet database, the hosts closest to OOM from Prometheus. The model and its Doc are
 * pure; the daily report's renderers (src/report/render-*.ts) turn the Doc into text, Markdown and HTML.
 */
import { formatPercent } from '../util/format.js';
import { at, type Block, type Doc } from '../report/doc.js';

export interface FleetReport {
  schema: 'oomwatch.report.fleet/v1';
  timeZone: string;
  period: { fromMs: number; toMs: number };
  kills: number;
  hosts: number;
  killsPerHost: { host: string; kills: number; lastMs: number }[];
  killsPerWorkload: { workload: string; kills: number; hosts: number }[];
  repeatedVictims: { comm: string; kills: number; hosts: number; lastMs: number }[];
  /** Kills per day over the 7 days ending at the period's end, oldest first. */
  weekTrend: { dayStartMs: number; kills: number }[];
  /** From Prometheus; null when no Prometheus was given or it could not be queried (see `prometheusProblem`). */
  closestToOom:
    { host: string; lowestAvailableFraction: number | null; peakPsiSome10: number | null; peakRiskPermille: number | null }[] | null;
  prometheusProblem: string | null;
  headline: string;
}

export const TOP_ROWS = 15;

export function fleetHeadline(r: Pick<FleetReport, 'kills' | 'hosts' | 'closestToOom'>): string {
  const kills =
    r.kills === 0
      ? 'no OOM kills in the fleet'
      : `${r.kills} OOM kill${r.kills === 1 ? '' : 's'} on ${r.hosts} host${r.hosts === 1 ? '' : 's'}`;
  const low = r.closestToOom?.find((h) => h.lowestAvailableFraction !== null);
  return low ? `${kills}; lowest available memory ${formatPercent(low.lowestAvailableFraction)} on ${low.host}` : kills;
}

const num = (v: number | null, f: (n: number) => string) => (v === null ? '-' : f(v));

export function buildFleetDoc(r: FleetReport): Doc {
  const tz = r.timeZone;
  const blocks: Block[] = [{ kind: 'para', text: r.headline }];

  blocks.push({ kind: 'heading', text: 'Hosts closest to OOM' });
  if (r.closestToOom === null) blocks.push({ kind: 'para', text: r.prometheusProblem ?? 'not asked: pass --prometheus URL' });
  else if (r.closestToOom.length === 0)
    blocks.push({
      kind: 'para',
      text: 'Prometheus holds no oomwatch series for the period: check that it scrapes the agents (docs/fleet.md)',
    });
  else
    blocks.push({
      kind: 'table',
      headers: ['HOST', 'LOWEST AVAILABLE', 'PEAK PSI SOME10', 'PEAK RISK‰'],
      right: [1, 2, 3],
      rows: r.closestToOom.map((h) => [
        h.host,
        num(h.lowestAvailableFraction, (v) => formatPercent(v)),
        num(h.peakPsiSome10, (v) => `${(v * 100).toFixed(1)} %`),
        num(h.peakRiskPermille, (v) => String(Math.round(v))),
      ]),
    });

  blocks.push({ kind: 'heading', text: 'Kills per host' });
  if (r.killsPerHost.length)
    blocks.push({
      kind: 'table',
      headers: ['HOST', 'KILLS', 'LAST'],
      right: [1],
      rows: r.killsPerHost.map((h) => [h.host, String(h.kills), at(h.lastMs, tz)]),
    });
  else blocks.push({ kind: 'para', text: 'no OOM kills in the period' });

  blocks.push({ kind: 'heading', text: 'Kills per workload' });
  if (r.killsPerWorkload.length)
    blocks.push({
      kind: 'table',
      headers: ['WORKLOAD', 'KILLS', 'HOSTS'],
      right: [1, 2],
      rows: r.killsPerWorkload.map((w) => [w.workload, String(w.kills), String(w.hosts)]),
    });
  else blocks.push({ kind: 'para', text: 'no OOM kills in the period' });

  blocks.push({ kind: 'heading', text: 'Repeated victims' });
  if (r.repeatedVictims.length)
    blocks.push({
      kind: 'table',
      headers: ['PROCESS', 'KILLS', 'HOSTS', 'LAST'],
      right: [1, 2],
      rows: r.repeatedVictims.map((v) => [v.comm, String(v.kills), String(v.hosts), at(v.lastMs, tz)]),
    });
  else blocks.push({ kind: 'para', text: 'no process was killed more than once' });

  blocks.push({ kind: 'heading', text: 'The week' });
  const peak = Math.max(1, ...r.weekTrend.map((d) => d.kills));
  blocks.push({
    kind: 'table',
    headers: ['DAY', 'KILLS', ''],
    right: [1],
    rows: r.weekTrend.map((d) => [at(d.dayStartMs, tz).slice(0, 10), String(d.kills), '#'.repeat(Math.round((d.kills / peak) * 30))]),
  });
  blocks.push({ kind: 'para', text: 'Details: oomwatch fleet incidents --since 7d, then oomwatch fleet incident HOST:ID' });
  return { title: 'oomwatch fleet report', subtitle: `${at(r.period.fromMs, tz)} – ${at(r.period.toMs, tz)}`, blocks };
}
