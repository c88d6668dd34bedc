/**
 * Report assembly as a pure function over a fixture store (real SQLite written through the real repos),
 * pinned with golden files for text, markdown and JSON. UPDATE_GOLDEN=1 rewrites them.
 */
import { describe, expect, it } from 'vitest';
import { assembleDailyReport } from '../../src/report/assemble-daily.js';
import { assembleIncidentReport } from '../../src/report/assemble-incident.js';
import { renderReport } from '../../src/report/index.js';
import { fetchIncidentInput, findIncident } from '../../src/store/report-queries.js';
import { fetchDailyInput } from '../../src/store/report-queries-daily.js';
import type { IncidentReport } from '../../src/report/types.js';
import { makeTempDir } from '../helpers/tmp.js';
import { HOSTILE, KILL_MS, useLeakStore } from '../fixtures/report/build-store.js';
import { expectGolden } from './golden.js';

const TZ = 'Europe/Berlin';
const tmp = makeTempDir('oomwatch-report-');
const store = useLeakStore(tmp);

function incidentReport(id: number): IncidentReport {
  const incident = findIncident(store.db, { id });
  expect(incident).not.toBeNull();
  const input = fetchIncidentInput(store.db, { incident, atMs: incident!.timeMs!, windowMs: 30 * 60_000, host: 'fallback' });
  return assembleIncidentReport(input, { timeZone: TZ });
}

