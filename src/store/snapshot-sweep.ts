/**
 * Many past instants in one pass. snapshotAt() reconstructs one instant with two grouped queries; for
 * the dozens of instants that refill the rules' trend history after a restart, this reads the
 * change-only rows once, in tick order, from the last keyframe before the first instant, and keeps
 * each process's latest row as it goes. The result at each instant is the same as snapshotAt()'s.
 */
import type { Database } from 'better-sqlite3';
import type { CgroupMemory, HostSnapshot, ProcessSample } from '../model/snapshot.js';
import {
  cgroupMemoryOf,
  processSampleOf,
  snapshotOf,
  type CgroupSampleRow,
  type ProcessRow,
  type SampleRow,
  type TickRow,
} from './samples-query.js';

type Row = Omit<SampleRow, 'ts_ms'> & { process_id: number };
type Identity = ProcessRow & { first_tick_id: number; last_tick_id: number };

/** Stored ticks of one boot between two instants, oldest first. */
export function bootTicksBetween(db: Database, bootId: string, fromMs: number, toMs: number): TickRow[] {
  return db.prepare('SELECT * FROM tick WHERE boot_id = ? AND ts_ms BETWEEN ? AND ? ORDER BY id').all(bootId, fromMs, toMs) as TickRow[];
}

/**
 * Snapshots at the given ticks (oldest first, all of one boot). With `withProcesses`, ticks it rejects
 * come back with the host's memory and cgroups only (no processes, nothing ranked): much cheaper.
 */
export function snapshotsAtTicks(
  db: Database,
  ticks: readonly TickRow[],
  withProcesses: (tick: TickRow) => boolean = () => true,
): HostSnapshot[] {
  const out: HostSnapshot[] = [];
  for (const s of sweepSnapshots(db, ticks, withProcesses)) if (s) out.push(s);
  return out;
}

/**
 * The same snapshots, one at a time, with `null` between the steps of building one (read its rows,
 * assemble its processes, rank them): a caller that yields to the event loop at each value holds it a
 * few ms at a time. No statement stays open between two values, so other code may use the connection
 * meanwhile: each instant reads only the rows written since the one before.
 */
export function* sweepSnapshots(
  db: Database,
  ticks: readonly TickRow[],
  withProcesses: (tick: TickRow) => boolean = () => true,
): Generator<HostSnapshot | null> {
  if (ticks.length === 0) return;
  const first = ticks[0];
  const last = ticks[ticks.length - 1];
  const kf = db
    .prepare('SELECT id FROM tick WHERE keyframe = 1 AND boot_id = ? AND id <= ? ORDER BY id DESC LIMIT 1')
    .get(first.boot_id, first.id) as { id: number } | undefined;
  const fromId = kf?.id ?? first.id;
  const steps = db
    .prepare('SELECT id, keyframe FROM tick WHERE boot_id = ? AND id BETWEEN ? AND ? ORDER BY id')
    .all(first.boot_id, fromId, last.id) as {
    id: number;
    keyframe: number;
  }[];
  const identities = new Map<number, Identity>();
  // Open identities (partial index process_open), and those that ended since the keyframe (index on
  // last_seen_ms): never every identity of a long boot.
  const fromMs = (db.prepare('SELECT ts_ms FROM tick WHERE id = ?').get(fromId) as { ts_ms: number } | undefined)?.ts_ms ?? first.ts_ms;
  const rows = db
    .prepare(
      `SELECT * FROM process WHERE boot_id = ? AND ended_ms IS NULL AND first_tick_id <= ?
       UNION ALL
       SELECT * FROM process INDEXED BY process_last_seen WHERE last_seen_ms >= ? AND ended_ms IS NOT NULL AND boot_id = ? AND first_tick_id <= ? AND last_tick_id >= ?`,
    )
    .all(first.boot_id, last.id, fromMs, first.boot_id, last.id, fromId) as Identity[];
  for (const p of rows) identities.set(p.id, p);
  yield null;

  const cgroupRows = db
    .prepare(
      `SELECT s.tick_id, c.id AS cgroup_id, c.path, c.version, s.usage_kib, s.limit_kib, s.swap_usage_kib, s.swap_limit_kib, s.oom_kill_count, s.oom_count
       FROM cgroup_sample s JOIN cgroup c ON c.id = s.cgroup_id WHERE s.tick_id BETWEEN ? AND ? ORDER BY s.tick_id`,
    )
    .all(fromId, last.id) as (CgroupSampleRow & { tick_id: number; cgroup_id: number })[];

  // Read in ranges, from the step after the last instant up to the next one: at 8,000 processes the window
  // holds tens of thousands of rows, and a range is at most one keyframe's worth.
  const sampleRange = db.prepare(
    'SELECT tick_id, process_id, rss_kib, swap_kib, pgtables_kib, oom_score, oom_score_adj FROM sample WHERE tick_id > ? AND tick_id <= ? ORDER BY tick_id',
  );
  const current = new Map<number, Row>();
  const currentCgroups = new Map<number, CgroupSampleRow>();
  let c = 0;
  let readUpTo = fromId - 1;
  let s = 0;
  for (const t of ticks) {
    const batch = sampleRange.all(readUpTo, t.id) as Row[];
    readUpTo = t.id;
    yield null;
    let r = 0;
    for (; s < steps.length && steps[s].id <= t.id; s++) {
      const step = steps[s];
      // A keyframe holds a row for every live process and cgroup: what it lacks had ended.
      if (step.keyframe === 1) {
        current.clear();
        currentCgroups.clear();
      }
      for (; r < batch.length && batch[r].tick_id <= step.id; r++) current.set(batch[r].process_id, batch[r]);
      for (; c < cgroupRows.length && cgroupRows[c].tick_id <= step.id; c++) currentCgroups.set(cgroupRows[c].cgroup_id, cgroupRows[c]);
    }
    const processes: ProcessSample[] = [];
    if (withProcesses(t))
      for (const [id, row] of current) {
        const p = identities.get(id);
        if (!p || p.first_tick_id > t.id || (p.ended_ms !== null && p.last_tick_id < t.id)) continue;
        processes.push(processSampleOf(p, row, t.scale));
      }
    yield null;
    const cgroups: CgroupMemory[] = [...currentCgroups.values()]
      .sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0))
      .map(cgroupMemoryOf);
    yield snapshotOf(t, processes, cgroups);
  }
}
