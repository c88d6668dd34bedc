/**
 * Links an incident to the sampler's history (migration 0001): the victim's identity, its last samples,
 * and the ranked candidates of its OOM domain just before the kill.
 */
import type { Database } from 'better-sqlite3';

const KIB = 1024;

/**
 * The victim's identity: the process with that pid in this boot whose identity was alive just before
 * the kill: first seen at or before it, and not ended (ended_ms is the first tick that no longer
 * listed it) more than `slackMs` before it. A pid alone is reused within minutes, so the start time it
 * had is what names it. last_seen_ms is not used: the sample store refreshes it only at keyframes.
 */
export function linkVictim(
  db: Database,
  q: { bootId: string; pid: number; killMs: number; slackMs: number },
): { processId: number; startTimeTicks: number } | null {
  const row = db
    .prepare(`SELECT id, start_time_ticks FROM process WHERE boot_id = ? AND pid = ? AND first_seen_ms <= ?
      AND (ended_ms IS NULL OR ended_ms >= ?) ORDER BY first_seen_ms DESC LIMIT 1`)
    .get(q.bootId, q.pid, q.killMs, q.killMs - q.slackMs) as { id: number; start_time_ticks: number } | undefined;
  return row ? { processId: row.id, startTimeTicks: row.start_time_ticks } : null;
}

export interface SampledPoint {
  tsMs: number;
  rssBytes: number;
  swapBytes: number;
  pageTablesBytes: number;
  oomScore: number;
  oomScoreAdj: number;
}

/** The victim's last stored samples at or before `beforeMs`, newest first. */
export function lastSamples(db: Database, processId: number, beforeMs: number, limit = 10): SampledPoint[] {
  const rows = db
    .prepare(`SELECT t.ts_ms, s.rss_kib, s.swap_kib, s.pgtables_kib, s.oom_score, s.oom_score_adj
      FROM sample s JOIN tick t ON t.id = s.tick_id WHERE s.process_id = ? AND t.ts_ms <= ? ORDER BY t.ts_ms DESC LIMIT ?`)
    .all(processId, beforeMs, limit) as { ts_ms: number; rss_kib: number; swap_kib: number; pgtables_kib: number; oom_score: number; oom_score_adj: number }[];
  return rows.map((r) => ({
    tsMs: r.ts_ms,
    rssBytes: r.rss_kib * KIB,
    swapBytes: r.swap_kib * KIB,
    pageTablesBytes: r.pgtables_kib * KIB,
    oomScore: r.oom_score,
    oomScoreAdj: r.oom_score_adj,
  }));
}

export interface RankedCandidate {
  processId: number;
  pid: number;
  startTimeTicks: number;
  comm: string;
  cgroup: string;
  rssBytes: number;
  swapBytes: number;
  pageTablesBytes: number;
  oomScore: number;
  oomScoreAdj: number;
  /** Badness per mille of the domain's total (adj included); null when the cgroup limit is unknown. */
  risk: number | null;
  badnessBytes: number;
}

export interface RankedDomain {
  tickTsMs: number;
  domain: 'host' | 'cgroup';
  cgroup: string | null;
  /** What badness is measured against (cgroup limit + swap limit); null for the host (oom_score already is). */
  totalBytes: number | null;
  candidates: RankedCandidate[];
}

/**
 * The processes of the kill's domain as the last tick at or before `atMs` saw them, ranked as the
 * kernel would: host domain by risk from oom_score (5.9+ scale: 1.5*s - 1000, DESIGN.md "oom_score has
 * two scales"); cgroup domain by (rss + swap + page tables) + adj * limit / 1000 against the limit.
 * A process's state at tick T is its latest sample row since the last keyframe at or before T.
 */
