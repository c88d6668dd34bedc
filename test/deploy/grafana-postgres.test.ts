/**
 * Every PostgreSQL query of deploy/grafana/oomwatch.json (panel targets and template variables, found by their
 * data source, so a new panel is covered without editing this file) runs against a real PostgreSQL holding the
 * central schema (migrateFleet) and incidents shipped by the agents' own code (fleetIncidentOf + shipBatch),
 * after Grafana's macros and variables are expanded as Grafana expands them. A fixed instant: no wall clock.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateFleet } from '../../src/fleet/migrate.js';
import { getFleetIncident } from '../../src/fleet/query.js';
import { fleetIncidentOf } from '../../src/fleet/payload.js';
import { shipBatch } from '../../src/fleet/ship.js';
import type { IncidentView } from '../../src/model/incident.js';
import type { Workload } from '../../src/model/workload.js';
import type { IncidentReport } from '../../src/report/types.js';
import { incidentView, victimOf } from '../helpers/incident-view.js';
import { POSTGRES_MISSING, requirePostgresInCi, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { expandSql, loadDashboard, postgresQueries, type SqlScope } from './dashboard.js';

requirePostgresInCi();

const T0 = Date.parse('2026-03-15T12:00:00Z');
const MIN = 60_000;
const report = { schema: 'oomwatch.report.incident/v1' } as unknown as IncidentReport;
const dashboard = loadDashboard();
const queries = postgresQueries(dashboard);

const cartPod: Workload = {
  kind: 'k8s-pod',
  runtime: 'cri-containerd',
  podUid: 'u-1',
  qos: 'burstable',
  containerId: 'c1',
  unit: null,
  userUid: null,
  namespace: 'shop',
  pod: 'cart-0',
  container: 'cart',
  image: null,
  composeProject: null,
  composeService: null,
  userName: null,
};

/** An incident as the host's store shows it (what the agent hands to fleetIncidentOf). */
function view(over: Partial<IncidentView> & { comm: string; pid: number; rssBytes: number; adj: number }): IncidentView {
  const { comm, pid, rssBytes, adj, ...rest } = over;
  return incidentView(T0, {
    bootId: 'boot-1',
    kmsgSeq: 1,
    monotonicUs: 1,
    victim: victimOf({ pid, comm, anonRssBytes: rssBytes, oomScoreAdj: adj }),
    ...rest,
  });
}

const POD_CGROUP = '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podu_1.slice';
const INCIDENTS = [
  // In the last hours: a pod's container, a unit without a resolved workload, a global kill; postgres dies twice on two hosts.
  fleetIncidentOf(
    'web-1',
    view({
      id: 11,
      kmsgSeq: 101,
      timeMs: T0 - 50 * MIN,
      comm: 'java',
      pid: 300,
      rssBytes: 900_000_000,
      adj: 936,
      oomMemcg: POD_CGROUP,
      workload: cartPod,
    }),
    report,
    T0,
  ),
  fleetIncidentOf(
    'web-1',
    view({
      id: 12,
      kmsgSeq: 102,
      timeMs: T0 - 30 * MIN,
      comm: 'postgres',
      pid: 400,
      rssBytes: 2_000_000_000,
      adj: -900,
      oomMemcg: '/system.slice/postgresql.service',
    }),
    report,
    T0,
  ),
  fleetIncidentOf(
    'db-1',
    view({
      id: 3,
      kmsgSeq: 7,
      timeMs: T0 - 10 * MIN,
      comm: 'postgres',
      pid: 500,
      rssBytes: 6_000_000_000,
      adj: 0,
      constraint: 'global',
      constraintRaw: 'CONSTRAINT_NONE',
    }),
    report,
    T0,
  ),
  // Three days earlier, on a host with nothing since: outside the dashboard's time range.
  fleetIncidentOf(
    'old-1',
    view({ id: 1, kmsgSeq: 1, timeMs: T0 - 3 * 1440 * MIN, comm: 'postgres', pid: 600, rssBytes: 1_000_000, adj: 0 }),
    report,
    T0,
  ),
];

/** The dashboard's time range: the last 6 hours before T0. */
const RANGE = { fromMs: T0 - 360 * MIN, toMs: T0 };
const ALL_HOSTS = ['db-1', 'web-1'];

let db: TestPostgres;
let client: pg.Client;

beforeAll(async () => {
  if (POSTGRES_MISSING) return;
  db = await startPostgres();
  client = new pg.Client({ connectionString: db.url() });
  await client.connect();
  await migrateFleet(client, T0);
  await shipBatch(client, INCIDENTS);
});

afterAll(async () => {
  await client?.end();
  await db?.destroy();
});

const only = (where: string) => {
  const q = queries.find((x) => x.where === where);
  if (!q)
    throw new Error(`The dashboard has no PostgreSQL query for "${where}": the test's expectations name panels that no longer exist.`);
  return q;
};

