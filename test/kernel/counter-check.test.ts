import { describe, expect, it } from 'vitest';
import { crossCheckCounters, emptyLedger, vanishedFrom, type CounterLedger, type ReportRef } from '../../src/kernel/counter-check.js';
import type { CgroupMemory, HostSnapshot } from '../../src/model/snapshot.js';
import { proc, snapshot } from '../helpers/snapshots.js';

const MiB = 1024 ** 2;
const cg = (path: string, oomKillCount: number | null, version: 1 | 2 = 2): CgroupMemory => ({
  path,
  version,
  usageBytes: 60 * MiB,
  limitBytes: 64 * MiB,
  swapUsageBytes: null,
  swapLimitBytes: null,
  oomKillCount,
  oomCount: null,
});
const snap = (t: number, vmstat: number | null, cgroups: CgroupMemory[], processes = [proc({ pid: 1 })]): HostSnapshot => ({
  ...snapshot(t, processes, cgroups),
  vmstatOomKill: vmstat,
});
const memcgReport = (path: string): ReportRef => ({ constraint: 'memcg', oomMemcg: path, taskMemcg: path });

/** Runs ticks in order, returning all findings. */
function run(ticks: { snap: HostSnapshot; reports?: ReportRef[] }[]) {
  let ledger: CounterLedger = emptyLedger();
  let prev: HostSnapshot | null = null;
  const all = [];
  for (const t of ticks) {
    const res = crossCheckCounters(ledger, prev, t.snap, t.reports ?? []);
    ledger = res.ledger;
    all.push(res.findings);
    prev = t.snap;
  }
  return { perTick: all, ledger };
}

