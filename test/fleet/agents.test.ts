/**
 * Fleet shipping on real engines: real `oomwatch run` agents with distinct host names ship into one real
 * PostgreSQL; a real memcg kill on one of them is found by `fleet incidents` and read back by `fleet
 * incident HOST:ID`; one real Prometheus scrapes the three agents' /metrics as docs/fleet.md configures it,
 * and `fleet report` over both names the killed host, the victim and all three hosts closest to OOM; and with
 * PostgreSQL stopped while kills are recorded (and the agent restarted in between), every incident arrives
 * exactly once when it is back. Real clock throughout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { FleetReportJson } from '../../src/cli/json/fleet.js';
import { CLI, runCli } from '../helpers/cli.js';
import { createOomCgroup, memoryCgroupSupport, removeOomCgroup, runHogInCgroup, type OomCgroup } from '../helpers/oom-cgroup.js';
import { POSTGRES_MISSING, requirePostgresInCi, startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { makeTempDir } from '../helpers/tmp.js';
import { findBinary, freePort, requireInCi, startDaemon, waitFor as waitForDaemon, type Daemon } from '../metrics/daemon.js';
import { packageRoot } from '../../src/util/package-root.js';

requirePostgresInCi();
const prometheus = findBinary(['prometheus']);
requireInCi(prometheus, 'prometheus');
const support = memoryCgroupSupport();
const noKill = support.ok ? null : (support.reason ?? 'no memory cgroup');
const tmp = makeTempDir();
const FIXTURE_PROC = join(packageRoot(), 'test/fixtures/proc/busy-host');
const KMSG = join(packageRoot(), 'test/fixtures/kmsg');
const KMSG_FIXTURES = [
  '3.10.0-514.6.1.el7-global-1.txt',
  '4.18.0-memcg-1.txt',
  '5.15.158-memcg-1.txt',
  '6.18.44-memcg-2.txt',
  '6.18.44-memcg-kmsg-3.txt',
  '6.18.44-memcg-kmsg-headerless-4.txt',
];

let pg: TestPostgres;
beforeAll(async () => {
  if (POSTGRES_MISSING) return;
  pg = await startPostgres();
  const m = await runCli(['fleet', 'migrate', '--postgres', pg.url()]);
  expect(m.code, m.stderr).toBe(0);
});
afterAll(async () => {
  await pg?.destroy();
  tmp.cleanup();
});

async function waitFor<T>(
  what: string,
  fn: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  ms = 40_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Agent {
  child: ChildProcess;
  db: string;
  stderr(): string;
  stop(): Promise<number | null>;
}

function startAgent(name: string, opts: { realProc: boolean; metricsPort?: number }): Agent {
  const cfg = join(tmp.dir, `${name}.yaml`);
  writeFileSync(
    cfg,
    [
      `agent: {hostname: ${name}, logLevel: warn}`,
      opts.realProc
        ? 'sample: {interval: 300ms, keyframeEvery: 1m}'
        : `sample: {interval: 300ms, keyframeEvery: 1m, procRoot: ${JSON.stringify(FIXTURE_PROC)}}`,
      `kernel: {enabled: ${opts.realProc}}`,
      ...(opts.metricsPort ? [`metrics: {enabled: true, listen: '127.0.0.1:${opts.metricsPort}', topN: 5}`] : []),
      'fleet:',
      '  postgres: {url: {env: FLEET_TEST_PG}, timeout: 2s}',
      '  retry: {initialBackoff: 100ms, maxBackoff: 500ms}',
    ].join('\n'),
  );
  const db = join(tmp.dir, `${name}.db`);
  const child = spawn(process.execPath, [CLI, 'run', '--config', cfg, '--db', db], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, FLEET_TEST_PG: pg.url() },
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return {
    child,
    db,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      return child.exitCode;
    },
  };
}

/**
 * One real Prometheus scraping the agents with the `oomwatch` job of docs/fleet.md as written there (file-based
 * discovery, its relabelling), each target named by a `host` label in its target file as the docs say.
 */
