import { writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/db.js';
import { migrate, readMigrations } from '../../src/store/migrate.js';
import { rankDomains } from '../../src/sample/rank.js';
import { SamplesRepo } from '../../src/store/samples-repo.js';
import { findProcesses, processSamples, snapshotAt } from '../../src/store/samples-query.js';
import { pruneHistory } from '../../src/store/prune.js';
import { MigrationChangedError } from '../../src/errors.js';
import { packageRoot } from '../../src/util/package-root.js';
import { makeTempDir } from '../helpers/tmp.js';
import { createIncidentsRepo } from '../../src/store/incidents-repo.js';
import { importedReport } from '../fixtures/report/build-store.js';
import { proc, snapshot } from '../helpers/snapshots.js';

const MiB = 1024 ** 2;
let t: ReturnType<typeof makeTempDir>;
let db: Database;
beforeEach(() => {
  t = makeTempDir();
  db = openDatabase(join(t.dir, 'oomwatch.db'));
});
afterEach(() => {
  db.close();
  t.cleanup();
});

describe('migrations', () => {
  it('applies every migration once, in order, with a checksum, in WAL mode', () => {
    const rows = db.prepare('SELECT version, name, sha256 FROM schema_migration ORDER BY version').all() as {
      version: number;
      name: string;
      sha256: string;
    }[];
    const files = readMigrations();
    expect(rows.map((r) => r.name)).toEqual(files.map((f) => f.name));
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.sha256))).toBe(true);
    expect(migrate(db).applied).toEqual([]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('refuses a database whose applied migration was changed afterwards', () => {
    const dir = join(t.dir, 'migrations');
    mkdirSync(dir);
    cpSync(join(packageRoot(), 'migrations'), dir, { recursive: true });
    writeFileSync(join(dir, '0001_samples.sql'), `${readMigrations()[0].sql}\n-- edited\n`);
    expect(() => migrate(db, readMigrations(dir))).toThrow(MigrationChangedError);
    expect(() => migrate(db, readMigrations(dir))).toThrow(/0001_samples.sql was changed after it was applied/);
  });
});

describe('change-only samples with keyframes', () => {
  it('stores idle processes only at keyframes and reconstructs any instant', () => {
    const repo = new SamplesRepo(db, { keyframeEveryMs: 60_000, deadBandFraction: 0.02 });
    const writes = [];
    for (let i = 0; i < 13; i++) {
      const growing = proc({ pid: 300, rssBytes: (100 + i * 10) * MiB }); // grows 10 MiB per tick: stored every tick
      const idle = proc({ pid: 200, rssBytes: 50 * MiB + (i % 2) * 100 * 1024 }); // jitters 100 KiB: inside the dead band
      writes.push(repo.writeTick(snapshot(i * 10_000, [idle, growing]), 1000));
    }
    expect(writes.map((w) => w.keyframe)).toEqual([true, false, false, false, false, false, true, false, false, false, false, false, true]);
    expect(writes.map((w) => w.processRows)).toEqual([2, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2]);
    const at = snapshotAt(db, 45_000)!; // between ticks 4 (40 s) and 5 (50 s)
    expect(at.takenAtMs).toBe(40_000);
    const byPid = new Map(at.processes.map((p) => [p.pid, p]));
    expect(byPid.get(300)!.rssBytes).toBe(140 * MiB);
    expect(Math.abs(byPid.get(200)!.rssBytes - 50 * MiB)).toBeLessThanOrEqual(100 * 1024);
    expect(at.domains[0].ranking[0].pid).toBe(300);
  });

  it('rewrites an identity’s facts after an exec, a cgroup move or a uid change, and only then', () => {
    const repo = new SamplesRepo(db, { keyframeEveryMs: 60_000, deadBandFraction: 0.02 });
    db.exec(`CREATE TABLE fact_write (comm TEXT, cgroup TEXT, uid INTEGER);
      CREATE TRIGGER fact_written AFTER UPDATE OF comm, cmdline, exe, cgroup, unit, uid ON process
      BEGIN INSERT INTO fact_write VALUES (NEW.comm, NEW.cgroup, NEW.uid); END;`);
    const base = { pid: 7, comm: 'sh', cmdline: 'sh -c ./start', exe: '/usr/bin/sh', cgroup: '/a', uid: 0 };
    const ticks = [
      base,
      base,
      { ...base, comm: 'java', cmdline: 'java -jar app.jar', exe: '/usr/bin/java' }, // exec
      { ...base, comm: 'java', cmdline: 'java -jar app.jar', exe: '/usr/bin/java' }, // equal strings, new objects
      { ...base, comm: 'java', cmdline: 'java -jar app.jar', exe: '/usr/bin/java', cgroup: '/b' }, // moved
      { ...base, comm: 'java', cmdline: 'java -jar app.jar', exe: '/usr/bin/java', cgroup: '/b', uid: 1000 }, // setuid
      { ...base, comm: 'java', cmdline: 'java -jar app.jar', exe: '/usr/bin/java', cgroup: '/b', uid: 1000 },
    ];
    ticks.forEach((o, i) => repo.writeTick(snapshot(i * 10_000, [proc(o)]), 1));
    expect(db.prepare('SELECT comm, cgroup, uid FROM fact_write').all()).toEqual([
      { comm: 'java', cgroup: '/a', uid: 0 },
      { comm: 'java', cgroup: '/b', uid: 0 },
      { comm: 'java', cgroup: '/b', uid: 1000 },
    ]);
    expect(db.prepare('SELECT comm, cmdline, exe, cgroup, uid FROM process').all()).toEqual([
      { comm: 'java', cmdline: 'java -jar app.jar', exe: '/usr/bin/java', cgroup: '/b', uid: 1000 },
    ]);
  });

  it('ends identities that disappear, and does not reconstruct them after their end', () => {
    const repo = new SamplesRepo(db, { keyframeEveryMs: 60_000, deadBandFraction: 0.02 });
    repo.writeTick(snapshot(0, [proc({ pid: 1 }), proc({ pid: 2 })]), 1);
    repo.writeTick(snapshot(10_000, [proc({ pid: 1 }), proc({ pid: 2 })]), 1);
    repo.writeTick(snapshot(20_000, [proc({ pid: 1 })]), 1);
    expect(
      snapshotAt(db, 15_000)!
        .processes.map((p) => p.pid)
        .sort(),
    ).toEqual([1, 2]);
    expect(snapshotAt(db, 25_000)!.processes.map((p) => p.pid)).toEqual([1]);
    const ended = db.prepare('SELECT pid, last_seen_ms, ended_ms FROM process WHERE pid = 2').get();
    expect(ended).toEqual({ pid: 2, last_seen_ms: 10_000, ended_ms: 20_000 });
  });

  it('never lets two identities with one pid share history (PID reuse)', () => {
    const repo = new SamplesRepo(db, { keyframeEveryMs: 60_000, deadBandFraction: 0.02 });
    repo.writeTick(snapshot(0, [proc({ pid: 4242, startTimeTicks: 100, comm: 'old', rssBytes: 900 * MiB })]), 1);
    repo.writeTick(snapshot(10_000, [proc({ pid: 4242, startTimeTicks: 100, comm: 'old', rssBytes: 900 * MiB })]), 1);
    repo.writeTick(snapshot(20_000, [proc({ pid: 4242, startTimeTicks: 5000, comm: 'new', rssBytes: 5 * MiB })]), 1);
    const ids = findProcesses(db, '4242', 0);
    expect(ids.map((p) => [p.comm, p.start_time_ticks])).toEqual([
      ['new', 5000],
      ['old', 100],
    ]);
    const [newer, older] = ids;
    expect(processSamples(db, newer.id, 0, 30_000).map((s) => s.rss_kib)).toEqual([5 * 1024]);
    expect(processSamples(db, older.id, 0, 30_000).map((s) => s.rss_kib)).toEqual([900 * 1024]);
    expect(older.ended_ms).toBe(20_000);
    expect(snapshotAt(db, 25_000)!.processes.map((p) => p.comm)).toEqual(['new']);
  });

  it('stores memory cgroups change-only and reconstructs them', () => {
    const repo = new SamplesRepo(db, { keyframeEveryMs: 60_000, deadBandFraction: 0.02 });
    const cg = (usage: number) => ({
      path: '/app',
      version: 2 as const,
      usageBytes: usage,
      limitBytes: 512 * MiB,
      swapUsageBytes: 0,
      swapLimitBytes: 0,
      oomKillCount: 0,
      oomCount: 0,
    });
    const p = proc({ pid: 7, cgroup: '/app', rssBytes: 100 * MiB });
    expect(repo.writeTick(snapshot(0, [p], [cg(100 * MiB)]), 1).cgroupRows).toBe(1);
    expect(repo.writeTick(snapshot(10_000, [p], [cg(100 * MiB + 1000)]), 1).cgroupRows).toBe(0);
    expect(repo.writeTick(snapshot(20_000, [p], [cg(300 * MiB)]), 1).cgroupRows).toBe(1);
    const at = snapshotAt(db, 20_000)!;
    expect(at.cgroups).toEqual([cg(300 * MiB)]);
    expect(at.domains.find((d) => d.id === '/app')!.ranking[0].pid).toBe(7);
  });
});

describe('a write that fails half-way (disk full)', () => {
  it('leaves the tick unmarked as keyframe, and the next tick starts over with a full keyframe', async () => {
    const repo = new SamplesRepo(db, { keyframeEveryMs: 60_000, deadBandFraction: 0.02 });
    const procs = (n: number) => Array.from({ length: n }, (_, i) => proc({ pid: 100 + i }));
    await repo.writeTickSliced(snapshot(0, procs(2500)), 1);
    db.exec(
      "CREATE TRIGGER full BEFORE INSERT ON sample WHEN NEW.process_id > 1500 BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
    );
    await expect(repo.writeTickSliced(snapshot(60_000, procs(2500)), 1)).rejects.toThrow(/disk is full/);
    const ticks = db.prepare('SELECT ts_ms, keyframe FROM tick ORDER BY id').all();
    expect(ticks).toEqual([
      { ts_ms: 0, keyframe: 1 },
      { ts_ms: 60_000, keyframe: 0 },
    ]);
    // readers still reconstruct the failed instant from the previous keyframe plus the rows that were written
    expect(snapshotAt(db, 60_000)!.processes).toHaveLength(2500);
    db.exec('DROP TRIGGER full');
    const w = await repo.writeTickSliced(snapshot(70_000, procs(2500)), 1);
    expect(w).toMatchObject({ keyframe: true, processRows: 2500 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM process').get()).toEqual({ n: 2500 });
    expect(snapshotAt(db, 70_000)!.processes).toHaveLength(2500);
  });
});

describe('retention', () => {
  it('prunes old ticks, samples and ended processes in batches and keeps the rest reconstructable', async () => {
    const repo = new SamplesRepo(db, { keyframeEveryMs: 30_000, deadBandFraction: 0.02 });
    for (let i = 0; i < 30; i++) {
      const procs = [proc({ pid: 1, rssBytes: (10 + i) * MiB })];
      if (i < 10) procs.push(proc({ pid: 2 }));
      repo.writeTick(snapshot(i * 10_000, procs), 1);
    }
    const r = await pruneHistory(db, 150_000, 100);
    expect(r.ticks).toBe(15);
    expect(r.processes).toBe(1); // pid 2 ended at 100 s, before the cutoff
    expect(r.batches).toBeGreaterThan(2);
    expect((db.prepare('SELECT MIN(ts_ms) AS m FROM tick').get() as { m: number }).m).toBe(150_000);
    expect(db.prepare('SELECT COUNT(*) AS n FROM sample WHERE tick_id NOT IN (SELECT id FROM tick)').get()).toEqual({ n: 0 });
    expect(snapshotAt(db, 200_000)!.processes.map((p) => p.rssBytes)).toEqual([30 * MiB]);
  });

  it('keeps the keyframe that anchors the cutoff, so the first instants of the window are still whole', async () => {
    const repo = new SamplesRepo(db, { keyframeEveryMs: 60_000, deadBandFraction: 0.02 });
    for (let i = 0; i < 30; i++)
      repo.writeTick(snapshot(i * 10_000, [proc({ pid: 1 }), proc({ pid: 2 }), proc({ pid: 3, rssBytes: (10 + i) * MiB })]), 1);
    const before = snapshotAt(db, 100_000)!
      .processes.map((p) => p.pid)
      .sort();
    expect(before).toEqual([1, 2, 3]);
    await pruneHistory(db, 95_000, 100); // between the keyframes at 60 s and 120 s
    expect((db.prepare('SELECT MIN(ts_ms) AS m FROM tick').get() as { m: number }).m).toBe(60_000);
    expect(
      snapshotAt(db, 100_000)!
        .processes.map((p) => p.pid)
        .sort(),
    ).toEqual(before);
  });
});

describe('a restart', () => {
  it('keeps processes that exited while the agent was stopped in the instants before the stop', () => {
    const first = new SamplesRepo(db, { keyframeEveryMs: 60_000, deadBandFraction: 0.02 });
    for (let s = 0; s <= 30; s += 10) first.writeTick(snapshot(s * 1000, [proc({ pid: 1 }), proc({ pid: 2, rssBytes: 200 * MiB })]), 1);
    expect(
      snapshotAt(db, 25_000)!
        .processes.map((p) => p.pid)
        .sort(),
    ).toEqual([1, 2]);
    // stopped between keyframes; pid 2 exits meanwhile; a new run starts
    const second = new SamplesRepo(db, { keyframeEveryMs: 60_000, deadBandFraction: 0.02 });
    second.writeTick(snapshot(100_000, [proc({ pid: 1 })]), 1);
    expect(
      snapshotAt(db, 25_000)!
        .processes.map((p) => p.pid)
        .sort(),
    ).toEqual([1, 2]);
    expect(snapshotAt(db, 100_000)!.processes.map((p) => p.pid)).toEqual([1]);
  });
});

describe('imported incidents without the kernel timestamps', () => {
  it('are told apart by their report lines: the same log twice stores one, a different kill of the same pid stores another', () => {
    const repo = createIncidentsRepo(db);
    const base = { ...importedReport(), monotonicUs: null, wallMs: null, killSeq: null, firstSeq: null };
    const ctx = { source: 'import' as const, hostname: 'web1', bootId: null, nowMs: 1 };
    expect(repo.insertReport(base, ctx).inserted).toBe(true);
    expect(repo.insertReport({ ...base }, ctx).inserted).toBe(false);
    const other = { ...base, rawLines: [...base.rawLines, 'Killed process 4242 (batch-job) total-vm:1kB, anon-rss:2kB'] };
    expect(repo.insertReport(other, ctx).inserted).toBe(true);
    // a log with kernel timestamps keeps the key earlier versions stored, so a re-import after an upgrade matches
    const stamped = { ...importedReport(), monotonicUs: 917_197_581, wallMs: null, killSeq: null };
    const r = repo.insertReport(stamped, ctx);
    expect((db.prepare('SELECT dedupe_key AS k FROM incident WHERE id = ?').get(r.id) as { k: string }).k).toBe(
      'import|web1||917197581||4242|',
    );
  });
});

describe('a process handed over as a zombie', () => {
  it('ends with its last live facts: no move to "/", no sample of 0, never ranked', () => {
    const repo = new SamplesRepo(db, { keyframeEveryMs: 60_000, deadBandFraction: 0.02 });
    const live = proc({ pid: 300, rssBytes: 200 * MiB, cgroup: '/system.slice/app.service' });
    repo.writeTick(snapshot(0, [live, proc({ pid: 301, cgroup: '/system.slice/app.service' })]), 1000);
    // What /proc shows of a zombie: cgroup "/", no memory, oom_score 0.
    const zombie = proc({ pid: 300, state: 'Z', rssBytes: 0, oomScore: 0, risk: -1000, immune: true, cgroup: '/', unit: null });
    const snap = snapshot(10_000, [zombie, proc({ pid: 301, cgroup: '/system.slice/app.service' })]);
    for (const d of snap.domains) expect(d.ranking.map((r) => r.pid)).not.toContain(300);
    // On the old oom_score scale a score of 0 is not "immune": the zombie must still not be ranked.
    expect(rankDomains([{ ...zombie, immune: false, risk: 0 }], [], snap.memory)[0].ranking).toEqual([]);
    repo.writeTick(snap, 1000);
    const row = db.prepare('SELECT id, cgroup, ended_ms FROM process WHERE pid = 300').get() as {
      id: number;
      cgroup: string;
      ended_ms: number;
    };
    expect(row).toMatchObject({ cgroup: '/system.slice/app.service', ended_ms: 10_000 });
    expect(db.prepare('SELECT rss_kib, oom_score FROM sample WHERE process_id = ?').all(row.id)).toEqual([
      { rss_kib: 200 * 1024, oom_score: live.oomScore },
    ]);
    expect(snapshotAt(db, 5_000)!.processes.find((p) => p.pid === 300)).toMatchObject({
      cgroup: '/system.slice/app.service',
      rssBytes: 200 * MiB,
    });
  });
});
