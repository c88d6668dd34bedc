/**
 * The thin query layer of the reports: reads what assembly needs from the store, in a few bounded queries,
 * and nothing else. Assembly (report/assemble-*.ts) is pure over what these return, so fixture tests and the
 * benchmark exercise the same code the CLI and the daily job run. `createReportQueries` is what the Store
 * hands out (store.ts); the daily report's queries are in report-queries-daily.ts.
 */
import type { Database } from 'better-sqlite3';
import { UNKNOWN_HOST } from '../kernel/incident-view.js';
import type { IncidentView } from '../model/incident.js';
import type { OomTaskRow } from '../model/kernel-report.js';
import { formatDurationMs } from '../util/duration.js';
import { rankedCandidates, type RankedDomain } from './incidents-history.js';
import { createIncidentsRepo } from './incidents-repo.js';
import { createPolicyRepo, type AdjChange } from './policy-repo.js';
import { fetchDailyInput, type DailyQuery } from './report-queries-daily.js';
import { ticksBetween, type SampleRow, type TickRow } from './samples-query.js';

export interface ProcessSeriesRow {
  tsMs: number;
  rssKib: number;
  swapKib: number;
  pgtablesKib: number;
  oomScore: number;
  oomScoreAdj: number;
}

export interface ProcessHistory {
  processId: number;
  pid: number;
  startTimeTicks: number;
  comm: string;
  cgroup: string;
  unit: string | null;
  endedMs: number | null;
  /** Its state at the window's start (if it existed then), then every stored row inside the window. */
  rows: ProcessSeriesRow[];
}

export interface GapRow {
  startMs: number;
  endMs: number;
  reason: string;
}

export interface IncidentInput {
  incident: IncidentView | null;
  tasks: OomTaskRow[];
  host: string;
  /** The host whose samples this database holds; null when it holds none. */
  localHost: string | null;
  /** The window's start: `requestedFromMs`, or the first sample when the history starts inside the window. */
  fromMs: number;
  requestedFromMs: number;
  toMs: number;
  ticks: TickRow[];
  /** The host's cgroup version as the sampler recorded it at the last tick (null before it was recorded). */
  hostCgroupVersion: 1 | 2 | null;
  cgroup: {
    path: string;
    version: 1 | 2 | null;
    rows: { tsMs: number; usageKib: number; limitKib: number; swapLimitKib: number | null }[];
  } | null;
  rankings: { label: string; ranked: RankedDomain | null }[];
  processes: ProcessHistory[];
  adjChanges: AdjChange[];
  /** Kills per victim comm in the 7 days up to the report's instant (this one included). */
  killsThisWeek: { comm: string; count: number }[];
  /** How often each comm was its domain's next victim (first-ranked at the last tick) at the week's kills. */
  nextVictimThisWeek: { comm: string; count: number }[];
  gaps: GapRow[];
}

const WEEK_MS = 7 * 86_400_000;

export interface IncidentQuery {
  incident: IncidentView | null;
  atMs: number;
  windowMs: number;
  host: string;
}

/** The reports' reads, bound to one database. */
export function createReportQueries(db: Database) {
  return {
    findIncident: (sel: { id?: number; last?: boolean }) => findIncident(db, sel),
    incidentInput: (q: IncidentQuery) => fetchIncidentInput(db, q),
    dailyInput: (q: DailyQuery) => fetchDailyInput(db, q),
  };
}

export type ReportQueries = ReturnType<typeof createReportQueries>;

/** The incident to report on: by id, the latest, or none (a report at an instant). */
export function findIncident(db: Database, sel: { id?: number; last?: boolean }): IncidentView | null {
  const repo = createIncidentsRepo(db);
  if (sel.id !== undefined) return repo.get(sel.id);
  if (sel.last) return repo.list({ limit: 1 })[0] ?? null;
  return null;
}

