/**
 * deploy/grafana/oomwatch.json is provisionable as it is: data sources come from variables (no
 * `__inputs` to import by hand), panel ids are unique, every query names only metrics the agent exports
 * and selects no rank label. The queries themselves run against a real Prometheus in grafana-prometheus.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { exportedMetricNames, metricNamesIn } from './exported-metrics.js';
import { loadDashboard, prometheusQueries, substitute } from './dashboard.js';

const dashboard = loadDashboard();

describe('deploy/grafana/oomwatch.json', () => {
  it('can be provisioned from a file: a fixed uid, no import inputs, data sources chosen by variables', () => {
    expect(dashboard).toMatchObject({ uid: 'oomwatch', title: expect.any(String) });
    expect(dashboard).not.toHaveProperty('__inputs');
    expect(dashboard).not.toHaveProperty('id');
    const vars = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    expect(vars.prometheus).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(vars.postgres).toMatchObject({ type: 'datasource', query: 'grafana-postgresql-datasource' });
    const sources = dashboard.panels
      .filter((p) => p.type !== 'row')
      .flatMap((p) => [p.datasource, ...(p.targets ?? []).map((t) => t.datasource)]);
    expect(new Set(sources.map((s) => `${s?.type} ${s?.uid}`))).toEqual(
      new Set(['prometheus ${prometheus}', 'grafana-postgresql-datasource ${postgres}']),
    );
  });

  it('has unique panel ids and lays every panel on the 24-column grid', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      if (p.type !== 'row') expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
  });

  it('shows hosts by risk, a host’s domains and next victims, kills over time and the incident table', () => {
    const titles = dashboard.panels.map((p) => p.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Hosts by OOM risk',
        'Next victims (host domain)',
        'OOM domains: memory cgroups closest to their limit, and their next victims',
        'OOM kills recorded, by constraint',
        'Incidents',
      ]),
    );
    const incidents = dashboard.panels.find((p) => p.title === 'Incidents')!;
    expect(incidents.targets![0].rawSql).toMatch(/FROM incidents\s+WHERE \$__timeFilter\(at\)/);
  });

  it('queries only metrics the agent exports, never by a rank label, with only variables it defines', async () => {
    const exported = await exportedMetricNames();
    exported.add('up');
    const queries = prometheusQueries(dashboard);
    expect(queries.length).toBeGreaterThan(15);
    for (const q of queries) {
      expect(
        metricNamesIn(q.expr).filter((n) => !exported.has(n)),
        `${q.panel} ${q.refId}: ${q.expr}`,
      ).toEqual([]);
      expect(q.expr).not.toMatch(/\brank\s*=/);
      expect(() => substitute(q.expr, { instance: 'x' })).not.toThrow();
    }
  });
});
