/**
 * Reads what the daily risk report needs for one period, in bounded aggregate queries (the sample table is
 * scanned by its tick range, never by process). Assembly is in report/assemble-daily.ts (pure).
 */
import type { Database } from 'better-sqlite3';
import { UNKNOWN_HOST } from '../kernel/incident-view.js';
import type { IncidentView } from '../model/incident.js';
import type { OomScoreScale } from '../model/snapshot.js';
import { createIncidentsRepo } from './incidents-repo.js';

export interface DailyInput {
  host: string;
  fromMs: number;
  toMs: number;
  scale: OomScoreScale;
  ticks: { tsMs: number; memTotalKib: number; memAvailableKib: number; psiSome10: number | null; nDenied: number }[];
  incidents: IncidentView[];
  /** Each process's peak oom_score in the period (with the row it peaked at). */
  peaks: {
    processId: number;
    pid: number;
    comm: string;
    cgroup: string;
    unit: string | null;
    oomScore: number;
    oomScoreAdj: number;
    rssKib: number;
    tsMs: number;
  }[];
  /** Rows of the top processes (by peak), for trends. */
  trendRows: { processId: number; tsMs: number; rssKib: number }[];
  timesNextVictim: { processId: number; count: number }[];
  cgroupPeaks: { path: string; usageKib: number; limitKib: number; tsMs: number }[];
  adjFailures: { comm: string; pid: number; outcome: string; count: number; message: string | null }[];
  alertsFired: { ruleId: string; severity: string; count: number; lastSummary: string }[];
  alertsOpen: { ruleId: string; severity: string; summary: string; sinceMs: number }[];
  gaps: { reason: string; startMs: number; endMs: number }[];
  events: { kind: string; count: number; lastMessage: string }[];
}

export interface DailyQuery {
  fromMs: number;
  toMs: number;
  host: string;
  topN: number;
}

