/**
 * The central schema on a real PostgreSQL: `oomwatch fleet migrate` applies it once, refuses a changed
 * migration, keeps partitions ahead, and a role with only the documented GRANTs can ship but not read reports or delete.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { migrateFleet, partitionMonths, readFleetMigrations } from '../../src/fleet/migrate.js';
import { shipBatch } from '../../src/fleet/ship.js';
import { runCliInProcess } from '../helpers/cli.js';
import { POSTGRES_MISSING, requirePostgresInCi, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { fleetIncident } from './factories.js';

requirePostgresInCi();
let db: TestPostgres;
beforeAll(async () => {
  if (!POSTGRES_MISSING) db = await startPostgres();
});
afterAll(async () => db?.destroy());

describe.skipIf(POSTGRES_MISSING !== null)(`fleet migrate${POSTGRES_MISSING ? ` (skipped: ${POSTGRES_MISSING})` : ''}`, () => {
  it('applies the schema once, then reports it up to date; partitions cover last month to three ahead', async () => {
    const first = await runCliInProcess(['fleet', 'migrate', '--postgres', db.url()]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied 0001_incidents\.sql/);
    const again = await runCliInProcess(['fleet', 'migrate'], { OOMWATCH_FLEET_POSTGRES: db.url() });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/schema up to date/);
    const parts = await db.sql<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'incidents'::regclass ORDER BY 1`,
    );
    const months = partitionMonths(Date.now()).map((m) => `incidents_${m.slice(0, 7).replace('-', '_')}`);
    expect(parts.map((p) => p.name)).toEqual([...months, 'incidents_default'].sort());
  });

  it('refuses a migration changed after it was applied, naming the fix', async () => {
    const client = new pg.Client({ connectionString: db.url() });
    await client.connect();
    try {
      const changed = readFleetMigrations().map((m) => ({ ...m, sha256: 'f'.repeat(64) }));
      await expect(migrateFleet(client, Date.now(), changed)).rejects.toThrow(
        /fleet\/0001_incidents\.sql was changed after it was applied.*Reinstall/,
      );
    } finally {
      await client.end();
    }
  });

  it('a row of a month without a partition waits in the default partition and moves when the month is created', async () => {
    const far = Date.now() + 400 * 86_400_000;
    const client = new pg.Client({ connectionString: db.url() });
    await client.connect();
    try {
      await shipBatch(client, [fleetIncident({ host: 'far-future', seq: 1, atMs: far })]);
      expect(await db.sql(`SELECT 1 FROM incidents_default WHERE host = 'far-future'`)).toHaveLength(1);
      await migrateFleet(client, far);
      expect(await db.sql(`SELECT 1 FROM incidents_default WHERE host = 'far-future'`)).toHaveLength(0);
      expect(await db.sql(`SELECT 1 FROM incidents WHERE host = 'far-future'`)).toHaveLength(1);
    } finally {
      await client.end();
    }
  });

  it("the agents' role with the documented GRANTs can ship (resends included), and cannot read reports or delete", async () => {
    // The GRANTs exactly as docs/fleet.md lists them.
    await db.sql(`CREATE ROLE oomwatch_agent LOGIN`);
    await db.sql(`GRANT USAGE ON SCHEMA public TO oomwatch_agent`);
    await db.sql(`GRANT INSERT, SELECT (host, boot_id, seq, at) ON incidents TO oomwatch_agent`);
    await db.sql(`GRANT INSERT, SELECT (host, boot_id, id) ON alert_transitions TO oomwatch_agent`);
    const agent = new pg.Client({ connectionString: db.url(undefined, 'oomwatch_agent') });
    await agent.connect();
    try {
      const inc = fleetIncident({ host: 'granted', seq: 7 });
      await shipBatch(agent, [
        inc,
        {
          kind: 'transition',
          host: 'granted',
          bootId: 'b',
          id: 1,
          atMs: inc.atMs,
          rule: 'r',
          state: 'firing',
          severity: 'warning',
          summary: 's',
          labels: { a: 'b' },
        },
      ]);
      // a resend (after a crash, or an answer lost on the way) adds nothing
      await shipBatch(agent, [inc]);
      expect(await db.sql(`SELECT count(*)::int AS n FROM incidents WHERE host = 'granted'`)).toEqual([{ n: 1 }]);
      expect(await db.sql(`SELECT count(*)::int AS n FROM alert_transitions WHERE host = 'granted'`)).toEqual([{ n: 1 }]);
      await expect(agent.query(`DELETE FROM incidents`)).rejects.toThrow(/permission denied/);
      await expect(agent.query(`SELECT report FROM incidents`)).rejects.toThrow(/permission denied/);
    } finally {
      await agent.end();
    }
  });
});