async function run(where: string, hosts: string[]): Promise<Record<string, unknown>[]> {
  const scope: SqlScope = { ...RANGE, vars: { host: hosts } };
  return (await client.query(expandSql(only(where).sql, scope))).rows;
}

describe('expanding Grafana macros', () => {
  it('expands $__timeFilter and a multi-value variable as Grafana does, and refuses what it does not know', () => {
    const scope: SqlScope = { fromMs: T0 - MIN, toMs: T0, vars: { host: ['a', "o'b"] } };
    expect(expandSql('WHERE $__timeFilter(at) AND host IN ($host) OR h IN (${host})', scope)).toBe(
      "WHERE at BETWEEN '2026-03-15T11:59:00.000Z' AND '2026-03-15T12:00:00.000Z' AND host IN ('a','o''b') OR h IN ('a','o''b')",
    );
    expect(expandSql('host IN ($host)', { ...scope, vars: { host: [] } })).toBe('host IN ()');
    expect(() => expandSql('GROUP BY $__timeGroup(at, $__interval)', scope)).toThrow(/macro \$__timeGroup/);
    expect(() => expandSql('WHERE at < $__timeTo()', scope)).toThrow(/macro \$__timeTo/);
    expect(() => expandSql('WHERE x = $other', scope)).toThrow(/\$other/);
    expect(() => expandSql('WHERE x = ${host:csv}', scope)).toThrow(/\$\{host:csv\}/);
  });
});

describe.skipIf(POSTGRES_MISSING)('the dashboard’s PostgreSQL queries against the central schema', () => {
  it('finds the panels’ and the host variable’s queries', () => {
    expect(queries.map((q) => q.where)).toEqual(
      expect.arrayContaining(['Incidents', 'Kills by workload', 'Repeated victims', 'variable host']),
    );
    for (const q of queries) expect(q.sql, `${q.where} ${q.refId}`).not.toBe('');
  });

  it('runs every query with all hosts, one host and none selected', async () => {
    for (const hosts of [ALL_HOSTS, ['web-1'], []]) {
      for (const q of queries) {
        const sql = expandSql(q.sql, { ...RANGE, vars: { host: hosts } });
        await expect(client.query(sql), `${q.where} ${q.refId} with hosts [${hosts.join(', ')}]:\n${sql}`).resolves.toBeDefined();
      }
    }
  });

  it('the host variable lists the hosts with incidents in the time range', async () => {
    const rows = await run('variable host', []);
    expect(rows.map((r) => Object.values(r)[0])).toEqual(ALL_HOSTS);
  });

  it('the incident table lists the incidents of the selected hosts newest first, with the HOST:ID to open each, victim and workload', async () => {
    const rows = await run('Incidents', ALL_HOSTS);
    expect(rows).toEqual([
      {
        time: new Date(T0 - 10 * MIN),
        incident: 'db-1:3',
        host: 'db-1',
        killer: 'kernel',
        constraint: 'global',
        workload: null,
        victim: 'postgres',
        pid: 500,
        rss: '6000000000',
        oom_score_adj: 0,
      },
      {
        time: new Date(T0 - 30 * MIN),
        incident: 'web-1:12',
        host: 'web-1',
        killer: 'kernel',
        constraint: 'memcg',
        workload: '/system.slice/postgresql.service',
        victim: 'postgres',
        pid: 400,
        rss: '2000000000',
        oom_score_adj: -900,
      },
      {
        time: new Date(T0 - 50 * MIN),
        incident: 'web-1:11',
        host: 'web-1',
        killer: 'kernel',
        constraint: 'memcg',
        workload: 'shop/cart-0/cart',
        victim: 'java',
        pid: 300,
        rss: '900000000',
        oom_score_adj: 936,
      },
    ]);
    for (const r of rows) {
      const [, host, id] = /^(.+):(\d+)$/.exec(String(r.incident))!;
      expect(await getFleetIncident(client, host, Number(id)), String(r.incident)).toMatchObject({
        host: r.host,
        victimComm: r.victim,
        victimPid: r.pid,
      });
    }
    expect((await run('Incidents', ['web-1'])).map((r) => r.victim)).toEqual(['postgres', 'java']);
    expect(await run('Incidents', [])).toEqual([]);
  });

  it('kills by workload counts each pod, cgroup and the host itself', async () => {
    const rows = await run('Kills by workload', ALL_HOSTS);
    const counts = Object.fromEntries(rows.map((r) => [r.workload, Number(r.kills)]));
    expect(counts).toEqual({ 'shop/cart-0': 1, '/system.slice/postgresql.service': 1, host: 1 });
  });

  it('repeated victims finds the process killed more than once in the range, across hosts', async () => {
    expect(await run('Repeated victims', ALL_HOSTS)).toEqual([
      { victim: 'postgres', kills: '2', hosts: '2', last: new Date(T0 - 10 * MIN) },
    ]);
    expect(await run('Repeated victims', ['web-1'])).toEqual([]);
  });
});
