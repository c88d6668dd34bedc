/**
 * The alerts tests' real SQLite file: a fresh store per test (registers beforeEach/afterEach), incidents
 * stored the way the kernel module stores them, and the outbox's drafts read back.
 */
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { NotificationDraft } from '../../src/model/notification.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { makeTempDir } from '../helpers/tmp.js';
import { BOOT, HOST } from '../rules/world.js';

export interface AlertsStore {
  /** This test's database (a new one for each test). */
  readonly db: Database;
  /** Stores an incident as the kernel module does (its own table, migration 0002); returns its id. */
  storeIncident(pid: number, comm: string, atMs: number, cgroup?: string): number;
  /** Every draft in the outbox, oldest first. */
  drafts(): NotificationDraft[];
}

export function useAlertsStore(prefix: string): AlertsStore {
  let tmp: ReturnType<typeof makeTempDir>;
  let db: Database;
  beforeEach(() => {
    tmp = makeTempDir(prefix);
    db = openDatabase(join(tmp.dir, 'oomwatch.db'));
  });
  afterEach(() => {
    if (db.open) db.close();
    tmp.cleanup();
  });
  return {
    get db() {
      return db;
    },
    storeIncident(pid, comm, atMs, cgroup) {
      const r = db
        .prepare(
          `INSERT INTO incident (source, dedupe_key, hostname, boot_id, ts_ms, constraint_kind, constraint_raw, oom_memcg, victim_pid, victim_comm, victim_start_time_ticks, created_ms)
           VALUES ('kmsg', ?, ?, ?, ?, 'memcg', 'CONSTRAINT_MEMCG', ?, ?, ?, ?, ?)`,
        )
        .run(`${BOOT}:${pid}:${atMs}`, HOST, BOOT, atMs, cgroup ?? null, pid, comm, 5000 + pid, atMs);
      return Number(r.lastInsertRowid);
    },
    drafts: () =>
      (db.prepare('SELECT payload_json FROM outbox ORDER BY id').all() as { payload_json: string }[]).map(
        (r) => JSON.parse(r.payload_json) as NotificationDraft,
      ),
  };
}
