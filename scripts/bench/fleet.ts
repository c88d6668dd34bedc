/**
 * Benchmark of the central insert path: N concurrent agents' shipping code (one connection each, as an agent
 * has) writing batches of incidents into PostgreSQL. Prints figures; asserts nothing.
 *   npm run build && node dist/scripts/bench/fleet.js [agents, default 50] [incidents per agent, default 400] [batch, default 200] [report KiB, default 16]
 * Uses $OOMWATCH_FLEET_POSTGRES when set (a scratch database: the bench migrates it and adds rows), else
 * starts a throwaway PostgreSQL (test/helpers/postgres.ts) and removes it afterwards.
 */
import pg from 'pg';
import { migrateFleet } from '../../src/fleet/migrate.js';
import { shipBatch } from '../../src/fleet/ship.js';
import type { FleetIncident } from '../../src/fleet/types.js';
import type { IncidentReport } from '../../src/report/types.js';
import { startPostgres } from '../../test/helpers/postgres.js';

const [agents = 50, perAgent = 400, batch = 200, reportKib = 16] = process.argv.slice(2).map(Number);

/** A report of about `kib` KiB: ranking rows like the real ones, repeated. */
function reportOf(host: string, kib: number): IncidentReport {
  const row = { pid: 12345, comm: 'postgres', risk: 612, rssBytes: 1_234_567_890, oomScoreAdj: 0, isVictim: false };
  const rows = Array.from({ length: Math.max(1, Math.round((kib * 1024) / JSON.stringify(row).length)) }, (_, i) => ({
    ...row,
    pid: row.pid + i,
  }));
  return {
    schema: 'oomwatch.report.incident/v1',
    host,
    rankings: [{ atMs: 0, label: 'before', domain: 'host', cgroup: null, rows }],
  } as unknown as IncidentReport;
}

async function main(): Promise<void> {
  const own = process.env.OOMWATCH_FLEET_POSTGRES ? null : await startPostgres({ database: 'bench' });
  const url = process.env.OOMWATCH_FLEET_POSTGRES ?? own!.url();
  try {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await migrateFleet(admin, Date.now());
    const run = `bench-${Date.now()}`;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: agents }, async (_, a) => {
        const host = `${run}-${a}`;
        const report = reportOf(host, reportKib);
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          for (let i = 0; i < perAgent; i += batch) {
            const rows: FleetIncident[] = Array.from({ length: Math.min(batch, perAgent - i) }, (_, k) => ({
              kind: 'incident',
              host,
              bootId: 'b',
              seq: i + k,
              atMs: t0 - (i + k) * 1000,
              localId: i + k + 1,
              source: 'kmsg',
              killer: 'kernel',
              constraintKind: 'memcg',
              cgroup: '/kubepods.slice/x',
              workload: null,
              namespace: 'ns',
              pod: `pod-${k % 7}`,
              container: 'c',
              victimPid: 1000 + k,
              victimComm: 'postgres',
              victimRssBytes: 1 << 30,
              victimOomScoreAdj: 0,
              report,
            }));
            await shipBatch(client, rows);
          }
        } finally {
          await client.end();
        }
      }),
    );
    const seconds = (Date.now() - t0) / 1000;
    const total = agents * perAgent;
    const { rows } = await admin.query<{ n: number; bytes: string }>(
      `SELECT count(*)::int AS n, sum(pg_column_size(i.*))::bigint AS bytes FROM incidents i WHERE host LIKE $1`,
      [`${run}-%`],
    );
    await admin.end();
    console.log(
      JSON.stringify({
        agents,
        incidentsPerAgent: perAgent,
        batch,
        reportKib,
        seconds: Number(seconds.toFixed(2)),
        incidentsPerSecond: Math.round(total / seconds),
        stored: rows[0].n,
        avgRowBytes: Math.round(Number(rows[0].bytes) / rows[0].n),
      }),
    );
  } finally {
    await own?.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
