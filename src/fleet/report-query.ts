/** The fleet report's SQL over the central schema (migrations/fleet/). */
import type pg from 'pg';
import { TOP_ROWS, type FleetReport } from './report-model.js';

const DAY_MS = 86_400_000;

type SqlPart = Pick<FleetReport, 'kills' | 'hosts' | 'killsPerHost' | 'killsPerWorkload' | 'repeatedVictims' | 'weekTrend'>;

export async function queryFleetReport(client: pg.ClientBase, q: { fromMs: number; toMs: number }): Promise<SqlPart> {
  const period = [new Date(q.fromMs).toISOString(), new Date(q.toMs).toISOString()];
  const ms = (col: string) => `(extract(epoch from ${col}) * 1000)::float8`;
  const totals = await client.query<{ kills: number; hosts: number }>(
    'SELECT count(*)::int AS kills, count(DISTINCT host)::int AS hosts FROM incidents WHERE at > $1 AND at <= $2',
    period,
  );
  const perHost = await client.query<{ host: string; kills: number; last_ms: number }>(
    `SELECT host, count(*)::int AS kills, ${ms('max(at)')} AS last_ms FROM incidents WHERE at > $1 AND at <= $2 GROUP BY host ORDER BY kills DESC, host LIMIT ${TOP_ROWS}`,
    period,
  );
  // A workload: the pod (with its namespace and container) when known, else the cgroup the kill happened in.
  const perWorkload = await client.query<{ workload: string; kills: number; hosts: number }>(
    `SELECT COALESCE(NULLIF(concat_ws('/', namespace, pod, container), ''), cgroup, '(unknown)') AS workload, count(*)::int AS kills, count(DISTINCT host)::int AS hosts
     FROM incidents WHERE at > $1 AND at <= $2 GROUP BY 1 ORDER BY kills DESC, workload LIMIT ${TOP_ROWS}`,
    period,
  );
  const repeated = await client.query<{ comm: string; kills: number; hosts: number; last_ms: number }>(
    `SELECT victim_comm AS comm, count(*)::int AS kills, count(DISTINCT host)::int AS hosts, ${ms('max(at)')} AS last_ms
     FROM incidents WHERE at > $1 AND at <= $2 AND victim_comm IS NOT NULL GROUP BY victim_comm HAVING count(*) > 1 ORDER BY kills DESC, comm LIMIT ${TOP_ROWS}`,
    period,
  );
  // Seven whole days ending at the period's end (UTC days).
  const lastDay = Math.floor(q.toMs / DAY_MS) * DAY_MS;
  const firstDay = lastDay - 6 * DAY_MS;
  const week = await client.query<{ day_ms: number; kills: number }>(
    `SELECT ${ms("date_trunc('day', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'")} AS day_ms, count(*)::int AS kills
     FROM incidents WHERE at >= $1 AND at <= $2 GROUP BY 1`,
    [new Date(firstDay).toISOString(), new Date(q.toMs).toISOString()],
  );
  const byDay = new Map(week.rows.map((r) => [Math.round(r.day_ms), r.kills]));
  return {
    kills: totals.rows[0].kills,
    hosts: totals.rows[0].hosts,
    killsPerHost: perHost.rows.map((r) => ({ host: r.host, kills: r.kills, lastMs: Math.round(r.last_ms) })),
    killsPerWorkload: perWorkload.rows,
    repeatedVictims: repeated.rows.map((r) => ({ comm: r.comm, kills: r.kills, hosts: r.hosts, lastMs: Math.round(r.last_ms) })),
    weekTrend: Array.from({ length: 7 }, (_, i) => firstDay + i * DAY_MS).map((d) => ({ dayStartMs: d, kills: byDay.get(d) ?? 0 })),
  };
}
