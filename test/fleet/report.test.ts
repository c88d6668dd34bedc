/**
 * `oomwatch fleet report` against a real PostgreSQL (incidents as agents ship them) and a real Prometheus
 * scraping three hosts' /metrics (loopback servers serving oomwatch's metric names). Real clock.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetIncidentsJson, FleetReportJson } from '../../src/cli/json/fleet.js';
import { migrateFleet } from '../../src/fleet/migrate.js';
import { shipBatch } from '../../src/fleet/ship.js';
import { runCliInProcess } from '../helpers/cli.js';
import { POSTGRES_MISSING, requirePostgresInCi, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { findBinary, freePort, requireInCi, startDaemon, waitFor, type Daemon } from '../metrics/daemon.js';
import { fleetIncident } from './factories.js';

requirePostgresInCi();
const prometheus = findBinary(['prometheus']);
requireInCi(prometheus, 'prometheus');
const missing = POSTGRES_MISSING ?? (prometheus ? null : 'prometheus is not installed');

const GIB = 1024 ** 3;
/** What three agents' /metrics say: available memory, PSI, the riskiest process. */
const HOSTS = [
  { host: 'db-1', availableBytes: 0.5 * GIB, psi: 0.3, risk: 910 },
  { host: 'web-1', availableBytes: 6 * GIB, psi: 0.01, risk: 200 },
  { host: 'web-2', availableBytes: 3 * GIB, psi: 0.05, risk: 400 },
];
const exposition = (h: (typeof HOSTS)[number]) =>
  [
    '# TYPE oomwatch_memory_total_bytes gauge',
    `oomwatch_memory_total_bytes ${8 * GIB}`,
    '# TYPE oomwatch_memory_available_bytes gauge',
    `oomwatch_memory_available_bytes ${h.availableBytes}`,
    '# TYPE oomwatch_memory_pressure_ratio gauge',
    `oomwatch_memory_pressure_ratio{kind="some",window="10s"} ${h.psi}`,
    '# TYPE oomwatch_top_process_risk_permille gauge',
    `oomwatch_top_process_risk_permille{comm="app",unit=""} ${h.risk}`,
    '',
  ].join('\n');

let db: TestPostgres;
let daemon: Daemon;
let promUrl = '';
const servers: Server[] = [];
const dir = mkdtempSync(join(tmpdir(), 'oomwatch-fleet-report-'));

beforeAll(async () => {
  if (missing) return;
  db = await startPostgres();
  const client = new pg.Client({ connectionString: db.url() });
  await client.connect();
  const now = Date.now();
  try {
    await migrateFleet(client, now);
    await shipBatch(client, [
      fleetIncident({
        host: 'db-1',
        seq: 1,
        atMs: now - 3_600_000,
        victimComm: 'postgres',
        namespace: 'data',
        pod: 'pg-0',
        container: 'postgres',
      }),
      fleetIncident({
        host: 'db-1',
        seq: 2,
        atMs: now - 1_800_000,
        victimComm: 'postgres',
        namespace: 'data',
        pod: 'pg-0',
        container: 'postgres',
      }),
      fleetIncident({ host: 'web-2', seq: 1, atMs: now - 600_000, victimComm: 'postgres', cgroup: '/system.slice/pg.service' }),
      fleetIncident({ host: 'web-1', seq: 9, atMs: now - 60_000, victimComm: 'java', cgroup: '/system.slice/<b>x</b>.service' }),
      // three days ago: in the week's trend, not in the last 24 h
      fleetIncident({ host: 'web-1', seq: 3, atMs: now - 3 * 86_400_000, victimComm: 'old' }),
    ]);
  } finally {
    await client.end();
  }
  const targets: string[] = [];
  for (const h of HOSTS) {
    const srv = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(exposition(h)));
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    servers.push(srv);
    targets.push(`{targets: ['127.0.0.1:${(srv.address() as AddressInfo).port}'], labels: {host: ${h.host}}}`);
  }
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: {scrape_interval: 1s}\nscrape_configs:\n  - job_name: oomwatch\n    static_configs: [${targets.join(', ')}]\n`,
  );
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  daemon = startDaemon(prometheus!, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  await waitFor('three scraped hosts', daemon, async () => {
    const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent('count(oomwatch_memory_available_bytes)')}`);
    const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
    return body.data.result[0]?.value[1] === '3' ? true : null;
  });
});

