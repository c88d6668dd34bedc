/** The fleet's pure parts: central keys, config, TLS options, failure messages, search and PromQL helpers. */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';
import { describePgFailure, describeTarget, poolConfigFor, sslOptionFor } from '../../src/fleet/pg-client.js';
import { fleetIncidentOf, seqForKey } from '../../src/fleet/payload.js';
import { closestToOomQueries, hosted } from '../../src/fleet/prometheus.js';
import { globToLike } from '../../src/fleet/query.js';
import { partitionMonths } from '../../src/fleet/migrate.js';
import { commandFleetTarget, resolveFleetTarget } from '../../src/fleet/target.js';
import { fleetDedupKey } from '../../src/fleet/types.js';
import type { IncidentView } from '../../src/model/incident.js';
import { incidentView, victimOf } from '../helpers/incident-view.js';
import type { IncidentReport } from '../../src/report/types.js';

const T0 = Date.parse('2026-01-31T23:00:00Z');
const report = { schema: 'oomwatch.report.incident/v1' } as unknown as IncidentReport;

function view(over: Partial<IncidentView> = {}): IncidentView {
  return incidentView(T0, {
    id: 7,
    bootId: 'boot',
    kmsgSeq: 991,
    monotonicUs: 1,
    oomMemcg: '/kubepods.slice/pod',
    taskMemcg: '/kubepods.slice/pod/c',
    victim: victimOf({ pid: 5, comm: 'java', anonRssBytes: 100, fileRssBytes: 20, shmemRssBytes: null, oomScoreAdj: 900 }),
    ...over,
  });
}

describe('central rows', () => {
  it("keys a kernel kill by host, boot and the kill record's sequence", () => {
    const row = fleetIncidentOf('web-1', view(), report, T0 + 5);
    expect(row).toMatchObject({
      host: 'web-1',
      bootId: 'boot',
      seq: 991,
      atMs: T0,
      localId: 7,
      killer: 'kernel',
      cgroup: '/kubepods.slice/pod',
      victimRssBytes: 120,
      victimOomScoreAdj: 900,
    });
    expect(fleetDedupKey(row)).toBe('incident|web-1|boot|991');
  });

  it("a kill without a boot id or sequence gets a stable negative key from the host's incident key", () => {
    const a = fleetIncidentOf('h', { ...view({ bootId: null, kmsgSeq: 5, timeMs: null }), dedupeKey: 'import|x|1' }, report, T0);
    const b = fleetIncidentOf('h', { ...view({ bootId: null, kmsgSeq: 5, timeMs: null }), dedupeKey: 'import|x|2' }, report, T0);
    expect(a.seq).toBe(seqForKey('import|x|1'));
    expect(a.seq).toBeLessThan(0);
    expect(Number.isSafeInteger(a.seq)).toBe(true);
    expect(a.seq).not.toBe(b.seq);
    expect(a.atMs).toBe(T0);
    expect(a.bootId).toBe('');
  });

  it('ships the workload and the killer when the host recorded them', () => {
    const row = fleetIncidentOf(
      'h',
      {
        ...view(),
        killer: 'systemd-oomd',
        workload: {
          kind: 'k8s-pod',
          runtime: 'cri-containerd',
          podUid: 'u-1',
          qos: 'burstable',
          containerId: 'c1',
          unit: null,
          userUid: null,
          namespace: 'ns',
          pod: 'p-0',
          container: 'c',
          image: null,
          composeProject: null,
          composeService: null,
          userName: null,
        },
      },
      report,
      T0,
    );
    expect(row).toMatchObject({
      killer: 'systemd-oomd',
      namespace: 'ns',
      pod: 'p-0',
      container: 'c',
      workload: { kind: 'k8s-pod', podUid: 'u-1' },
    });
  });
});