async function startPrometheus(targets: { host: string; port: number }[]): Promise<{ url: string; daemon: Daemon }> {
  const doc = readFileSync(join(packageRoot(), 'docs/fleet.md'), 'utf8');
  const block = /<!-- checked by test\/metrics\/docs\.test\.ts with promtool check config -->\n```yaml\n([\s\S]*?)```/.exec(doc);
  expect(block, 'docs/fleet.md has the Prometheus config').not.toBeNull();
  const cfg = parse(block![1]) as { scrape_configs: { job_name: string; file_sd_configs: { files: string[] }[] }[] };
  const job = cfg.scrape_configs.find((j) => j.job_name === 'oomwatch')!;
  const dir = join(tmp.dir, 'prometheus');
  mkdirSync(join(dir, 'targets'), { recursive: true });
  job.file_sd_configs = [{ files: [join(dir, 'targets', 'oomwatch-*.yml')] }];
  writeFileSync(
    join(dir, 'targets', 'oomwatch-test.yml'),
    stringify(targets.map((t) => ({ targets: [`127.0.0.1:${t.port}`], labels: { host: t.host } }))),
  );
  writeFileSync(join(dir, 'prometheus.yml'), stringify({ global: { scrape_interval: '1s' }, scrape_configs: [job] }));
  const port = await freePort();
  const daemon = startDaemon(prometheus!, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
  return { url: `http://127.0.0.1:${port}`, daemon };
}

/** Prometheus has scraped every target (health up) and answers a query with each host's available memory. */
async function scrapedHosts(promUrl: string): Promise<string[]> {
  const targets = (await (await fetch(`${promUrl}/api/v1/targets?state=active`)).json()) as {
    data: { activeTargets: { labels: Record<string, string>; health: string }[] };
  };
  const up = targets.data.activeTargets.filter((t) => t.health === 'up').map((t) => t.labels.host);
  const q = encodeURIComponent('count by (host) (oomwatch_memory_available_bytes)');
  const series = (await (await fetch(`${promUrl}/api/v1/query?query=${q}`)).json()) as { data: { result: { metric: { host: string } }[] } };
  const queried = new Set(series.data.result.map((r) => r.metric.host));
  return up.filter((h) => queried.has(h)).sort();
}

const tickCount = (db: string) => {
  try {
    const c = new BetterSqlite3(db, { readonly: true, fileMustExist: true });
    try {
      return (c.prepare('SELECT COUNT(*) AS n FROM tick').get() as { n: number }).n;
    } catch {
      return 0;
    } finally {
      c.close();
    }
  } catch {
    return 0;
  }
};
/** The agent (re)started and ticks: two ticks more than `before`. */
const ticked = (db: string, before = 0) => tickCount(db) > before + 1;

const incidentCount = (db: string) => {
  const c = new BetterSqlite3(db, { readonly: true });
  try {
    return (c.prepare('SELECT count(*) AS n FROM incident').get() as { n: number }).n;
  } finally {
    c.close();
  }
};

const hostRows = async (host: string) =>
  (
    await pg.sql<{ n: number; keys: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT (boot_id, seq))::int AS keys FROM incidents WHERE host = $1`,
      [host],
    )
  )[0];

describe.skipIf(POSTGRES_MISSING !== null)(`agents → one PostgreSQL${POSTGRES_MISSING ? ` (skipped: ${POSTGRES_MISSING})` : ''}`, () => {
  it.runIf(process.env.CI === 'true' && noKill !== null)('CI must be able to make a real memcg kill', () => {
    expect.fail(`CI=true but the kill cannot run: ${noKill}`);
  });

  it.skipIf(noKill !== null || prometheus === null)(
    'three agents scraped by one Prometheus; real memcg kills on one are found by fleet incidents, fleet incident and fleet report',
    async () => {
      const hosts = ['fleet-a', 'fleet-b', 'fleet-c'];
      const ports: number[] = [];
      for (let i = 0; i < hosts.length; i++) ports.push(await freePort());
      const agents = hosts.map((name, i) => startAgent(name, { realProc: i === 0, metricsPort: ports[i] }));
      const prom = await startPrometheus(hosts.map((host, i) => ({ host, port: ports[i] })));
      let cg: OomCgroup | null = null;
      try {
        for (const a of agents) await waitFor(`${a.db} to tick`, () => ticked(a.db));
        // The two fixture hosts record a kill each from a saved kernel log (their /proc is a fixture tree).
        for (const [i, name] of ['fleet-b', 'fleet-c'].entries()) {
          const r = await runCli(['import', join(KMSG, KMSG_FIXTURES[i + 3]), '--db', join(tmp.dir, `${name}.db`)]);
          expect(r.code, r.stderr).toBe(0);
        }
        cg = createOomCgroup({ limitBytes: 96 * 1024 * 1024 });
        // Slow enough (about 6 s to the limit) that the agent samples it several times even on a loaded machine: the
        // shipped report's ranking at the kill must hold it.
        const hog = await runHogInCgroup(cg, { comm: 'fleet-hog', stepDelayMs: 60 });
        expect((await hog.exited).signal).toBe('SIGKILL');

        const found = await waitFor('the kill in fleet incidents', async () => {
          const r = await runCli(['fleet', 'incidents', '--postgres', pg.url(), '--comm', 'fleet-hog', '--since', '1h', '--json']);
          expect(r.code, r.stderr).toBe(0);
          const doc = JSON.parse(r.stdout) as {
            incidents: { host: string; localId: number; victimPid: number; constraintKind: string; cgroup: string }[];
          };
          return doc.incidents.find((i) => i.victimPid === hog.pid);
        });
        expect(found).toMatchObject({ host: 'fleet-a', constraintKind: 'memcg', cgroup: cg.cgroupPath });
        // The same process killed again: a repeated victim for the fleet report.
        const again = await runHogInCgroup(cg, { comm: 'fleet-hog', stepDelayMs: 20 });
        expect((await again.exited).signal).toBe('SIGKILL');
        await waitFor('the second kill in fleet incidents', async () => {
          const r = await runCli(['fleet', 'incidents', '--postgres', pg.url(), '--comm', 'fleet-hog', '--since', '1h', '--json']);
          return (JSON.parse(r.stdout) as { incidents: { victimPid: number }[] }).incidents.some((i) => i.victimPid === again.pid);
        });

        const table = await runCli(['fleet', 'incidents', '--postgres', pg.url(), '--host', 'fleet-?', '--since', '1h']);
        expect(table.code, table.stderr).toBe(0);
        await waitFor('all three hosts', async () => {
          const r = await runCli(['fleet', 'incidents', '--postgres', pg.url(), '--host', 'fleet-?', '--since', '1h', '--json']);
          const seen = new Set((JSON.parse(r.stdout) as { incidents: { host: string }[] }).incidents.map((i) => i.host));
          return hosts.every((h) => seen.has(h));
        });
        const other = await runCli(['fleet', 'incidents', '--postgres', pg.url(), '--host', 'fleet-b', '--comm', 'fleet-hog', '--json']);
        expect(JSON.parse(other.stdout).incidents).toEqual([]);

        // The same forensic report as on the host, from what was shipped: the victim and its pre-kill ranking.
        const detail = await runCli(['fleet', 'incident', `fleet-a:${found.localId}`, '--postgres', pg.url()]);
        expect(detail.code, detail.stderr).toBe(0);
        expect(detail.stdout).toContain('fleet-hog');
        expect(detail.stdout).toContain(`fleet-a`);
        const onHost = await runCli(['report', '--incident', String(found.localId), '--db', agents[0].db, '--format', 'json']);
        const shipped = await runCli(['fleet', 'incident', `fleet-a:${found.localId}`, '--postgres', pg.url(), '--format', 'json']);
        const [h, s] = [JSON.parse(onHost.stdout), JSON.parse(shipped.stdout)];
        expect(s.incident).toEqual(h.incident);
        expect(s.rankings.length).toBeGreaterThan(0);
        expect(s.rankings.at(-1).rows.some((r: { pid: number }) => r.pid === hog.pid)).toBe(true);

        // The fleet report: kills and repeated victims from PostgreSQL, the hosts closest to OOM from Prometheus
        // over the agents' own metrics, once it has scraped each of them.
        expect(
          await waitForDaemon('Prometheus to scrape the three agents', prom.daemon, async () => {
            const up = await scrapedHosts(prom.url);
            return up.length === hosts.length ? up : null;
          }),
        ).toEqual(hosts);
        const reportArgs = ['fleet', 'report', '--postgres', pg.url(), '--prometheus', prom.url, '--since', '1h', '--format'];
        const json = await runCli([...reportArgs, 'json']);
        expect(json.code, json.stderr).toBe(0);
        const report = FleetReportJson.parse(JSON.parse(json.stdout));
        // (fleet-a reads the real /dev/kmsg: earlier kills on this machine within the hour count too)
        expect(report.killsPerHost.find((h) => h.host === 'fleet-a')?.kills).toBeGreaterThanOrEqual(2);
        const repeated = report.repeatedVictims.find((v) => v.comm === 'fleet-hog');
        expect(repeated?.kills).toBeGreaterThanOrEqual(2);
        expect(repeated?.hosts).toBe(1);
        const closest = report.closestToOom ?? [];
        expect(closest.map((h) => h.host).sort()).toEqual(hosts);
        for (const h of closest) {
          expect(h.lowestAvailableFraction, h.host).toBeGreaterThan(0);
          expect(h.lowestAvailableFraction, h.host).toBeLessThanOrEqual(1);
        }
        // the fixture hosts' /proc/meminfo: MemAvailable 5242880 kB of MemTotal 16777216 kB
        for (const h of closest.filter((c) => c.host !== 'fleet-a')) expect(h.lowestAvailableFraction).toBeCloseTo(5242880 / 16777216, 6);
        const text = await runCli([...reportArgs, 'text']);
        expect(text.code, text.stderr).toBe(0);
        expect(text.stdout).toMatch(
          /Hosts closest to OOM[\s\S]*fleet-a[\s\S]*Kills per host[\s\S]*fleet-a[\s\S]*Repeated victims[\s\S]*fleet-hog/,
        );

        // The kill's alert transitions are shipped too.
        await waitFor(
          'fleet-a alert transitions',
          async () => (await pg.sql(`SELECT 1 FROM alert_transitions WHERE host = 'fleet-a' AND state = 'firing'`)).length > 0,
        );
      } finally {
        if (cg) await removeOomCgroup(cg);
        await prom.daemon.stop();
        const codes = await Promise.all(agents.map((a) => a.stop()));
        expect(codes, agents.map((a) => a.stderr()).join('\n')).toEqual([0, 0, 0]);
      }
    },
  );

  it('PostgreSQL stopped while kills are recorded, the agent restarted meanwhile: every incident arrives exactly once', async () => {
    const host = 'fleet-fault';
    await pg.stop();
    let agent = startAgent(host, { realProc: false });
    try {
      await waitFor('the agent to tick', () => ticked(agent.db));
      for (const f of KMSG_FIXTURES.slice(0, 3)) expect((await runCli(['import', join(KMSG, f), '--db', agent.db])).code).toBe(0);
      // queued, tried, failed: the rows wait in the outbox
      const outbox = () => {
        const c = new BetterSqlite3(agent.db, { readonly: true });
        try {
          return c
            .prepare(
              `SELECT count(*) AS n, min(attempts) AS minAttempts FROM outbox WHERE channel = 'fleet:postgres' AND kind = 'fleet-incident' AND status = 'pending'`,
            )
            .get() as { n: number; minAttempts: number };
        } finally {
          c.close();
        }
      };
      await waitFor('three failed attempts', () => outbox().n === 3 && outbox().minAttempts >= 1);
      expect(await agent.stop()).toBe(0);
      let before = tickCount(agent.db);
      agent = startAgent(host, { realProc: false });
      await waitFor('the agent to tick again', () => ticked(agent.db, before));
      for (const f of KMSG_FIXTURES.slice(3)) expect((await runCli(['import', join(KMSG, f), '--db', agent.db])).code).toBe(0);
      // (the headerless kmsg fixture is the same kill as the one before it: the host stores it once)
      const recorded = incidentCount(agent.db);
      expect(recorded).toBe(5);
      await waitFor('every incident waiting', () => outbox().n === recorded);

      await pg.start();
      await waitFor('the outbox to drain', () => outbox().n === 0);
      expect(await hostRows(host)).toEqual({ n: recorded, keys: recorded });
      // restarting the agent once more ships nothing again
      expect(await agent.stop()).toBe(0);
      before = tickCount(agent.db);
      agent = startAgent(host, { realProc: false });
      await waitFor('the agent to tick again', () => ticked(agent.db, before));
      expect(await hostRows(host)).toEqual({ n: recorded, keys: recorded });
    } finally {
      await pg.start();
      expect(await agent.stop(), agent.stderr()).toBe(0);
    }
  });
});
