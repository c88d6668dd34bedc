/**
 * The scheduled fleet report on a real PostgreSQL and real SQLite stores: several agents named to send it
 * claim the period, one queues it for its channel, the others record that another agent sends it. Real clock.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateFleet } from '../../src/fleet/migrate.js';
import { runFleetReport } from '../../src/fleet/report-job.js';
import { duePeriod } from '../../src/report/schedule.js';
import { shipBatch } from '../../src/fleet/ship.js';
import type { ReportPayload } from '../../src/model/notification.js';
import { openDatabase } from '../../src/store/db.js';
import { openStore, type Store } from '../../src/store/store.js';
import { POSTGRES_MISSING, requirePostgresInCi, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { makeTempDir } from '../helpers/tmp.js';
import { fleetIncident } from './factories.js';

requirePostgresInCi();
let db: TestPostgres;
let client: pg.Client;
const tmp = makeTempDir('oomwatch-fleet-job-');
/** One instant for the whole file: the period reported on is the last whole hour before it. */
const NOW = Date.now();
beforeAll(async () => {
  if (POSTGRES_MISSING) return;
  db = await startPostgres();
  client = new pg.Client({ connectionString: db.url() });
  await client.connect();
  await migrateFleet(client, NOW);
  // a kill inside the period the runs below report on (the last whole hour)
  const period = duePeriod('0 * * * *', 'UTC', NOW, null)!;
  await shipBatch(client, [fleetIncident({ host: 'web-9', atMs: period.toMs - 60_000, victimComm: 'java' })]);
});
afterAll(async () => {
  await client?.end();
  await db?.destroy();
  tmp.cleanup();
});

const report = { enabled: true, cron: '0 * * * *', timeZone: 'UTC', channels: ['ops-mail'] };
const reportRows = (store: Store) => {
  const raw = openDatabase(store.path, { readonly: true });
  try {
    return (raw.prepare(`SELECT payload_json FROM outbox WHERE kind = 'report'`).all() as { payload_json: string }[]).map(
      (r) => JSON.parse(r.payload_json) as { channel: string; report: ReportPayload },
    );
  } finally {
    raw.close();
  }
};

describe.skipIf(POSTGRES_MISSING !== null)(`scheduled fleet report${POSTGRES_MISSING ? ` (skipped: ${POSTGRES_MISSING})` : ''}`, () => {
  it('one report per period across the agents named to send it; the winner reclaims after losing its local record', async () => {
    const stores = ['a', 'b', 'c'].map((h) => openStore(join(tmp.dir, `${h}.db`)));
    try {
      const nowMs = NOW;
      const runs = await Promise.all(stores.map((s, i) => runFleetReport({ store: s, client, host: `sender-${i}`, report, nowMs })));
      expect(runs.filter((r) => r.kind === 'queued')).toHaveLength(1);
      expect(runs.filter((r) => r.kind === 'claimed-elsewhere')).toHaveLength(2);
      const queued = stores.map(reportRows);
      expect(queued.flat()).toHaveLength(1);
      const winner = runs.findIndex((r) => r.kind === 'queued');
      const [mail] = queued[winner];
      expect(mail.channel).toBe('ops-mail');
      expect(mail.report.subject).toBe('Fleet memory report: 1 OOM kill on 1 host');
      expect(mail.report.text).toMatch(/Kills per host[\s\S]*web-9/);
      expect(mail.report.html).not.toContain('<svg');
      // every agent has the period recorded: a second run does nothing
      for (const [i, s] of stores.entries())
        expect(await runFleetReport({ store: s, client, host: `sender-${i}`, report, nowMs })).toEqual({ kind: 'not-due' });
      // the winner's host, on a fresh database (crashed before queueing), still owns the period; others do not
      const fresh = openStore(join(tmp.dir, 'fresh.db'));
      try {
        expect((await runFleetReport({ store: fresh, client, host: `sender-${winner}`, report, nowMs })).kind).toBe('queued');
      } finally {
        fresh.close();
      }
    } finally {
      for (const s of stores) s.close();
    }
  });
});