describe('crossCheckCounters', () => {
  it('a lone memcg kill line whose cgroup is unknown (victim never sampled) explains a cgroup rise, not a second incident', () => {
    const lone: ReportRef = { constraint: 'memcg', oomMemcg: null, taskMemcg: null };
    const { perTick } = run([
      { snap: snap(1000, 5, [cg('/jobs/a', 0)]) },
      { snap: snap(2000, 6, [cg('/jobs/a', 1)]), reports: [lone] },
      { snap: snap(3000, 6, [cg('/jobs/a', 1)]) },
    ]);
    expect(perTick.flat()).toEqual([]);
  });

  it('a cgroup counter rise with no report becomes a counter incident one tick later, with the vanished processes', () => {
    const victim = proc({ pid: 50, cgroup: '/jobs/a', rssBytes: 60 * MiB, comm: 'hog' });
    const other = proc({ pid: 51, cgroup: '/other' });
    const { perTick } = run([
      { snap: snap(1000, 5, [cg('/jobs/a', 0)], [victim, other]) },
      { snap: snap(2000, 6, [cg('/jobs/a', 1)], [other]) },
      { snap: snap(3000, 6, [cg('/jobs/a', 1)], [other]) },
    ]);
    expect(perTick[1]).toEqual([]); // held for one tick: the report may still come
    expect(perTick[2]).toEqual([
      {
        bucket: '/jobs/a',
        cgroup: '/jobs/a',
        killCount: 1,
        windowStartMs: 1000,
        windowEndMs: 2000,
        vanished: [{ pid: 50, startTimeTicks: 1050, comm: 'hog', rssBytes: 60 * MiB, oomScoreAdj: 0 }],
      },
    ]);
  });

  it('a report arriving in the same tick or the next one explains the rise: nothing is counted twice', () => {
    const same = run([
      { snap: snap(1000, 0, [cg('/jobs/a', 0)]) },
      { snap: snap(2000, 1, [cg('/jobs/a', 1)]), reports: [memcgReport('/jobs/a')] },
      { snap: snap(3000, 1, [cg('/jobs/a', 1)]) },
    ]);
    expect(same.perTick.flat()).toEqual([]);
    const late = run([
      { snap: snap(1000, 0, [cg('/jobs/a', 0)]) },
      { snap: snap(2000, 1, [cg('/jobs/a', 1)]) },
      { snap: snap(3000, 1, [cg('/jobs/a', 1)]), reports: [memcgReport('/jobs/a')] },
      { snap: snap(4000, 1, [cg('/jobs/a', 1)]) },
    ]);
    expect(late.perTick.flat()).toEqual([]);
  });

  it('a report read before its counter rise waits to explain it, then expires', () => {
    const early = run([
      { snap: snap(1000, 0, [cg('/jobs/a', 0)]), reports: [memcgReport('/jobs/a')] },
      { snap: snap(2000, 1, [cg('/jobs/a', 1)]) },
      { snap: snap(3000, 1, [cg('/jobs/a', 1)]) },
    ]);
    expect(early.perTick.flat()).toEqual([]);
    expect(early.ledger.reports).toEqual([]);
  });

  it('two kills and one report: one counter incident', () => {
    const { perTick } = run([
      { snap: snap(1000, 0, [cg('/jobs/a', 0)]) },
      { snap: snap(2000, 2, [cg('/jobs/a', 2)]), reports: [memcgReport('/jobs/a')] },
      { snap: snap(3000, 2, [cg('/jobs/a', 2)]) },
    ]);
    expect(perTick[2]).toMatchObject([{ bucket: '/jobs/a', killCount: 1 }]);
  });

  it('v2 counters propagate to ancestors: a kill in a child counts once, in the deepest tracked cgroup', () => {
    const { perTick } = run([
      { snap: snap(1000, 0, [cg('/jobs', 0), cg('/jobs/b', 0)]) },
      { snap: snap(2000, 1, [cg('/jobs', 1), cg('/jobs/b', 1)]) },
      { snap: snap(3000, 1, [cg('/jobs', 1), cg('/jobs/b', 1)]) },
    ]);
    expect(perTick[2]).toMatchObject([{ bucket: '/jobs/b', killCount: 1 }]);
  });

  it('v2: a report whose task memcg is below a tracked cgroup explains that cgroup', () => {
    const { perTick } = run([
      { snap: snap(1000, 0, [cg('/jobs/b', 0)]) },
      { snap: snap(2000, 1, [cg('/jobs/b', 1)]), reports: [{ constraint: 'memcg', oomMemcg: '/jobs/b', taskMemcg: '/jobs/b/step1' }] },
      { snap: snap(3000, 1, [cg('/jobs/b', 1)]) },
    ]);
    expect(perTick.flat()).toEqual([]);
  });

  it('v1 counters are local: parent and child each count their own kills', () => {
    const { perTick } = run([
      { snap: snap(1000, 0, [cg('/p', 0, 1), cg('/p/c', 0, 1)]) },
      { snap: snap(2000, 2, [cg('/p', 1, 1), cg('/p/c', 1, 1)]) },
      { snap: snap(3000, 2, [cg('/p', 1, 1), cg('/p/c', 1, 1)]) },
    ]);
    expect(perTick[2].map((f) => f.bucket).sort()).toEqual(['/p', '/p/c']);
  });

  it('a vmstat rise outside tracked cgroups becomes a host incident; a global report explains it', () => {
    const lost = run([{ snap: snap(1000, 3, []) }, { snap: snap(2000, 4, []) }, { snap: snap(3000, 4, []) }]);
    expect(lost.perTick[2]).toMatchObject([{ bucket: 'host', cgroup: null, killCount: 1, windowStartMs: 1000, windowEndMs: 2000 }]);
    const explained = run([
      { snap: snap(1000, 3, []) },
      { snap: snap(2000, 4, []), reports: [{ constraint: 'global', oomMemcg: null, taskMemcg: '/user.slice' }] },
      { snap: snap(3000, 4, []) },
    ]);
    expect(explained.perTick.flat()).toEqual([]);
  });

  it('a report with nothing known (header-less kill line of an old kernel) explains any bucket', () => {
    const { perTick } = run([
      { snap: snap(1000, 0, [cg('/jobs/a', 0)]) },
      { snap: snap(2000, 1, [cg('/jobs/a', 1)]), reports: [{ constraint: null, oomMemcg: null, taskMemcg: null }] },
      { snap: snap(3000, 1, [cg('/jobs/a', 1)]) },
    ]);
    expect(perTick.flat()).toEqual([]);
  });

  it('no deltas across a reboot, without vmstat, or when a counter went down (cgroup recreated)', () => {
    const other = { ...snap(2000, 9, [cg('/jobs/a', 5)]), bootId: 'another-boot' };
    const r1 = crossCheckCounters(emptyLedger(), snap(1000, 0, [cg('/jobs/a', 0)]), other, []);
    expect(r1.ledger.pending).toEqual([]);
    const r2 = crossCheckCounters(emptyLedger(), snap(1000, null, [cg('/jobs/a', 3)]), snap(2000, null, [cg('/jobs/a', 0)]), []);
    expect(r2.ledger.pending).toEqual([]);
  });
});

describe('vanishedFrom', () => {
  it('matches identities by pid and start time, not pid alone', () => {
    const before = [
      proc({ pid: 10, startTimeTicks: 100, cgroup: '/a' }),
      proc({ pid: 11, cgroup: '/a/x' }),
      proc({ pid: 12, cgroup: '/b' }),
    ];
    const after = [proc({ pid: 10, startTimeTicks: 999, cgroup: '/a' })]; // pid 10 reused by a new process
    expect(
      vanishedFrom(before, after, '/a')
        .map((p) => p.pid)
        .sort(),
    ).toEqual([10, 11]);
    expect(
      vanishedFrom(before, after, null)
        .map((p) => p.pid)
        .sort(),
    ).toEqual([10, 11, 12]);
  });
});