export function fetchDailyInput(db: Database, q: DailyQuery): DailyInput {
  const range = db.prepare('SELECT MIN(id) AS a, MAX(id) AS b FROM tick WHERE ts_ms > ? AND ts_ms <= ?').get(q.fromMs, q.toMs) as {
    a: number | null;
    b: number | null;
  };
  const a = range.a ?? 0;
  const b = range.b ?? -1;
  const ticks = db
    .prepare(
      `SELECT ts_ms AS tsMs, mem_total_kib AS memTotalKib, mem_available_kib AS memAvailableKib, psi_some_avg10 AS psiSome10, n_denied AS nDenied
      FROM tick WHERE id BETWEEN ? AND ? ORDER BY id`,
    )
    .all(a, b) as DailyInput['ticks'];
  const last = db.prepare('SELECT scale, hostname FROM tick WHERE id = ?').get(b) as { scale: OomScoreScale; hostname: string } | undefined;
  // This host's kills only: logs imported from other hosts share the table.
  const thisHost = last?.hostname ?? q.host;
  const incidents = createIncidentsRepo(db)
    .list({ sinceMs: q.fromMs + 1, untilMs: q.toMs, limit: 10_000 })
    .filter((i) => i.hostname === thisHost || i.hostname === UNKNOWN_HOST) // a log without host names is usually this host's
    .reverse();
  // SQLite: bare columns next to MAX() come from the row holding the maximum.
  const peaks = db
    .prepare(
      `SELECT m.process_id AS processId, p.pid, p.comm, p.cgroup, p.unit, m.oom_score AS oomScore, m.oom_score_adj AS oomScoreAdj, m.rss_kib AS rssKib, t.ts_ms AS tsMs
      FROM (SELECT process_id, MAX(oom_score) AS oom_score, oom_score_adj, rss_kib, tick_id FROM sample WHERE tick_id BETWEEN ? AND ? GROUP BY process_id) m
      JOIN process p ON p.id = m.process_id JOIN tick t ON t.id = m.tick_id
      ORDER BY m.oom_score DESC, p.pid`,
    )
    .all(a, b) as DailyInput['peaks'];
  const topIds = peaks.slice(0, q.topN).map((p) => p.processId);
  const trendRows = topIds.length
    ? (db
        .prepare(
          `SELECT s.process_id AS processId, t.ts_ms AS tsMs, s.rss_kib AS rssKib FROM sample s JOIN tick t ON t.id = s.tick_id
          WHERE s.tick_id BETWEEN ? AND ? AND s.process_id IN (SELECT value FROM json_each(?)) ORDER BY s.tick_id`,
        )
        .all(a, b, JSON.stringify(topIds)) as DailyInput['trendRows'])
    : [];
  const timesNextVictim = db
    .prepare(
      'SELECT host_top_process_id AS processId, COUNT(*) AS count FROM tick WHERE id BETWEEN ? AND ? AND host_top_process_id IS NOT NULL GROUP BY host_top_process_id',
    )
    .all(a, b) as DailyInput['timesNextVictim'];
  const cgroupPeaks = db
    .prepare(
      `SELECT c.path, m.usage_kib AS usageKib, m.limit_kib AS limitKib, t.ts_ms AS tsMs
      FROM (SELECT cgroup_id, MAX(CAST(usage_kib AS REAL) / limit_kib) AS f, usage_kib, limit_kib, tick_id FROM cgroup_sample
            WHERE tick_id BETWEEN ? AND ? AND limit_kib > 0 GROUP BY cgroup_id) m
      JOIN cgroup c ON c.id = m.cgroup_id JOIN tick t ON t.id = m.tick_id ORDER BY m.f DESC, c.path`,
    )
    .all(a, b) as DailyInput['cgroupPeaks'];
  const adjFailures = db
    .prepare(
      `SELECT comm, pid, outcome, COUNT(*) AS count, MAX(message) AS message FROM adj_change
      WHERE ts_ms > ? AND ts_ms <= ? AND outcome <> 'applied' GROUP BY boot_id, pid, start_time_ticks, outcome ORDER BY count DESC, pid`,
    )
    .all(q.fromMs, q.toMs) as DailyInput['adjFailures'];
  const alertsFired = db
    .prepare(
      `SELECT rule_id AS ruleId, severity, COUNT(*) AS count, (SELECT summary FROM alert_event e2 WHERE e2.rule_id = e.rule_id AND e2.kind = 'firing'
        AND e2.at_ms > ? AND e2.at_ms <= ? ORDER BY at_ms DESC LIMIT 1) AS lastSummary
      FROM alert_event e WHERE kind = 'firing' AND at_ms > ? AND at_ms <= ? GROUP BY rule_id, severity ORDER BY count DESC, rule_id`,
    )
    .all(q.fromMs, q.toMs, q.fromMs, q.toMs) as DailyInput['alertsFired'];
  const alertsOpen = db
    .prepare(
      `SELECT rule_id AS ruleId, severity, summary, COALESCE(fired_at_ms, active_since_ms) AS sinceMs FROM alert_instance
      WHERE status = 'firing' ORDER BY sinceMs, fingerprint`,
    )
    .all() as DailyInput['alertsOpen'];
  const gaps = db
    .prepare('SELECT reason, start_ms AS startMs, end_ms AS endMs FROM gap WHERE end_ms > ? AND start_ms <= ? ORDER BY start_ms')
    .all(q.fromMs, q.toMs) as DailyInput['gaps'];
  const events = db
    .prepare(
      `SELECT kind, COUNT(*) AS count, (SELECT message FROM agent_event e2 WHERE e2.kind = e.kind AND e2.ts_ms > ? AND e2.ts_ms <= ? ORDER BY ts_ms DESC, id DESC LIMIT 1) AS lastMessage
      FROM agent_event e WHERE ts_ms > ? AND ts_ms <= ? GROUP BY kind ORDER BY count DESC, kind`,
    )
    .all(q.fromMs, q.toMs, q.fromMs, q.toMs) as DailyInput['events'];
  return {
    host: last?.hostname ?? q.host,
    fromMs: q.fromMs,
    toMs: q.toMs,
    scale: last?.scale ?? 'new',
    ticks,
    incidents,
    peaks,
    trendRows,
    timesNextVictim,
    cgroupPeaks,
    adjFailures,
    alertsFired,
    alertsOpen,
    gaps,
    events,
  };
}
