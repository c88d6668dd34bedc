import type { Database } from 'better-sqlite3';
import type { PrunableTable } from './prune.js';

/** The audit ages out with the rest of the history: pass this to pruneHistory's `extra`. */
export const ADJ_CHANGE_PRUNABLE: PrunableTable = { table: 'adj_change', timeColumn: 'ts_ms' };

/** One audited oom_score_adj change (migrations/0005_policy.sql). */
export interface AdjChange {
  tsMs: number;
  bootId: string;
  pid: number;
  startTimeTicks: number;
  comm: string;
  ruleId: string;
  fromAdj: number | null;
  toAdj: number;
  reason: 'new' | 'drift' | 'cli' | 'self';
  outcome: 'applied' | 'denied' | 'failed' | 'identity-changed';
  message: string | null;
}

export interface AdjChangeQuery {
  sinceMs?: number;
  untilMs?: number;
  /** Only this identity (all three parts). */
  process?: { bootId: string; pid: number; startTimeTicks: number };
  limit?: number;
}

/** The audit trail of the protection policy. Takes the caller's db; writes in one transaction per batch. */
export function createPolicyRepo(db: Database) {
  const insert = db.prepare(
    `INSERT INTO adj_change (ts_ms, boot_id, pid, start_time_ticks, comm, rule_id, from_adj, to_adj, reason, outcome, message)
     VALUES (@tsMs, @bootId, @pid, @startTimeTicks, @comm, @ruleId, @fromAdj, @toAdj, @reason, @outcome, @message)`,
  );
  const insertEvent = db.prepare('INSERT INTO agent_event (ts_ms, kind, message) VALUES (?, ?, ?)');
  const recordChanges = db.transaction((rows: readonly AdjChange[]) => {
    for (const r of rows) insert.run(r);
  });
  return {
    recordChanges(rows: readonly AdjChange[]): void {
      if (rows.length) recordChanges(rows);
    },
    /** Changes in time order (oldest first), for reports and `protect` output. */
    listChanges(q: AdjChangeQuery = {}): AdjChange[] {
      const where: string[] = [];
      const args: Record<string, unknown> = {};
      if (q.sinceMs !== undefined) {
        where.push('ts_ms >= @sinceMs');
        args.sinceMs = q.sinceMs;
      }
      if (q.untilMs !== undefined) {
        where.push('ts_ms < @untilMs');
        args.untilMs = q.untilMs;
      }
      if (q.process) {
        where.push('boot_id = @bootId AND pid = @pid AND start_time_ticks = @startTimeTicks');
        Object.assign(args, q.process);
      }
      const sql =
        `SELECT ts_ms AS tsMs, boot_id AS bootId, pid, start_time_ticks AS startTimeTicks, comm, rule_id AS ruleId,
                from_adj AS fromAdj, to_adj AS toAdj, reason, outcome, message
         FROM adj_change ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ts_ms, id` +
        (q.limit ? ` LIMIT ${Math.floor(q.limit)}` : '');
      return db.prepare(sql).all(args) as AdjChange[];
    },
    /** An agent-health event (agent_event table, shown by doctor and reports), e.g. kind 'policy-unprotected'. */
    recordHealthEvent(tsMs: number, kind: string, message: string): void {
      insertEvent.run(tsMs, kind, message);
    },
  };
}

export type PolicyRepo = ReturnType<typeof createPolicyRepo>;