export function rankedCandidates(
  db: Database,
  q: { bootId: string; atMs: number; cgroup: string | null; limit?: number },
): RankedDomain | null {
  const tick = db
    .prepare('SELECT id, ts_ms, scale FROM tick WHERE boot_id = ? AND ts_ms <= ? ORDER BY ts_ms DESC, id DESC LIMIT 1')
    .get(q.bootId, q.atMs) as { id: number; ts_ms: number; scale: string } | undefined;
  if (!tick) return null;
  const key = db.prepare('SELECT max(id) AS kid FROM tick WHERE boot_id = ? AND keyframe = 1 AND id <= ?').get(q.bootId, tick.id) as { kid: number | null };
  const rows = db
    .prepare(`WITH latest AS (
        SELECT process_id, max(tick_id) AS tick_id FROM sample WHERE tick_id BETWEEN ? AND ? GROUP BY process_id)
      SELECT p.id, p.pid, p.start_time_ticks, p.comm, p.cgroup, s.rss_kib, s.swap_kib, s.pgtables_kib, s.oom_score, s.oom_score_adj
      FROM latest l JOIN sample s ON s.process_id = l.process_id AND s.tick_id = l.tick_id JOIN process p ON p.id = l.process_id
      WHERE p.boot_id = ? AND (p.ended_ms IS NULL OR p.ended_ms > ?)
        AND (? IS NULL OR p.cgroup = ? OR substr(p.cgroup, 1, length(?) + 1) = ? || '/')`)
    .all(key.kid ?? 0, tick.id, q.bootId, tick.ts_ms, q.cgroup, q.cgroup, q.cgroup, q.cgroup) as {
    id: number; pid: number; start_time_ticks: number; comm: string; cgroup: string; rss_kib: number; swap_kib: number;
    pgtables_kib: number; oom_score: number; oom_score_adj: number;
  }[];
  let totalBytes: number | null = null;
  if (q.cgroup !== null) {
    const lim = db
      .prepare(`SELECT cs.limit_kib, cs.swap_limit_kib FROM cgroup_sample cs JOIN cgroup c ON c.id = cs.cgroup_id
        WHERE c.path = ? AND cs.tick_id <= ? ORDER BY cs.tick_id DESC LIMIT 1`)
      .get(q.cgroup, tick.id) as { limit_kib: number; swap_limit_kib: number | null } | undefined;
    if (lim) totalBytes = (lim.limit_kib + (lim.swap_limit_kib ?? 0)) * KIB;
  }
  const candidates = rows.map((r): RankedCandidate => {
    const usedBytes = (r.rss_kib + r.swap_kib + r.pgtables_kib) * KIB;
    let risk: number | null;
    let badnessBytes: number;
    if (q.cgroup === null) {
      risk = tick.scale === 'new' ? 1.5 * r.oom_score - 1000 : r.oom_score;
      badnessBytes = usedBytes;
    } else if (totalBytes) {
      badnessBytes = usedBytes + (r.oom_score_adj * totalBytes) / 1000;
      risk = (badnessBytes * 1000) / totalBytes;
    } else {
      badnessBytes = usedBytes;
      risk = null;
    }
    return {
      processId: r.id, pid: r.pid, startTimeTicks: r.start_time_ticks, comm: r.comm, cgroup: r.cgroup,
      rssBytes: r.rss_kib * KIB, swapBytes: r.swap_kib * KIB, pageTablesBytes: r.pgtables_kib * KIB,
      oomScore: r.oom_score, oomScoreAdj: r.oom_score_adj, risk, badnessBytes,
    };
  });
  // adj -1000 is immune (oom_score 0): the kernel never picks it.
  const eligible = candidates.filter((c) => c.oomScoreAdj > -1000);
  eligible.sort((a, b) => (q.cgroup === null ? (b.risk ?? 0) - (a.risk ?? 0) : b.badnessBytes - a.badnessBytes) || a.pid - b.pid);
  return { tickTsMs: tick.ts_ms, domain: q.cgroup === null ? 'host' : 'cgroup', cgroup: q.cgroup, totalBytes, candidates: eligible.slice(0, q.limit ?? 10) };
}
