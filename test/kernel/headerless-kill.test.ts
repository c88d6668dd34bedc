/**
 * A kill whose header the kernel rate-limited: only "Memory cgroup out of memory: Killed process …" is
 * in the log (replayed from a real 6.18 capture with the header dropped). The store has the victim
 * sampled in its cgroup, and the cgroup's kill counter rises by one: one kill is one incident, a memcg
 * kill in the victim's cgroup, counted by the cross-check and not recorded a second time.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { createTestWatcher } from './test-watcher.js';
import type { IncidentView } from '../../src/model/incident.js';
import type { CgroupMemory, HostSnapshot } from '../../src/model/snapshot.js';
import { openDatabase } from '../../src/store/db.js';
import { rankedCandidates } from '../../src/store/incidents-history.js';
import { SamplesRepo } from '../../src/store/samples-repo.js';
import { BOOT, proc, snapshot } from '../helpers/snapshots.js';
import { makeTempDir } from '../helpers/tmp.js';
import { until } from '../helpers/until.js';
import { readFixture } from './fixtures.js';

const MiB = 1024 ** 2;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The headerless records re-based so the kill line is at monotonic `nowUs`. */
function headerlessRecords(nowUs: number): string[] {
  const killTs = 917197581;
  return readFixture('6.18.44-memcg-kmsg-headerless-4.txt')
    .trimEnd()
    .split('\n')
    .map((l) => l.replace(/^(\d+),(\d+),(\d+),/, (_m, p, s, ts) => `${p},${s},${Number(ts) - killTs + nowUs},`));
}

describe('a kill line without its rate-limited header', () => {
  it("is one memcg incident in the victim's sampled cgroup, and the counter cross-check counts it instead of adding one", async () => {
    const t = makeTempDir();
    cleanups.push(() => t.cleanup());
    const kmsgPath = join(t.dir, 'kmsg');
    writeFileSync(kmsgPath, '');
    const db = openDatabase(join(t.dir, 'oomwatch.db'));
    cleanups.push(() => void db.close());

    // The sampler saw the victim (pid 25443, as in the capture) and a neighbour in /oomprobe, limit 64 MiB (v1).
    const cg = (kills: number): CgroupMemory => ({
      path: '/oomprobe',
      version: 1,
      usageBytes: 63 * MiB,
      limitBytes: 64 * MiB,
      swapUsageBytes: null,
      swapLimitBytes: null,
      oomKillCount: kills,
      oomCount: null,
    });
    const victim = proc({ pid: 25443, comm: 'python3', cgroup: '/oomprobe', rssBytes: 62 * MiB });
    const neighbour = proc({ pid: 25264, comm: 'python3', cgroup: '/oomprobe', rssBytes: 1 * MiB });
    const other = proc({ pid: 900, comm: 'postgres', cgroup: '/system.slice/postgresql.service', rssBytes: 900 * MiB });
    const samples = new SamplesRepo(db, { keyframeEveryMs: 300_000, deadBandFraction: 0.02 });
    const tick = (processes: (typeof victim)[], kills: number, vmstat: number): HostSnapshot => {
      const s = { ...snapshot(Date.now(), processes, [cg(kills)]), vmstatOomKill: vmstat };
      samples.writeTick(s, 0);
      return s;
    };

    const seen: IncidentView[] = [];
    const w = createTestWatcher(db, kmsgPath, seen);
    w.start();
    cleanups.push(() => w.stop());
    const s1 = tick([victim, neighbour, other], 0, 5);
    w.onTick(null, s1);
    await until(() => systemClock.nowMs() > s1.takenAtMs); // the kill comes after the victim was sampled

    appendFileSync(kmsgPath, `${headerlessRecords(systemClock.monotonicMs() * 1000).join('\n')}\n`);
    await until(() => seen.length === 1);
    const s2 = tick([neighbour, other], 1, 6);
    w.onTick(s1, s2);
    const s3 = tick([neighbour, other], 1, 6);
    w.onTick(s2, s3); // an unexplained rise would be recorded here, one tick later

    const rows = db.prepare('SELECT id, source FROM incident').all() as { id: number; source: string }[];
    expect(rows).toHaveLength(1);
    expect(seen).toHaveLength(1);
    const inc = seen[0];
    expect(inc).toMatchObject({
      source: 'kmsg',
      constraint: 'memcg',
      oomMemcg: '/oomprobe',
      taskMemcg: '/oomprobe',
      victim: { pid: 25443, comm: 'python3' },
    });
    expect(inc.flags).toEqual(expect.arrayContaining(['no-header', 'cgroup-from-samples']));
    expect(inc.victim!.startTimeTicks).toBe(victim.startTimeTicks);
    // The incident's domain is the cgroup: the victim ranks first there, not the host's biggest process.
    const ranked = rankedCandidates(db, { bootId: BOOT, atMs: inc.timeMs!, cgroup: inc.oomMemcg })!;
    expect(ranked.candidates.map((c) => c.pid)).toEqual([25443, 25264]);
  });
});
