import type { Database } from 'better-sqlite3';
import { rankDomains } from '../sample/rank.js';
import { isImmune, riskFromOomScore } from '../sample/risk.js';
import { isUserCgroupPath } from '../sample/parse/pid-cgroup.js';
import type { CgroupMemory, HostMemory, HostSnapshot, MemoryPsi, OomScoreScale, ProcessSample } from '../model/snapshot.js';

export interface TickRow {
  id: number;
  ts_ms: number;
  boot_id: string;
  hostname: string;
  keyframe: number;
  scale: OomScoreScale;
  mem_total_kib: number;
  mem_available_kib: number;
  mem_free_kib: number;
  swap_total_kib: number;
  swap_free_kib: number;
  psi_some_avg10: number | null;
  psi_some_avg60: number | null;
  psi_some_avg300: number | null;
  psi_full_avg10: number | null;
  psi_full_avg60: number | null;
  psi_full_avg300: number | null;
  vmstat_oom_kill: number | null;
  n_listed: number;
  n_sampled: number;
  n_gone: number;
  n_denied: number;
  host_top_process_id: number | null;
  duration_us: number;
  /** The host's cgroup version (migration 0008); null when unknown or written before it. */
  cgroup_version: number | null;
}

export interface ProcessRow {
  id: number;
  boot_id: string;
  pid: number;
  start_time_ticks: number;
  ppid: number;
  uid: number | null;
  comm: string;
  cmdline: string;
  exe: string | null;
  cgroup: string;
  unit: string | null;
  first_seen_ms: number;
  last_seen_ms: number;
  ended_ms: number | null;
}

export interface SampleRow {
  tick_id: number;
  ts_ms: number;
  rss_kib: number;
  swap_kib: number;
  pgtables_kib: number;
  oom_score: number;
  oom_score_adj: number;
}

/** The last tick at or before `tsMs` (null when the store has none). */
export function tickAt(db: Database, tsMs: number): TickRow | null {
  return (db.prepare('SELECT * FROM tick WHERE ts_ms <= ? ORDER BY ts_ms DESC, id DESC LIMIT 1').get(tsMs) as TickRow | undefined) ?? null;
}

export function ticksBetween(db: Database, fromMs: number, toMs: number): TickRow[] {
  return db.prepare('SELECT * FROM tick WHERE ts_ms BETWEEN ? AND ? ORDER BY ts_ms, id').all(fromMs, toMs) as TickRow[];
}

export const hostMemoryOf = (t: TickRow): HostMemory => ({
  memTotalBytes: t.mem_total_kib * 1024,
  memAvailableBytes: t.mem_available_kib * 1024,
  memFreeBytes: t.mem_free_kib * 1024,
  swapTotalBytes: t.swap_total_kib * 1024,
  swapFreeBytes: t.swap_free_kib * 1024,
});

export const psiOf = (t: TickRow): MemoryPsi | null =>
  t.psi_some_avg10 === null
    ? null
    : {
        some: { avg10: t.psi_some_avg10, avg60: t.psi_some_avg60 ?? 0, avg300: t.psi_some_avg300 ?? 0, totalUs: 0 },
        full:
          t.psi_full_avg10 === null
            ? null
            : { avg10: t.psi_full_avg10, avg60: t.psi_full_avg60 ?? 0, avg300: t.psi_full_avg300 ?? 0, totalUs: 0 },
      };

/**
 * Reconstructs the host as it was at instant `tsMs` from change-only rows: each process's latest row
 * at a tick between the last keyframe and that instant, for the identities alive then. Rankings are
 * recomputed exactly as the sampler computes them live.
 */
export function snapshotAt(db: Database, tsMs: number): HostSnapshot | null {
  const t = tickAt(db, tsMs);
  if (!t) return null;
  const kf = db
    .prepare('SELECT id FROM tick WHERE keyframe = 1 AND boot_id = ? AND id <= ? ORDER BY id DESC LIMIT 1')
    .get(t.boot_id, t.id) as { id: number } | undefined;
  const fromId = kf?.id ?? t.id;
  const rows = db
    .prepare(
      `SELECT p.*, s.rss_kib, s.swap_kib, s.pgtables_kib, s.oom_score, s.oom_score_adj
       FROM (SELECT process_id, MAX(tick_id) AS tick_id FROM sample WHERE tick_id BETWEEN ? AND ? GROUP BY process_id) m
       JOIN sample s ON s.tick_id = m.tick_id AND s.process_id = m.process_id
       JOIN process p ON p.id = m.process_id
       WHERE p.first_tick_id <= ? AND (p.ended_ms IS NULL OR p.last_tick_id >= ?)`,
    )
    .all(fromId, t.id, t.id, t.id) as (ProcessRow & Omit<SampleRow, 'tick_id' | 'ts_ms'>)[];
  return snapshotOf(
    t,
    rows.map((r) => processSampleOf(r, r, t.scale)),
    cgroupsAt(db, fromId, t.id),
  );
}

/** A stored sample row's memory and scores, with the risk on the tick's scale. */
export function sampleValuesOf(s: Omit<SampleRow, 'tick_id' | 'ts_ms'>, scale: OomScoreScale) {
  return {
    rssBytes: s.rss_kib * 1024,
    swapBytes: s.swap_kib * 1024,
    pageTablesBytes: s.pgtables_kib * 1024,
    oomScore: s.oom_score,
    oomScoreAdj: s.oom_score_adj,
    risk: riskFromOomScore(s.oom_score, scale),
  };
}

