import type { Database } from 'better-sqlite3';
import { StoreLockedError } from '../errors.js';
import { isExitedState } from '../sample/dying.js';
import { parsePidStat } from '../sample/parse/pid-stat.js';
import type { ProcFs } from '../sample/procfs.js';

export interface LockOwner {
  pid: number;
  startTimeTicks: number;
  bootId: string;
  hostname: string;
}

/**
 * One agent per database. The lock row names its holder by process identity, so a lock left by a
 * crashed agent (or one from an earlier boot, or a reused pid) is taken over instead of blocking forever.
 * A holder that is a zombie (exited, not yet reaped by its parent) is dead too.
 */
export function acquireAgentLock(db: Database, dbPath: string, me: LockOwner, procfs: ProcFs, nowMs: number): void {
  db.transaction(() => {
    const held = db.prepare('SELECT pid, start_time_ticks, boot_id FROM agent_lock WHERE id = 1').get() as
      | { pid: number; start_time_ticks: number; boot_id: string }
      | undefined;
    if (held && !(held.pid === me.pid && held.start_time_ticks === me.startTimeTicks) && isAlive(procfs, held, me.bootId)) {
      throw new StoreLockedError(dbPath, held.pid);
    }
    db.prepare(
      `INSERT INTO agent_lock (id, pid, start_time_ticks, boot_id, hostname, started_at_ms) VALUES (1, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, start_time_ticks = excluded.start_time_ticks, boot_id = excluded.boot_id,
         hostname = excluded.hostname, started_at_ms = excluded.started_at_ms`,
    ).run(me.pid, me.startTimeTicks, me.bootId, me.hostname, nowMs);
  }).immediate();
}

export function releaseAgentLock(db: Database, me: LockOwner): void {
  db.prepare('DELETE FROM agent_lock WHERE id = 1 AND pid = ? AND start_time_ticks = ?').run(me.pid, me.startTimeTicks);
}

function isAlive(procfs: ProcFs, held: { pid: number; start_time_ticks: number; boot_id: string }, bootId: string): boolean {
  if (held.boot_id !== bootId) return false;
  const r = procfs.pidFile(held.pid, 'stat');
  if (r.kind === 'gone') return false;
  if (r.kind === 'denied') return true;
  try {
    const stat = parsePidStat(r.value);
    return stat.startTimeTicks === held.start_time_ticks && !isExitedState(stat.state);
  } catch {
    return false;
  }
}

/** This process's own identity. */
export function selfIdentity(procfs: ProcFs, bootId: string, hostname: string): LockOwner {
  const r = procfs.file('self/stat');
  const startTimeTicks = r.kind === 'ok' ? parsePidStat(r.value).startTimeTicks : 0;
  return { pid: process.pid, startTimeTicks, bootId, hostname };
}
