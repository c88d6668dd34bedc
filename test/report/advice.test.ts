/** Why the kernel's victim and oomwatch's first-ranked differ, and what to change: pure, over an edited fixture input. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assembleIncidentReport } from '../../src/report/assemble-incident.js';
import { fetchIncidentInput, findIncident, type IncidentInput } from '../../src/store/report-queries.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildLeakStore, KILL_MS, type FixtureStore } from '../fixtures/report/build-store.js';

const tmp = makeTempDir('oomwatch-advice-');
let store: FixtureStore;
let base: IncidentInput;
beforeAll(() => {
  store = buildLeakStore(join(tmp.dir, 'oomwatch.db'));
  base = fetchIncidentInput(store.db, {
    incident: findIncident(store.db, { id: store.incidentId }),
    atMs: KILL_MS,
    windowMs: 30 * 60_000,
    host: 'x',
  });
});
afterAll(() => {
  store.db.close();
  tmp.cleanup();
});

describe('culprit versus victim', () => {
  it("reads the week's kills and who was next in line at each (the cgroup's recorded top process)", () => {
    // The imported kill of 20 Nov is another host's (db-7): not counted for web-1.
    expect(base.killsThisWeek).toEqual([{ comm: 'app-server', count: 1 }]);
    expect(base.nextVictimThisWeek).toEqual([{ comm: 'app-server', count: 1 }]);
  });

  it('a victim ranked second at the last sample: timing and growth after the sample', () => {
    const input = structuredClone(base);
    // The kernel killed leaky-worker instead, holding far more than when it was last sampled.
    input.incident!.victim = {
      ...input.incident!.victim!,
      pid: 300,
      comm: 'leaky-worker',
      oomScoreAdj: 0,
      anonRssBytes: 600 * 1024 ** 2,
      processId: undefined,
    };
    const r = assembleIncidentReport(input, { timeZone: 'UTC' });
    expect(r.verdict.agree).toBe(false);
    expect(r.verdict.firstRanked).toMatchObject({ pid: 301, comm: 'app-server' });
    expect(r.verdict.reasons).toEqual([
      'timing: at the last sample (10 s before the kill) leaky-worker was ranked 2, behind app-server; memory moved after the sample',
      'growth: leaky-worker held 604 MiB at the kill against 398 MiB when last sampled',
    ]);
    expect(r.culprit).toMatchObject({ comm: 'leaky-worker', isVictim: true });
  });

  it('a victim missing from the sampled ranking, and a host-domain ranking for a cgroup kill', () => {
    const input = structuredClone(base);
    input.incident!.victim = { ...input.incident!.victim!, pid: 9999, comm: 'short-lived' };
    for (const k of input.rankings) if (k.ranked) k.ranked.domain = 'host';
    const r = assembleIncidentReport(input, { timeZone: 'UTC' });
    expect(r.verdict.agree).toBe(false);
    expect(r.verdict.reasons[0]).toBe(
      "domain: the kill was inside a memory cgroup, where the kernel ranks only that cgroup's processes against its limit",
    );
    expect(r.verdict.reasons[1]).toMatch(
      /^domain\/timing: short-lived \(pid 9999\) was not among the ranked processes of the host at the last sample/,
    );
  });

  it('recommends protecting a process that was the next victim again and again', () => {
    const input = structuredClone(base);
    input.nextVictimThisWeek = [{ comm: 'app-server', count: 3 }];
    input.killsThisWeek = [{ comm: 'app-server', count: 2 }];
    // With its oom_score_adj 800 app-server is meant to go first: no advice to protect it.
    const meant = assembleIncidentReport(input, { timeZone: 'UTC' }).recommendations;
    expect(meant.filter((x) => x.startsWith('app-server was'))).toEqual([]);
    // With the default adj 0 it is advice worth giving.
    input.incident!.victim!.oomScoreAdj = 0;
    for (const k of input.rankings) for (const c of k.ranked?.candidates ?? []) if (c.pid === 301) c.oomScoreAdj = 0;
    const r = assembleIncidentReport(input, { timeZone: 'UTC' });
    expect(r.recommendations).toContain(
      'app-server was the next victim 3 times this week: if it must survive, set OOMScoreAdjust=-500 in app.service (systemctl edit app.service); if it is the one that grows, bound it with MemoryMax= in app.service (systemctl edit app.service)',
    );
    expect(r.recommendations).toContain(
      'app-server was killed 2 times this week: if it must survive, set OOMScoreAdjust=-500 in app.service (systemctl edit app.service)',
    );
  });
});