/** Reads the window before `atMs` (the kill, or the instant asked for). */
export function fetchIncidentInput(db: Database, q: IncidentQuery): IncidentInput {
  const requestedFromMs = q.atMs - q.windowMs;
  const toMs = q.atMs;
  const inc = q.incident;
  const tasks = inc?.id != null ? createIncidentsRepo(db).tasks(inc.id) : [];
  const ticks = ticksBetween(db, requestedFromMs, toMs);
  const newest = db.prepare('SELECT hostname FROM tick ORDER BY id DESC LIMIT 1').get() as { hostname: string } | undefined;
  const localHost = ticks.at(-1)?.hostname ?? newest?.hostname ?? null;
  // A kill imported from another host's log has no history here: this host's samples would be a lie.
  // A log without host names (dmesg) is imported as host "unknown": usually this host's own.
  const sameHost = !inc || inc.hostname === (localHost ?? q.host) || inc.hostname === UNKNOWN_HOST;
  const bootId = sameHost ? (inc?.bootId ?? ticks.at(-1)?.boot_id ?? null) : null;
  const cgroupPath = inc && inc.constraint === 'memcg' ? inc.oomMemcg : null;
  const localTicks = bootId ? ticks.filter((t) => t.boot_id === bootId) : [];
  // A window longer than the recorded history (the agent started inside it) is cut to the history: the
  // minutes before the first sample are unknown, not quiet.
  const bootStart =
    bootId && localTicks.length
      ? (db.prepare('SELECT MIN(ts_ms) AS ts FROM tick WHERE boot_id = ?').get(bootId) as { ts: number }).ts
      : null;
  const fromMs = bootStart !== null && bootStart > requestedFromMs ? localTicks[0].ts_ms : requestedFromMs;
  const windowMs = toMs - fromMs;

  const rankings: IncidentInput['rankings'] = [];
  if (bootId && localTicks.length) {
    // Four instants up to the kill: how the order of the next victims moved.
    for (const frac of [1, 2 / 3, 1 / 3, 0]) {
      const at = toMs - Math.round(windowMs * frac);
      const ranked = rankedCandidates(db, { bootId, atMs: at, cgroup: cgroupPath, limit: 8 });
      if (ranked && ranked.tickTsMs >= fromMs - windowMs / 3)
        rankings.push({
          label: frac === 0 ? 'last sample' : `${inc ? 'kill' : 'instant'} − ${formatDurationMs(Math.round(windowMs * frac))}`,
          ranked,
        });
    }
  }

  let cgroup: IncidentInput['cgroup'] = null;
  if (cgroupPath && localTicks.length) {
    const rows = db
      .prepare(
        `SELECT t.ts_ms AS tsMs, s.usage_kib AS usageKib, s.limit_kib AS limitKib, s.swap_limit_kib AS swapLimitKib
        FROM cgroup_sample s JOIN cgroup c ON c.id = s.cgroup_id JOIN tick t ON t.id = s.tick_id
        WHERE c.path = ? AND s.tick_id BETWEEN ? AND ? ORDER BY s.tick_id`,
      )
      .all(cgroupPath, keyframeBefore(db, localTicks[0]), localTicks.at(-1)!.id) as {
      tsMs: number;
      usageKib: number;
      limitKib: number;
      swapLimitKib: number | null;
    }[];
    const known = db.prepare('SELECT version FROM cgroup WHERE path = ?').get(cgroupPath) as { version: 1 | 2 } | undefined;
    cgroup = { path: cgroupPath, version: known?.version ?? null, rows };
  }

  const processes = localTicks.length ? processHistories(db, localTicks[0], localTicks.at(-1)!.id, cgroupPath) : [];
  const adjChanges = sameHost ? createPolicyRepo(db).listChanges({ sinceMs: q.atMs - WEEK_MS, untilMs: q.atMs + 1 }) : [];
  // Kills of this host only: imported logs of other hosts are in the same table.
  const host = inc?.hostname ?? localHost ?? q.host;
  const killsThisWeek = db
    .prepare(
      `SELECT victim_comm AS comm, COUNT(*) AS count FROM incident WHERE victim_comm IS NOT NULL AND COALESCE(ts_ms, created_ms) BETWEEN ? AND ?
      AND hostname = ? GROUP BY victim_comm ORDER BY count DESC, comm`,
    )
    .all(q.atMs - WEEK_MS, q.atMs, host) as { comm: string; count: number }[];
  const gaps = sameHost
    ? (db
        .prepare('SELECT start_ms AS startMs, end_ms AS endMs, reason FROM gap WHERE end_ms >= ? AND start_ms <= ? ORDER BY start_ms')
        .all(fromMs, toMs) as GapRow[])
    : [];
  return {
    incident: inc,
    tasks,
    host,
    localHost,
    fromMs,
    requestedFromMs,
    toMs,
    ticks: localTicks,
    hostCgroupVersion: hostCgroupVersionOf(db, localTicks.at(-1) ?? null),
    cgroup,
    rankings,
    processes,
    adjChanges,
    killsThisWeek,
    nextVictimThisWeek: sameHost ? nextVictims(db, q.atMs - WEEK_MS, q.atMs) : [],
    gaps,
  };
}

/**
 * At each kill of the week: who the sampler had recorded as the next victim of the kill's domain at the
 * last tick before it (tick.host_top_process_id, or the cgroup's top_process_id for a cgroup kill).
 */
