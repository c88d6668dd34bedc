/**
 * Every Prometheus query of deploy/grafana/oomwatch.json (panels and the host variable) runs against a
 * real Prometheus scraping the agent's metrics, and answers with data: a renamed metric, a broken
 * expression or a label the agent no longer exports fails here instead of leaving an empty panel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';
import { silentLogger } from '../../src/log.js';
import { createMetrics, type Metrics } from '../../src/metrics/index.js';
import { findBinary, requireInCi, startPrometheus, waitFor, type Daemon } from '../metrics/daemon.js';
import { snapshotWith } from '../metrics/snapshot-factory.js';
import { loadDashboard, prometheusQueries, substitute } from './dashboard.js';

const prometheus = findBinary(['prometheus']);
requireInCi(prometheus, 'prometheus');

interface ApiAnswer<T> {
  status: string;
  error?: string;
  data: T;
}

const dashboard = loadDashboard();
let metrics: Metrics;
let daemon: Daemon;
let dir: string;
let base: string;

async function api<T>(path: string): Promise<ApiAnswer<T>> {
  const res = await fetch(`${base}${path}`);
  return (await res.json()) as ApiAnswer<T>;
}

describe.skipIf(!prometheus)('the Grafana dashboard against a real Prometheus (skipped only where prometheus is not installed)', () => {
  beforeAll(async () => {
    const r = validateConfig({ metrics: { enabled: true, listen: '127.0.0.1:0', topN: 5 } });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    metrics = createMetrics({ config: r.config, log: silentLogger(), version: '0.1.0-test' });
    const { port } = await metrics.server!.start();
    metrics.onTick(snapshotWith(50), { durationMs: 40, missed: 0 });
    dir = mkdtempSync(join(tmpdir(), 'oomwatch-dashboard-'));
    const started = await startPrometheus(prometheus!, dir, [port]);
    daemon = started.daemon;
    base = `http://127.0.0.1:${started.port}/api/v1`;
    // Range functions (increase over $__rate_interval) need a few samples: wait for three scrapes.
    await waitFor('three scrapes of the agent', daemon, async () => {
      const a = await api<{ result: { value: [number, string] }[] }>(
        `/query?query=${encodeURIComponent('count_over_time(up{job="oomwatch"}[1m])')}`,
      );
      return Number(a.data?.result[0]?.value[1] ?? 0) >= 3 ? true : null;
    });
  });

  afterAll(async () => {
    await daemon?.stop();
    await metrics?.server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('fills the host variable from label_values(oomwatch_build_info, instance)', async () => {
    const v = dashboard.templating.list.find((t) => t.name === 'instance')!;
    expect(v.query).toMatchObject({ query: 'label_values(oomwatch_build_info, instance)' });
    const a = await api<string[]>(`/label/instance/values?${new URLSearchParams({ 'match[]': 'oomwatch_build_info' })}`);
    expect(a.status).toBe('success');
    expect(a.data).toHaveLength(1);
    expect(a.data[0]).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('answers every panel query with data', async () => {
    const hosts = await api<string[]>(`/label/instance/values?${new URLSearchParams({ 'match[]': 'oomwatch_build_info' })}`);
    const vars = { instance: hosts.data[0] };
    const now = await api<{ result: [number, string] }>(`/query?query=time()`);
    const end = now.data.result[0];
    const empty: string[] = [];
    const queries = prometheusQueries(dashboard);
    for (const q of queries) {
      const expr = substitute(q.expr, vars);
      const params = q.instant
        ? new URLSearchParams({ query: expr, time: String(end) })
        : new URLSearchParams({ query: expr, start: String(end - 60), end: String(end), step: '1' });
      const a = await api<{ result: unknown[] }>(`/${q.instant ? 'query' : 'query_range'}?${params}`);
      expect(a, `${q.panel} ${q.refId}: ${expr}`).toMatchObject({ status: 'success' });
      if (a.data.result.length === 0) empty.push(`${q.panel} ${q.refId}: ${expr}`);
    }
    expect(empty).toEqual([]);
    expect(queries.length).toBeGreaterThan(15);
  });

  it('counts a kill recorded after the agent started in the hosts table (the zero before it makes increase() see it)', async () => {
    const q = prometheusQueries(dashboard).find((x) => x.panel === 'Hosts by OOM risk' && /oom_incidents_total/.test(x.expr))!;
    const kills = async () => {
      const a = await api<{ result: { value: [number, string] }[] }>(`/query?query=${encodeURIComponent(substitute(q.expr, {}))}`);
      // No series at all (null) would mean the counter appears only with its first kill, which increase() cannot see.
      return a.data.result.length ? Number(a.data.result[0].value[1]) : null;
    };
    expect(await kills()).toBe(0);
    metrics.onIncident({ constraint: 'CONSTRAINT_MEMCG', source: 'kmsg' });
    // Prometheus extrapolates increase() over the range, so the count reads as 1 or a little more.
    const seen = await waitFor('the kill in the hosts table', daemon, async () => (((await kills()) ?? 0) >= 1 ? true : null));
    expect(seen).toBe(true);
  });
});
