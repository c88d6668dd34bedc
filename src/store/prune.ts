import type { Database } from 'better-sqlite3';

export interface PruneResult {
  ticks: number;
  samples: number;
  processes: number;
  other: number;
  batches: number;
}

/** A table outside the sample history that ages out by a time column (incidents, alerts, audits…). */
export interface PrunableTable {
  table: string;
  timeColumn: string;
}

/**
 * Deletes history older than `cutoffMs` in small transactions (at most about `batchRows` rows each),
 * yielding to the event loop between batches so a tick is never stalled by pruning.
 * Ticks go up to (not including) the last keyframe at or before the cutoff, so every instant from the
 * cutoff on can still be rebuilt; processes that ended before that keyframe go too.
 */
export async function pruneHistory(
  db: Database,
  cutoffMs: number,
  batchRows: number,
  extra: readonly PrunableTable[] = [],
  yieldFn: () => Promise<void> = () => new Promise((r) => setImmediate(r)),
): Promise<PruneResult> {
  const res: PruneResult = { ticks: 0, samples: 0, processes: 0, other: 0, batches: 0 };
  const rowsPerTick = db.prepare('SELECT CAST(COUNT(*) AS REAL) / MAX(1, (SELECT COUNT(*) FROM tick)) AS r FROM sample').get() as {
    r: number;
  };
  const ticksPerBatch = Math.max(1, Math.floor(batchRows / Math.max(1, rowsPerTick.r * 2)));
  // An instant is rebuilt from the last keyframe at or before it: keep the keyframe that anchors the cutoff.
  const anchor = db.prepare('SELECT id, ts_ms AS ts FROM tick WHERE keyframe = 1 AND ts_ms <= ? ORDER BY id DESC LIMIT 1').get(cutoffMs) as
    { id: number; ts: number } | undefined;
  const keepFromId = anchor?.id ?? 0;
  const keepFromMs =
    anchor?.ts ?? Math.min(cutoffMs, (db.prepare('SELECT MIN(ts_ms) AS t FROM tick').get() as { t: number | null }).t ?? cutoffMs);
  const pickTicks = db.prepare('SELECT id FROM tick WHERE id < ? ORDER BY id LIMIT ?');
  const delSamples = db.prepare('DELETE FROM sample WHERE tick_id BETWEEN ? AND ?');
  const delCgSamples = db.prepare('DELETE FROM cgroup_sample WHERE tick_id BETWEEN ? AND ?');
  const delCgEnds = db.prepare('DELETE FROM cgroup_end WHERE tick_id BETWEEN ? AND ?');
  const delTicks = db.prepare('DELETE FROM tick WHERE id BETWEEN ? AND ?');
  for (;;) {
    const ids = pickTicks.all(keepFromId, ticksPerBatch) as { id: number }[];
    if (ids.length === 0) break;
    const lo = ids[0].id;
    const hi = ids[ids.length - 1].id;
    db.transaction(() => {
      res.samples += delSamples.run(lo, hi).changes + delCgSamples.run(lo, hi).changes;
      delCgEnds.run(lo, hi);
      res.ticks += delTicks.run(lo, hi).changes;
    })();
    res.batches++;
    await yieldFn();
  }
  const delProcs = db.prepare(
    `DELETE FROM process WHERE id IN (SELECT id FROM process WHERE ended_ms IS NOT NULL AND last_seen_ms < ? LIMIT ?)`,
  );
  for (;;) {
    const n = delProcs.run(keepFromMs, batchRows).changes;
    res.processes += n;
    res.batches++;
    if (n < batchRows) break;
    await yieldFn();
  }
  for (const t of [{ table: 'gap', timeColumn: 'end_ms' }, { table: 'agent_event', timeColumn: 'ts_ms' }, ...extra]) {
    const del = db.prepare(`DELETE FROM ${t.table} WHERE rowid IN (SELECT rowid FROM ${t.table} WHERE ${t.timeColumn} < ? LIMIT ?)`);
    for (;;) {
      const n = del.run(cutoffMs, batchRows).changes;
      res.other += n;
      res.batches++;
      if (n < batchRows) break;
      await yieldFn();
    }
  }
  return res;
}
