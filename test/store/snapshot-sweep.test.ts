import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/db.js';
import { SamplesRepo } from '../../src/store/samples-repo.js';
import { snapshotAt, type TickRow } from '../../src/store/samples-query.js';
import { bootTicksBetween, snapshotsAtTicks } from '../../src/store/snapshot-sweep.js';
import { BOOT, buildLeakStore, KILL_MS } from '../fixtures/report/build-store.js';
import { makeTempDir } from '../helpers/tmp.js';
import { proc, snapshot } from '../helpers/snapshots.js';

let t: ReturnType<typeof makeTempDir>;
let db: Database;
beforeEach(() => {
  t = makeTempDir('oomwatch-sweep-');
});
afterEach(() => {
  if (db?.open) db.close();
  t.cleanup();
});

const sorted = <T extends { pid: number; startTimeTicks: number }>(list: readonly T[]) =>
  [...list].sort((a, b) => a.pid - b.pid || a.startTimeTicks - b.startTimeTicks);

describe('snapshotsAtTicks (many instants in one pass)', () => {
  it('reconstructs every instant exactly as snapshotAt does, across keyframes, a cgroup and a vanished victim', () => {
    db = buildLeakStore(join(t.dir, 'leak.db')).db;
    const all = bootTicksBetween(db, BOOT, KILL_MS - 40 * 60_000, KILL_MS + 60_000);
    expect(all.length).toBeGreaterThan(200);
    // every 7th tick, so instants fall before, on and after keyframes, and the last tick (victim gone) is included
    const picked: TickRow[] = all.filter((_, i) => i % 7 === 0 || i === all.length - 1);
    const swept = snapshotsAtTicks(db, picked);
    expect(swept).toHaveLength(picked.length);
    for (let i = 0; i < picked.length; i++) {
      const one = snapshotAt(db, picked[i].ts_ms)!;
      const many = swept[i];
      expect(many.takenAtMs).toBe(one.takenAtMs);
      expect(sorted(many.processes)).toEqual(sorted(one.processes));
      expect(many.cgroups).toEqual(one.cgroups);
      expect(many.domains.map((d) => [d.id, d.ranking.map((r) => r.pid)])).toEqual(
        one.domains.map((d) => [d.id, d.ranking.map((r) => r.pid)]),
      );
    }
    expect(swept[swept.length - 1].processes.some((p) => p.comm === 'app-server')).toBe(false);
    expect(swept[0].processes.some((p) => p.comm === 'app-server')).toBe(true);
  });

  it('keeps two identities with one pid apart, and drops an ended process at the next keyframe', () => {
    db = openDatabase(join(t.dir, 'reuse.db'));
    const repo = new SamplesRepo(db, { keyframeEveryMs: 30_000, deadBandFraction: 0.02 });
    const MiB = 1024 ** 2;
    for (let s = 0; s <= 30; s += 10)
      repo.writeTick(snapshot(s * 1000, [proc({ pid: 1 }), proc({ pid: 42, startTimeTicks: 100, comm: 'old', rssBytes: 900 * MiB })]), 1);
    for (let s = 40; s <= 80; s += 10)
      repo.writeTick(snapshot(s * 1000, [proc({ pid: 1 }), proc({ pid: 42, startTimeTicks: 9000, comm: 'new', rssBytes: 5 * MiB })]), 1);
    const ticks = bootTicksBetween(db, proc({ pid: 1 }).bootId, 0, 80_000);
    const swept = snapshotsAtTicks(db, ticks);
    const at = (ms: number) =>
      swept
        .find((s) => s.takenAtMs === ms)!
        .processes.filter((p) => p.pid === 42)
        .map((p) => [p.comm, p.rssBytes]);
    expect(at(30_000)).toEqual([['old', 900 * MiB]]);
    expect(at(40_000)).toEqual([['new', 5 * MiB]]);
    expect(at(80_000)).toEqual([['new', 5 * MiB]]);
    for (const s of swept) expect(sorted(s.processes)).toEqual(sorted(snapshotAt(db, s.takenAtMs)!.processes));
  });
});
