/**
 * The agent's own record (migrations/0001_samples.sql): agent_event (start, stop, kmsg unreadable, a database
 * replaced…) and gap (suspend, clock jump, agent down, kmsg overrun, store unwritable). One implementation for
 * the agent and the kernel watcher, so both write the same rows the same way.
 */
import type { Database } from 'better-sqlite3';

export interface GapRecord {
  startMs: number;
  endMs: number;
  reason: string;
  detail: string;
}

export function createEventsRepo(db: Database) {
  const insertEvent = db.prepare('INSERT INTO agent_event (ts_ms, kind, message) VALUES (?, ?, ?)');
  const insertGap = db.prepare('INSERT INTO gap (start_ms, end_ms, reason, detail) VALUES (?, ?, ?, ?)');
  const lastTickOfHost = db.prepare('SELECT ts_ms FROM tick WHERE hostname = ? ORDER BY id DESC LIMIT 1');
  const lastTickOfBoot = db.prepare('SELECT MAX(ts_ms) AS ts FROM tick WHERE boot_id = ?');
  const lastTick = db.prepare('SELECT MAX(ts_ms) AS ts FROM tick');
  return {
    recordEvent(tsMs: number, kind: string, message: string): void {
      insertEvent.run(tsMs, kind, message);
    },
    recordGap(g: GapRecord): void {
      insertGap.run(g.startMs, g.endMs, g.reason, g.detail);
    },
    /** When this host's newest tick was taken (the agent-down gap at start), or null. */
    lastTickMsOfHost(hostname: string): number | null {
      return (lastTickOfHost.get(hostname) as { ts_ms: number } | undefined)?.ts_ms ?? null;
    },
    /** When the newest tick of a boot was taken, or null. */
    lastTickMsOfBoot(bootId: string): number | null {
      return (lastTickOfBoot.get(bootId) as { ts: number | null }).ts;
    },
    /** When the newest tick of any host and boot was taken, or null. */
    lastTickMs(): number | null {
      return (lastTick.get() as { ts: number | null }).ts;
    },
  };
}

export type EventsRepo = ReturnType<typeof createEventsRepo>;
