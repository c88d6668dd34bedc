/**
 * Links an incident to the sampler's history (migration 0001): the victim's identity, its last samples,
 * and the ranked candidates of its OOM domain just before the kill.
 */
import type { Database } from 'better-sqlite3';
import { cgroupWithin } from '../sample/match.js';
import type { ProcessSample } from '../model/snapshot.js';
import { snapshotAt, type SampleRow } from './samples-query.js';

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
    .prepare(
      `SELECT id, start_time_ticks FROM process WHERE boot_id = ? AND pid = ? AND first_seen_ms <= ?
      AND (ended_ms IS NULL OR ended_ms >= ?) ORDER BY first_seen_ms DESC LIMIT 1`,
    )
    .get(q.bootId, q.pid, q.killMs, q.killMs - q.slackMs) as { id: number; start_time_ticks: number } | undefined;
  return row ? { processId: row.id, startTimeTicks: row.start_time_ticks } : null;
}

/**
 * Where the sampler saw the victim, for a kill line that stands alone (the header, with its cgroups, was
 * rate-limited): its cgroup, and the deepest memory-limited cgroup holding it (itself or an ancestor with
 * a recorded limit at or before the kill), which is the OOM domain a cgroup kill there was counted in.
 * Null when the identity was sampled in no cgroup.
 */
export function sampledCgroupOf(db: Database, processId: number, killMs: number): { taskMemcg: string; oomMemcg: string } | null {
  const row = db.prepare('SELECT cgroup FROM process WHERE id = ?').get(processId) as { cgroup: string } | undefined;
  if (!row || row.cgroup === '/' || row.cgroup === '') return null;
  const parts = row.cgroup.split('/').filter(Boolean);
  const limited = db.prepare(`SELECT 1 FROM cgroup c JOIN cgroup_sample s ON s.cgroup_id = c.id JOIN tick t ON t.id = s.tick_id
    WHERE c.path = ? AND t.ts_ms <= ? AND s.limit_kib > 0 LIMIT 1`);
  for (let i = parts.length; i >= 1; i--) {
    const path = `/${parts.slice(0, i).join('/')}`;
    if (limited.get(path, killMs)) return { taskMemcg: row.cgroup, oomMemcg: path };
  }
  return { taskMemcg: row.cgroup, oomMemcg: row.cgroup };
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
    .prepare(
      `SELECT t.ts_ms, s.rss_kib, s.swap_kib, s.pgtables_kib, s.oom_score, s.oom_score_adj
      FROM sample s JOIN tick t ON t.id = s.tick_id WHERE s.process_id = ? AND t.ts_ms <= ? ORDER BY t.ts_ms DESC LIMIT ?`,
    )
    .all(processId, beforeMs, limit) as Omit<SampleRow, 'tick_id'>[];
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
  /** What badness is measured against (cgroup limit + usable swap); null for the host. */
  totalBytes: number | null;
  candidates: RankedCandidate[];
}

/**
 * The processes of the kill's domain as the last tick at or before `atMs` saw them, ranked as the
 * kernel would: the instant is reconstructed and ranked by the same code as live sampling
 * (samples-query.ts snapshotAt → sample/rank.ts), so `top --at`, incidents and reports agree.
 * A cgroup with no recorded limit still lists its members by usage, with risk unknown.
 */
export function rankedCandidates(
  db: Database,
  q: { bootId: string; atMs: number; cgroup: string | null; limit?: number },
): RankedDomain | null {
  const snap = snapshotAt(db, q.atMs);
  if (!snap || snap.bootId !== q.bootId) return null;
  const domain = snap.domains.find((d) => (q.cgroup === null ? d.kind === 'host' : d.kind === 'cgroup' && d.id === q.cgroup));
  const byKey = new Map(snap.processes.map((p) => [`${p.pid}:${p.startTimeTicks}`, p]));
  const usage = (p: ProcessSample) => p.rssBytes + p.swapBytes + p.pageTablesBytes;
  const ranked: { p: ProcessSample; risk: number | null; badnessBytes: number }[] = domain
    ? domain.ranking.map((r) => ({ p: byKey.get(`${r.pid}:${r.startTimeTicks}`)!, risk: r.risk, badnessBytes: r.badnessBytes }))
    : snap.processes
        .filter((p) => !p.immune && q.cgroup !== null && cgroupWithin(p.cgroup, q.cgroup))
        .map((p) => ({ p, risk: null, badnessBytes: usage(p) }))
        .sort((a, b) => b.badnessBytes - a.badnessBytes || a.p.pid - b.p.pid);
  const findId = db.prepare('SELECT id FROM process WHERE boot_id = ? AND pid = ? AND start_time_ticks = ?');
  const candidates = ranked.slice(0, q.limit ?? 10).map(({ p, risk, badnessBytes }): RankedCandidate => ({
    processId: (findId.get(q.bootId, p.pid, p.startTimeTicks) as { id: number }).id,
    pid: p.pid,
    startTimeTicks: p.startTimeTicks,
    comm: p.comm,
    cgroup: p.cgroup,
    rssBytes: p.rssBytes,
    swapBytes: p.swapBytes,
    pageTablesBytes: p.pageTablesBytes,
    oomScore: p.oomScore,
    oomScoreAdj: p.oomScoreAdj,
    risk,
    badnessBytes,
  }));
  return {
    tickTsMs: snap.takenAtMs,
    domain: q.cgroup === null ? 'host' : 'cgroup',
    cgroup: q.cgroup,
    totalBytes: q.cgroup === null ? null : (domain?.totalBytes ?? null),
    candidates,
  };
}