/** A process as sampled at a tick, from its identity row and its latest change-only row. */
export function processSampleOf(r: ProcessRow, s: Omit<SampleRow, 'tick_id' | 'ts_ms'>, scale: OomScoreScale): ProcessSample {
  return {
    bootId: r.boot_id,
    pid: r.pid,
    startTimeTicks: r.start_time_ticks,
    ppid: r.ppid,
    uid: r.uid,
    comm: r.comm,
    cmdline: r.cmdline,
    exe: r.exe,
    cgroup: r.cgroup,
    unit: r.unit,
    // Not stored: derived from the stored cgroup path (the memory controller's on cgroup v1, which systemd mirrors).
    unitScope: r.unit === null ? null : isUserCgroupPath(r.cgroup) ? 'user' : 'system',
    state: '?',
    ...sampleValuesOf(s, scale),
    immune: isImmune(s.oom_score, s.oom_score_adj, scale),
  };
}

/** The host at a stored tick: its memory, the processes and cgroups alive then, ranked as the sampler ranks them live. */
export function snapshotOf(t: TickRow, processes: ProcessSample[], cgroups: CgroupMemory[]): HostSnapshot {
  const memory = hostMemoryOf(t);
  return {
    takenAtMs: t.ts_ms,
    bootId: t.boot_id,
    hostname: t.hostname,
    kernelRelease: 'unknown',
    scale: t.scale,
    pageSizeBytes: 4096,
    clockTicksPerSecond: 100,
    memory,
    psi: psiOf(t),
    vmstatOomKill: t.vmstat_oom_kill,
    cgroupVersion: t.cgroup_version === 1 || t.cgroup_version === 2 ? t.cgroup_version : (cgroups[0]?.version ?? null),
    cgroups,
    processes,
    domains: rankDomains(processes, cgroups, memory),
    counts: { listed: t.n_listed, sampled: t.n_sampled, gone: t.n_gone, denied: t.n_denied, kernelThreads: 0, newIdentities: 0 },
  };
}

export interface CgroupSampleRow {
  path: string;
  version: 1 | 2;
  usage_kib: number;
  limit_kib: number;
  swap_usage_kib: number | null;
  swap_limit_kib: number | null;
  oom_kill_count: number | null;
  oom_count: number | null;
}

export const cgroupMemoryOf = (r: CgroupSampleRow): CgroupMemory => ({
  path: r.path,
  version: r.version,
  usageBytes: r.usage_kib * 1024,
  limitBytes: r.limit_kib * 1024,
  swapUsageBytes: r.swap_usage_kib === null ? null : r.swap_usage_kib * 1024,
  swapLimitBytes: r.swap_limit_kib === null ? null : r.swap_limit_kib * 1024,
  oomKillCount: r.oom_kill_count,
  oomCount: r.oom_count,
});

/** The memory cgroups as they were at a tick: each one's latest row since the keyframe, unless it was gone by then (cgroup_end). */
function cgroupsAt(db: Database, fromTickId: number, toTickId: number): CgroupMemory[] {
  // A read-only open refuses a database older than the code (store.ts), so cgroup_end is always there.
  const rows = db
    .prepare(
      `SELECT c.path, c.version, s.* FROM (SELECT cgroup_id, MAX(tick_id) AS tick_id FROM cgroup_sample WHERE tick_id BETWEEN ? AND ? GROUP BY cgroup_id) m
       JOIN cgroup_sample s ON s.tick_id = m.tick_id AND s.cgroup_id = m.cgroup_id JOIN cgroup c ON c.id = m.cgroup_id
       WHERE NOT EXISTS (SELECT 1 FROM cgroup_end e WHERE e.cgroup_id = m.cgroup_id AND e.tick_id > m.tick_id AND e.tick_id <= ?)
       ORDER BY c.path`,
    )
    .all(fromTickId, toTickId, toTickId) as CgroupSampleRow[];
  return rows.map(cgroupMemoryOf);
}

/** Identities matching a pid or a comm, seen since `sinceMs` (newest first). */
export function findProcesses(db: Database, pidOrName: string, sinceMs: number): ProcessRow[] {
  const byPid = /^\d+$/.test(pidOrName);
  return db
    .prepare(
      `SELECT * FROM process WHERE ${byPid ? 'pid = ?' : 'comm = ?'} AND (ended_ms IS NULL OR last_seen_ms >= ?) ORDER BY first_seen_ms DESC`,
    )
    .all(byPid ? Number(pidOrName) : pidOrName, sinceMs) as ProcessRow[];
}

/** A process's stored rows between two instants (change-only: each row holds until the next). */
export function processSamples(db: Database, processId: number, fromMs: number, toMs: number): SampleRow[] {
  return db
    .prepare(
      `SELECT s.tick_id, t.ts_ms, s.rss_kib, s.swap_kib, s.pgtables_kib, s.oom_score, s.oom_score_adj
       FROM sample s JOIN tick t ON t.id = s.tick_id
       WHERE s.process_id = ? AND s.tick_id BETWEEN (SELECT COALESCE(MIN(id), 0) FROM tick WHERE ts_ms >= ?) AND (SELECT COALESCE(MAX(id), 0) FROM tick WHERE ts_ms <= ?)
       ORDER BY s.tick_id`,
    )
    .all(processId, fromMs, toMs) as SampleRow[];
}
