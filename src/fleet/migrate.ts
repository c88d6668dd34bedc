/**
 * The central schema's migrations (migrations/fleet/NNNN_name.sql), applied by `oomwatch fleet migrate`
 * only: in order, each in its own transaction, with a recorded checksum (as the host's store does), under
 * an advisory lock so two operators migrating at once do not collide. Every run also makes sure the
 * incident partitions exist from last month to three months ahead (run it monthly, e.g. from a timer).
 */
import { join } from 'node:path';
import type pg from 'pg';
import { MigrationChangedError } from '../errors.js';
import { readMigrations, type Migration } from '../store/migrate.js';
import { packageRoot } from '../util/package-root.js';

const LOCK_KEY = 7_001_012; // pg_advisory_lock key for oomwatch's fleet migrations
export const MONTHS_AHEAD = 3;

export function readFleetMigrations(): Migration[] {
  return readMigrations(join(packageRoot(), 'migrations', 'fleet'));
}

/** First day (UTC) of each month from the month before `nowMs` to MONTHS_AHEAD months after it, as YYYY-MM-DD. */
export function partitionMonths(nowMs: number): string[] {
  const d = new Date(nowMs);
  return Array.from({ length: MONTHS_AHEAD + 2 }, (_, i) =>
    new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1 + i, 1)).toISOString().slice(0, 10),
  );
}

export async function migrateFleet(
  client: pg.ClientBase,
  nowMs: number,
  migrations = readFleetMigrations(),
): Promise<{ applied: string[]; months: string[] }> {
  await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS oomwatch_fleet_migrations (
      version integer PRIMARY KEY, name text NOT NULL, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number; sha256: string }>('SELECT version, sha256 FROM oomwatch_fleet_migrations');
    const done = new Map(rows.map((r) => [r.version, r.sha256]));
    const applied: string[] = [];
    for (const m of migrations) {
      const sha = done.get(m.version);
      if (sha !== undefined) {
        if (sha !== m.sha256) throw new MigrationChangedError(`fleet/${m.name}`);
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO oomwatch_fleet_migrations (version, name, sha256) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          m.sha256,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      applied.push(m.name);
    }
    const months = partitionMonths(nowMs);
    for (const month of months) await client.query('SELECT oomwatch_fleet_ensure_month($1::date)', [month]);
    return { applied, months };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
  }
}
