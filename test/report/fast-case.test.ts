/**
 * The fast case, over the "fast runaway" fixture (real SQLite written through the real repos): a kill two
 * minutes after the agent started, a flat process started just before the leaker, a cgroup v1 host.
 */
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleIncidentReport } from '../../src/report/assemble-incident.js';
import { buildIncidentDoc } from '../../src/report/incident-doc.js';
import { renderReport } from '../../src/report/index.js';
import { fetchIncidentInput, findIncident } from '../../src/store/report-queries.js';
import type { IncidentReport } from '../../src/report/types.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildFastStore, FAST_KILL_MS } from '../fixtures/report/build-fast-store.js';

const MiB = 1024 ** 2;
const tmp = makeTempDir('oomwatch-fast-');
let db: Database;
let incidentId: number;
beforeAll(() => {
  ({ db, incidentId } = buildFastStore(join(tmp.dir, 'fast.db')));
});
afterAll(() => {
  db.close();
  tmp.cleanup();
});

function report(windowMs: number): IncidentReport {
  const incident = findIncident(db, { id: incidentId });
  return assembleIncidentReport(fetchIncidentInput(db, { incident, atMs: FAST_KILL_MS, windowMs, host: 'fast-1' }), { timeZone: 'UTC' });
}

describe('incident report in the fast case', () => {
  it("measures growth from each process's first sample and names the fastest grower, not a large process that started in the window", () => {
    const r = report(30 * 60_000);
    expect(r.culprit).toMatchObject({ pid: 701, comm: 'leaker', isVictim: true, startedInWindow: true });
    // 20 MiB at 23:39:16, 340 MiB at 23:39:56: 320 MiB in 40 s.
    expect(r.culprit).toMatchObject({
      startRssBytes: 20 * MiB,
      endRssBytes: 340 * MiB,
      growthBytes: 320 * MiB,
      spanMs: 40_000,
      growthBytesPerS: 8 * MiB,
    });
    const flat = r.growth.find((g) => g.comm === 'cache-loader');
    expect(flat).toMatchObject({
      startedInWindow: true,
      startRssBytes: 350 * MiB,
      growthBytes: 0,
      firstSampleMs: Date.UTC(2026, 10, 25, 23, 39, 6),
    });
    const text = renderReport(r, 'text');
    expect(text).toContain(
      'fastest growth in the window (culprit): leaker (pid 701, +320 MiB in 40s, 8.0 MiB/s; started at 23:39:16 with 20.0 MiB) — the victim itself',
    );
    expect(text).toContain(
      'not the culprit: cache-loader (pid 700) started at 23:39:06 with 350 MiB and stayed flat; memory it held from its start is not growth',
    );
    expect(r.recommendations[0]).toMatch(/^leaker \(pid 701\) grew \+320 MiB in 40s, 8\.0 MiB\/s and was killed: look for a leak/);
  });

  it('cuts a window longer than the history to the history, and says so in every format', () => {
    const r = report(30 * 60_000);
    const first = Date.UTC(2026, 10, 25, 23, 37, 56);
    expect(r.window).toMatchObject({ fromMs: first, toMs: FAST_KILL_MS, requestedFromMs: FAST_KILL_MS - 30 * 60_000 });
    const line =
      'no samples before 23:37:56 (the agent started then): the window is cut to the 2m4s from then to the kill, not the 30m asked for';
    expect(r.missing).toContain(line);
    expect(renderReport(r, 'text')).toContain(line);
    expect(renderReport(r, 'markdown')).toContain('no samples before 23:37:56');
    expect(renderReport(r, 'html')).toContain('no samples before 23:37:56');
    expect(JSON.parse(renderReport(r, 'json')).missing).toContain(line);
    // A window inside the history is not cut.
    const inside = report(60_000);
    expect(inside.window.fromMs).toBe(FAST_KILL_MS - 60_000);
    expect(inside.missing.filter((m) => m.startsWith('no samples before'))).toEqual([]);
  });

  it('holds each sampled value across buckets shorter than the sampling interval', () => {
    // 2m4s in 30 buckets: about 4 s each, with a tick every 10 s.
    const r = report(30 * 60_000);
    expect(r.window.bucketMs).toBeLessThan(10_000);
    expect(r.memory!.points).toHaveLength(30);
    const leaker = r.growth.find((g) => g.comm === 'leaker')!.series;
    const firstSet = leaker.findIndex((v) => v !== null);
    expect(leaker.slice(firstSet).every((v) => v !== null)).toBe(true);
    const doc = buildIncidentDoc(r);
    const mem = doc.blocks.find((b) => b.kind === 'chart' && b.chart.title === 'Host memory');
    expect(mem?.kind === 'chart' && mem.chart.series[0].values.every((v) => v !== null)).toBe(true);
  });

  it('names the cgroup v1 limit knobs, and never a protection rule to bound memory', () => {
    const r = report(30 * 60_000);
    expect(r.cgroupVersion).toBe(1);
    const advice = r.recommendations.join('\n');
    expect(advice).toContain(
      'bound it with a limit on its cgroup (memory.limit_in_bytes), or by running it in a systemd unit with MemoryLimit=',
    );
    expect(advice).not.toContain('MemoryMax=');
    expect(advice).not.toMatch(/bound it with[^\n]*protection rule/);
  });

  it('names the cgroup v2 knobs (MemoryMax=, MemoryHigh=) on a v2 host', () => {
    const v2 = buildFastStore(join(tmp.dir, 'fast-v2.db'), { cgroupVersion: 2 });
    try {
      const incident = findIncident(v2.db, { id: v2.incidentId });
      const r = assembleIncidentReport(fetchIncidentInput(v2.db, { incident, atMs: FAST_KILL_MS, windowMs: 30 * 60_000, host: 'fast-1' }), {
        timeZone: 'UTC',
      });
      expect(r.cgroupVersion).toBe(2);
      expect(r.recommendations[0]).toContain(
        'bound it with a limit on its cgroup (memory.max), or by running it in a systemd unit with MemoryMax= (MemoryHigh= a little below it throttles',
      );
    } finally {
      v2.db.close();
    }
  });

  it('the HTML charts draw a series of one point (a process sampled once before the kill)', () => {
    const r = report(30 * 60_000);
    // A 30-minute window cut to the history: the leaker's buckets are carried, so force the one-point case.
    const one = { ...r, growth: r.growth.map((g) => ({ ...g, series: g.series.map((v, i) => (i === g.series.length - 1 ? v : null)) })) };
    const html = renderReport(one, 'html');
    const growers = html.slice(html.indexOf('aria-label="Memory of the largest growers"'));
    expect(growers.slice(0, growers.indexOf('</svg>'))).toMatch(/<circle class="point" cx="[\d.]+" cy="[\d.]+"/);
  });
});