afterAll(async () => {
  await daemon?.stop();
  for (const s of servers) s.close();
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing !== null)(`fleet report${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('kills per host and per workload, repeated victims and the week from SQL; hosts closest to OOM from PromQL', async () => {
    const r = await runCliInProcess(['fleet', 'report', '--postgres', db.url(), '--prometheus', promUrl, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.stdout);
    // the published schema describes every field (parsing drops nothing)
    expect(FleetReportJson.parse(m)).toEqual(m);
    expect(m.kills).toBe(4);
    expect(m.hosts).toBe(3);
    expect(m.killsPerHost.map((h: { host: string; kills: number }) => [h.host, h.kills])).toEqual([
      ['db-1', 2],
      ['web-1', 1],
      ['web-2', 1],
    ]);
    expect(m.killsPerWorkload[0]).toEqual({ workload: 'data/pg-0/postgres', kills: 2, hosts: 1 });
    expect(m.repeatedVictims).toEqual([expect.objectContaining({ comm: 'postgres', kills: 3, hosts: 2 })]);
    expect(m.weekTrend).toHaveLength(7);
    expect(m.weekTrend.reduce((n: number, d: { kills: number }) => n + d.kills, 0)).toBe(5);
    expect(m.closestToOom.map((h: { host: string }) => h.host)).toEqual(['db-1', 'web-2', 'web-1']);
    expect(m.closestToOom[0]).toMatchObject({ peakPsiSome10: 0.3, peakRiskPermille: 910 });
    expect(m.closestToOom[0].lowestAvailableFraction).toBeCloseTo(0.5 / 8, 5);
    expect(m.headline).toBe('4 OOM kills on 3 hosts; lowest available memory 6 % on db-1');
  });

  it('fleet incidents --json matches its published schema; filters by host glob and workload', async () => {
    const r = await runCliInProcess([
      'fleet',
      'incidents',
      '--postgres',
      db.url(),
      '--since',
      '7d',
      '--host',
      'db-*',
      '--workload',
      'data/pg-0',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(FleetIncidentsJson.parse(doc)).toEqual(doc);
    expect(doc.incidents.map((i: { host: string; seq: number }) => [i.host, i.seq])).toEqual([
      ['db-1', 2],
      ['db-1', 1],
    ]);
  });

  it("renders text, markdown and HTML with the daily report's renderers, escaping process names", async () => {
    const text = await runCliInProcess(['fleet', 'report', '--postgres', db.url(), '--prometheus', promUrl]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Hosts closest to OOM[\s\S]*db-1[\s\S]*Kills per host[\s\S]*Repeated victims[\s\S]*postgres/);
    const html = await runCliInProcess(['fleet', 'report', '--postgres', db.url(), '--prometheus', promUrl, '--format', 'email']);
    expect(html.stdout).toContain('/system.slice/&lt;b&gt;x&lt;/b&gt;.service');
    expect(html.stdout).not.toContain('<b>x</b>');
    expect(html.stdout).not.toContain('<svg');
  });

  it('without Prometheus the database part is still reported, and says what is missing', async () => {
    const r = await runCliInProcess(['fleet', 'report', '--postgres', db.url(), '--prometheus', `http://127.0.0.1:${await freePort()}`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Prometheus at 127\.0\.0\.1:\d+ could not be queried .*check --prometheus/);
    expect(r.stdout).toMatch(/Kills per host[\s\S]*db-1/);
  });
});