describe('config', () => {
  it('takes the URL as a secret from the environment, and never prints it', () => {
    const r = validateConfig({ fleet: { postgres: { url: { env: 'PGURL' }, sslmode: 'verify-full', sslrootcert: '/etc/ca.pem' } } });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(JSON.stringify(r.config.fleet)).not.toContain('secret');
    const t = resolveFleetTarget(r.config.fleet, { env: { PGURL: 'postgres://agent:s3cret@db:5432/fleet' } });
    expect(t).toMatchObject({ url: 'postgres://agent:s3cret@db:5432/fleet', sslmode: 'verify-full', timeoutMs: 10_000 });
    expect(r.config.fleet.batchSize).toBe(200);
  });

  it('names the fix for a missing variable and for a URL that is not postgres://, without the value', () => {
    const r = validateConfig({ fleet: { postgres: { url: 'https://s3cret@x' } } });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(() => resolveFleetTarget(r.config.fleet, { env: {} })).toThrow(
      /fleet\.postgres\.url: the value \(from inline; not shown, it is a secret\) is not a postgres:\/\/ URL/,
    );
    expect(() => resolveFleetTarget(r.config.fleet, { env: {} })).not.toThrow(/s3cret/);
    const e = validateConfig({ fleet: { postgres: { url: { env: 'NOPE' } } } });
    if (!e.ok) throw new Error(e.errors.join('\n'));
    expect(() => resolveFleetTarget(e.config.fleet, { env: {} })).toThrow(/environment variable NOPE is not set/);
  });

  it('the scheduled report needs the database, a valid schedule and channels that exist', () => {
    const r = validateConfig({ fleet: { report: { enabled: true, cron: '0 25 * * *', timeZone: 'Mars/Olympus', channels: ['nope'] } } });
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors).toEqual([
      'fleet.report: the scheduled fleet report needs the fleet database. Set fleet.postgres.url, or set fleet.report.enabled: false.',
      expect.stringMatching(/^fleet\.report\.cron: "0 25 \* \* \*" is not a valid cron expression .*e\.g\. "0 8 \* \* \*"/),
      'fleet.report.timeZone: "Mars/Olympus" is not an IANA time zone. Use a name such as UTC or Europe/Berlin.',
      'fleet.report.channels.0: no channel named "nope" under channels: (configured: console). Fix the name or add the channel.',
    ]);
  });

  it('a fleet command without any database says the three ways to name one', () => {
    const r = validateConfig({});
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(resolveFleetTarget(r.config.fleet, { env: {} })).toBeNull();
    expect(() => commandFleetTarget(undefined, r.config.fleet, { env: {} })).toThrow(
      /Pass --postgres .* set OOMWATCH_FLEET_POSTGRES, or set fleet\.postgres\.url/,
    );
  });
});

describe('TLS and failures', () => {
  it("maps libpq sslmodes, and the config's sslmode wins over the URL's", () => {
    expect(sslOptionFor('disable', undefined)).toBe(false);
    expect(sslOptionFor('require', undefined)).toEqual({ rejectUnauthorized: false });
    expect(sslOptionFor('verify-full', 'PEM')).toEqual({ rejectUnauthorized: true, ca: 'PEM' });
    const ca = sslOptionFor('verify-ca', 'PEM') as { checkServerIdentity: () => unknown };
    expect(ca.checkServerIdentity()).toBeUndefined();
    const cfg = poolConfigFor(
      { url: 'postgres://u:p@db/fleet?sslmode=disable', sslmode: 'verify-full', sslrootcert: '/ca.pem', timeoutMs: 5000 },
      { max: 1, readFile: () => 'PEM' },
    );
    expect(cfg.connectionString).toBe('postgres://u:p@db/fleet');
    expect(cfg.ssl).toEqual({ rejectUnauthorized: true, ca: 'PEM' });
  });

  it('describes failures with the fix, retryable or not, without the password', () => {
    expect(describeTarget('postgres://u:s3cret@db.internal:6432/fleet')).toBe('db.internal:6432/fleet');
    expect(describePgFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'db:5432')).toMatchObject({
      retryable: true,
      message: expect.stringMatching(/refused the connection: check that it runs/),
    });
    expect(describePgFailure(Object.assign(new Error('relation "incidents" does not exist'), { code: '42P01' }), 'db:5432')).toMatchObject({
      retryable: false,
      message: expect.stringMatching(/oomwatch fleet migrate/),
    });
    expect(
      describePgFailure(Object.assign(new Error('permission denied for table incidents'), { code: '42501' }), 'db:5432').message,
    ).toMatch(/Roles and GRANTs/);
    expect(
      describePgFailure(Object.assign(new Error('password authentication failed for user "agent"'), { code: '28P01' }), 'db:5432'),
    ).toMatchObject({ retryable: false });
    expect(
      describePgFailure(Object.assign(new Error('the database system is shutting down'), { code: '57P03' }), 'db:5432').retryable,
    ).toBe(true);
  });
});

describe('search and PromQL helpers', () => {
  it("turns a host glob into a LIKE pattern, escaping LIKE's own wildcards", () => {
    expect(globToLike('web-*')).toBe('web-%');
    expect(globToLike('db-?1')).toBe('db-_1');
    expect(globToLike('a_b%c\\')).toBe('a\\_b\\%c\\\\');
  });

  it('partitions from last month to three months ahead', () => {
    expect(partitionMonths(T0)).toEqual(['2025-12-01', '2026-01-01', '2026-02-01', '2026-03-01', '2026-04-01']);
  });

  it('labels every series with a host: its own label, else the instance without the port', () => {
    expect(hosted('m', 'kind="some"')).toBe(
      '(label_replace(m{kind="some", host=""}, "host", "$1", "instance", "([^:]+).*") or m{kind="some", host!=""})',
    );
    const q = closestToOomQueries(86_400_000);
    expect(q.psi).toContain('max_over_time(oomwatch_memory_pressure_ratio{kind="some", window="10s", host=""}[86400s])');
    expect(q.risk).not.toMatch(/rank/);
  });
});
