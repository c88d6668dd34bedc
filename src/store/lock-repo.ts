/**
 * The single-agent lock row (agent_lock, id = 1). Whether a holder is still alive is the agent's question
 * (agent/lock.ts reads /proc); this file only reads and writes the row, in one IMMEDIATE transaction so two
 * agents starting at once cannot both take it.
 */
import type { Database } from 'better-sqlite3';

export interface LockHolder {
  pid: number;
  startTimeTicks: number;
  bootId: string;
}

export interface LockClaim extends LockHolder {
  hostname: string;
}

export function createLockRepo(db: Database) {
  const read = db.prepare('SELECT pid, start_time_ticks, boot_id FROM agent_lock WHERE id = 1');
  const write = db.prepare(
    `INSERT INTO agent_lock (id, pid, start_time_ticks, boot_id, hostname, started_at_ms) VALUES (1, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, start_time_ticks = excluded.start_time_ticks, boot_id = excluded.boot_id,
       hostname = excluded.hostname, started_at_ms = excluded.started_at_ms`,
  );
  const remove = db.prepare('DELETE FROM agent_lock WHERE id = 1 AND pid = ? AND start_time_ticks = ?');
  return {
    /**
     * Takes the lock for `me` unless `keeps(holder)` says the current holder keeps it; returns that holder
     * then, else null. `keeps` runs inside the transaction.
     */
    claim(me: LockClaim, nowMs: number, keeps: (holder: LockHolder) => boolean): LockHolder | null {
      return db
        .transaction((): LockHolder | null => {
          const row = read.get() as { pid: number; start_time_ticks: number; boot_id: string } | undefined;
          const holder = row ? { pid: row.pid, startTimeTicks: row.start_time_ticks, bootId: row.boot_id } : null;
          if (holder && keeps(holder)) return holder;
          write.run(me.pid, me.startTimeTicks, me.bootId, me.hostname, nowMs);
          return null;
        })
        .immediate();
    },
    /** Gives the lock up if `me` holds it. */
    release(me: LockHolder): void {
      remove.run(me.pid, me.startTimeTicks);
    },
  };
}

export type LockRepo = ReturnType<typeof createLockRepo>;