describe('incident report over the "app leak" fixture', () => {
  it('names the leaker as the culprit and the kernel victim, and explains why they differ', () => {
    const r = incidentReport(store.incidentId);
    expect(r.incident).toMatchObject({
      victim: { pid: 301, comm: 'app-server' },
      constraint: 'memcg',
      oomMemcg: '/system.slice/app.service',
    });
    expect(r.culprit).toMatchObject({ pid: 300, comm: 'leaky-worker', isVictim: false });
    expect(r.culprit!.growthBytes).toBeGreaterThan(250 * 1024 ** 2);
    expect(r.verdict.agree).toBe(true);
    expect(r.cgroup).toMatchObject({ path: '/system.slice/app.service', limitBytes: 512 * 1024 ** 2 });
    expect(r.rankings.length).toBeGreaterThanOrEqual(3);
    expect(r.rankings.every((k) => k.domain === 'cgroup')).toBe(true);
    expect(
      r.recommendations.some((x) =>
        x.startsWith('leaky-worker (pid 300) grew +298 MiB in 29m50s, 171 KiB/s, but app-server (pid 301) was killed'),
      ),
    ).toBe(true);
    expect(r.recommendations.some((x) => x.includes('peaked at') && x.includes('of its 512 MiB limit'))).toBe(true);
    expect(r.missing).toEqual([]);
    // Rising history of the culprit: every bucket at least as large as the one before.
    const s = r.culprit!.series.filter((v): v is number => v !== null);
    expect(s[s.length - 1]).toBeGreaterThan(s[0] * 2);
  });

  it('is a pure function of its input: the same input gives the same model', () => {
    const incident = findIncident(store.db, { id: store.incidentId });
    const input = fetchIncidentInput(store.db, { incident, atMs: KILL_MS, windowMs: 30 * 60_000, host: 'x' });
    expect(assembleIncidentReport(input, { timeZone: TZ })).toEqual(assembleIncidentReport(structuredClone(input), { timeZone: TZ }));
  });

  it('matches the golden text, markdown and JSON', () => {
    const r = incidentReport(store.incidentId);
    expectGolden('incident.txt', renderReport(r, 'text'));
    expectGolden('incident.md', renderReport(r, 'markdown'));
    expectGolden('incident.json', renderReport(r, 'json'));
  });

  it('an imported incident with no local history says what is missing', () => {
    const r = incidentReport(store.importedId);
    expect(r.memory).toBeNull();
    expect(r.rankings).toEqual([]);
    expect(r.missing[0]).toMatch(
      /^no sampled history on this host for this kill \(it happened on db-7; this database holds web-1's samples\)/,
    );
    expect(r.kernelTasks).toEqual([{ pid: 4242, name: 'batch-job', rssBytes: 7 * 1024 ** 3, oomScoreAdj: 0, isVictim: true }]);
    expect(r.recommendations).toContain('run the oomwatch agent on db-7 so the next report shows what led up to the kill');
    expectGolden('imported.txt', renderReport(r, 'text'));
  });

  it('takes the cgroup peak inside the window (a row before it only gives the starting value)', () => {
    const incident = findIncident(store.db, { id: store.incidentId })!;
    const input = fetchIncidentInput(store.db, { incident, atMs: KILL_MS, windowMs: 30 * 60_000, host: 'web-1' });
    const row = (tsMs: number, mib: number) => ({ tsMs, usageKib: mib * 1024, limitKib: 512 * 1024, swapLimitKib: 0 });
    input.cgroup = {
      path: '/system.slice/app.service',
      version: 2,
      rows: [row(input.fromMs - 150_000, 511), row(input.fromMs - 60_000, 300), row(input.fromMs + 600_000, 494)],
    };
    const r = assembleIncidentReport(input, { timeZone: TZ });
    expect(r.cgroup).toMatchObject({ peakUsageBytes: 494 * 1024 ** 2, peakAtMs: input.fromMs + 600_000 });
  });

  it('scores the cgroup risk chart against the same total as the rankings (limit + the swap the host has)', () => {
    const incident = findIncident(store.db, { id: store.incidentId })!;
    const input = fetchIncidentInput(store.db, { incident, atMs: KILL_MS, windowMs: 30 * 60_000, host: 'web-1' });
    const GiB4Kib = 4 * 1024 * 1024;
    input.ticks = input.ticks.map((t) => ({ ...t, swap_total_kib: GiB4Kib }));
    input.cgroup = { ...input.cgroup!, rows: input.cgroup!.rows.map((r) => ({ ...r, swapLimitKib: null })) };
    const r = assembleIncidentReport(input, { timeZone: TZ });
    const worker = input.processes.find((p) => p.pid === 300)!;
    const last = worker.rows.at(-1)!;
    const total = (512 * 1024 + GiB4Kib) * 1024;
    const expected = Math.round(
      (((last.rssKib + last.swapKib + last.pgtablesKib) * 1024 + (last.oomScoreAdj * total) / 1000) * 1000) / total,
    );
    expect(r.riskSeries.find((x) => x.pid === 300)!.series.at(-1)).toBe(expected);
  });

  it('a kill imported from a log without host names ("unknown") is read against this host\'s history', () => {
    const incident = { ...findIncident(store.db, { id: store.incidentId })!, hostname: 'unknown', bootId: null };
    const input = fetchIncidentInput(store.db, { incident, atMs: KILL_MS, windowMs: 30 * 60_000, host: 'web-1' });
    expect(input.ticks.length).toBeGreaterThan(100);
    expect(assembleIncidentReport(input, { timeZone: TZ }).culprit).toMatchObject({ comm: 'leaky-worker' });
  });

  it("a kill imported from another host inside this host's sampled window gets none of this host's history", () => {
    const incident = { ...findIncident(store.db, { id: store.importedId })!, timeMs: KILL_MS - 5 * 60_000 };
    const input = fetchIncidentInput(store.db, { incident, atMs: incident.timeMs, windowMs: 30 * 60_000, host: 'web-1' });
    expect(input.ticks).toEqual([]);
    expect(input.adjChanges).toEqual([]);
    expect(input.gaps).toEqual([]);
    const r = assembleIncidentReport(input, { timeZone: TZ });
    expect(r.memory).toBeNull();
    expect(r.rankings).toEqual([]);
    expect(r.culprit).toBeNull();
    expect(r.missing[0]).toContain('it happened on db-7');
  });
});

describe('daily report over the same store', () => {
  const daily = () =>
    assembleDailyReport(
      fetchDailyInput(store.db, { fromMs: KILL_MS - 12 * 3_600_000, toMs: KILL_MS + 12 * 3_600_000, host: 'x', topN: 3 }),
      { timeZone: TZ, topN: 3 },
    );

  it('lists the kill, the near misses, protected exposure, alerts and agent health', () => {
    const r = daily();
    expect(r.incidents.map((i) => i.victimComm)).toEqual(['app-server']);
    expect(r.nearLimitCgroups[0]).toMatchObject({ path: '/system.slice/app.service' });
    expect(r.topRisk).toHaveLength(3);
    expect(r.topRiskMore).toBe(3);
    // app-server's oom_score_adj 800 puts it first; postgres grew through the period.
    expect(r.topRisk.map((p) => p.comm)).toEqual(['app-server', 'postgres', 'leaky-worker']);
    expect(r.topRisk[1].direction).toBe('rising');
    expect(r.protectedExposure).toEqual([expect.objectContaining({ comm: 'sshd', oomScoreAdj: -900 })]);
    expect(r.policyFailures).toEqual([expect.objectContaining({ comm: 'postgres', outcome: 'denied' })]);
    expect(r.alerts.open).toEqual([expect.objectContaining({ ruleId: 'host-memory-low' })]);
    expect(r.health.events).toEqual([expect.objectContaining({ kind: 'kmsg-unreadable', count: 1 })]);
    expect(r.health.deniedTicks).toBe(1);
    expect(r.headline).toMatch(
      /^1 OOM kill; lowest available memory 9 % \(1\.5 GiB\); 1 cgroup within 10 % of their limit; 1 alert still firing$/,
    );
  });

  it('matches the golden text, markdown and JSON', () => {
    const r = daily();
    expectGolden('daily.txt', renderReport(r, 'text'));
    expectGolden('daily.md', renderReport(r, 'markdown'));
    expectGolden('daily.json', renderReport(r, 'json'));
  });

  it('an empty period reads well', () => {
    const r = assembleDailyReport(
      fetchDailyInput(store.db, { fromMs: KILL_MS + 86_400_000, toMs: KILL_MS + 2 * 86_400_000, host: 'web-1', topN: 3 }),
      { timeZone: TZ, topN: 3 },
    );
    // Alerts still firing are current state: they show in every report until they resolve.
    expect(r.headline).toBe('no incidents; no samples in the period; 1 alert still firing');
    const text = renderReport(r, 'text');
    expect(text).toContain('no OOM kills in the period');
    expect(text).toContain('no samples in the period: the agent was not running');
  });

  it('hostile process names are escaped in markdown and HTML', () => {
    const md = renderReport(daily(), 'markdown');
    expect(md).not.toContain('<img');
    const html = renderReport(incidentReport(store.incidentId), 'html');
    expect(html).not.toContain('<img');
    const dailyHtml = renderReport(daily(), 'html');
    expect(dailyHtml).not.toContain('<img');
    expect(dailyHtml).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(renderReport(daily(), 'text')).toContain(HOSTILE.slice(0, 20));
  });
});