function nextVictims(db: Database, fromMs: number, toMs: number): { comm: string; count: number }[] {
  return db
    .prepare(
      `WITH k AS (
        SELECT i.id, i.constraint_kind, i.oom_memcg,
               (SELECT t.id FROM tick t WHERE t.boot_id = i.boot_id AND t.ts_ms <= i.ts_ms ORDER BY t.ts_ms DESC LIMIT 1) AS tick_id
        FROM incident i WHERE i.ts_ms BETWEEN ? AND ? AND i.boot_id IS NOT NULL),
      top AS (
        SELECT CASE WHEN k.constraint_kind = 'memcg' THEN
                 (SELECT cs.top_process_id FROM cgroup_sample cs JOIN cgroup c ON c.id = cs.cgroup_id
                  WHERE c.path = k.oom_memcg AND cs.tick_id <= k.tick_id ORDER BY cs.tick_id DESC LIMIT 1)
               ELSE (SELECT host_top_process_id FROM tick WHERE id = k.tick_id) END AS process_id
        FROM k WHERE k.tick_id IS NOT NULL)
      SELECT p.comm, COUNT(*) AS count FROM top JOIN process p ON p.id = top.process_id GROUP BY p.comm ORDER BY count DESC, p.comm`,
    )
    .all(fromMs, toMs) as { comm: string; count: number }[];
}

/**
 * The host's cgroup version: recorded per tick since migration 0008; for older ticks, the version of the
 * memory cgroups sampled then (a host mounts one hierarchy for memory), else unknown.
 */
function hostCgroupVersionOf(db: Database, t: TickRow | null): 1 | 2 | null {
  if (!t) return null;
  if (t.cgroup_version === 1 || t.cgroup_version === 2) return t.cgroup_version;
  const row = db
    .prepare(
      'SELECT c.version FROM cgroup_sample s JOIN cgroup c ON c.id = s.cgroup_id WHERE s.tick_id <= ? ORDER BY s.tick_id DESC LIMIT 1',
    )
    .get(t.id) as { version: 1 | 2 } | undefined;
  return row?.version ?? null;
}

function keyframeBefore(db: Database, t: TickRow): number {
  const row = db.prepare('SELECT max(id) AS id FROM tick WHERE boot_id = ? AND keyframe = 1 AND id <= ?').get(t.boot_id, t.id) as {
    id: number | null;
  };
  return row.id ?? t.id;
}

/**
 * Every process of the domain (a cgroup and its children, or the host) with its state at the window's
 * start (its latest row since the keyframe before the first tick) and its rows inside the window.
 */
function processHistories(db: Database, first: TickRow, lastTickId: number, cgroup: string | null): ProcessHistory[] {
  const kf = keyframeBefore(db, first);
  const rows = db
    .prepare(
      `SELECT s.process_id AS pid_id, s.tick_id, t.ts_ms, s.rss_kib, s.swap_kib, s.pgtables_kib, s.oom_score, s.oom_score_adj
      FROM sample s JOIN tick t ON t.id = s.tick_id JOIN process p ON p.id = s.process_id
      WHERE s.tick_id BETWEEN ? AND ? AND (? IS NULL OR p.cgroup = ? OR substr(p.cgroup, 1, length(?) + 1) = ? || '/')
      ORDER BY s.process_id, s.tick_id`,
    )
    .all(kf, lastTickId, cgroup, cgroup, cgroup, cgroup) as (SampleRow & { pid_id: number })[];
  const byId = new Map<number, ProcessSeriesRow[]>();
  for (const r of rows) {
    let list = byId.get(r.pid_id);
    if (!list) byId.set(r.pid_id, (list = []));
    const row = {
      tsMs: r.ts_ms,
      rssKib: r.rss_kib,
      swapKib: r.swap_kib,
      pgtablesKib: r.pgtables_kib,
      oomScore: r.oom_score,
      oomScoreAdj: r.oom_score_adj,
    };
    // Rows before the first tick only set the starting state: keep the latest of them.
    if (r.tick_id < first.id && list.length && list[list.length - 1].tsMs < first.ts_ms) list[list.length - 1] = row;
    else list.push(row);
  }
  if (byId.size === 0) return [];
  const facts = db
    .prepare(`SELECT id, pid, start_time_ticks, comm, cgroup, unit, ended_ms FROM process WHERE id IN (SELECT value FROM json_each(?))`)
    .all(JSON.stringify([...byId.keys()])) as {
    id: number;
    pid: number;
    start_time_ticks: number;
    comm: string;
    cgroup: string;
    unit: string | null;
    ended_ms: number | null;
  }[];
  return facts
    .filter((f) => f.ended_ms === null || f.ended_ms > first.ts_ms)
    .map((f) => ({
      processId: f.id,
      pid: f.pid,
      startTimeTicks: f.start_time_ticks,
      comm: f.comm,
      cgroup: f.cgroup,
      unit: f.unit,
      endedMs: f.ended_ms,
      rows: byId.get(f.id)!,
    }))
    .sort((a, b) => a.processId - b.processId);
}
