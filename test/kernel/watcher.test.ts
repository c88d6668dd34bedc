import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { createTestWatcher } from './test-watcher.js';
import type { IncidentView } from '../../src/model/incident.js';
import { createKernelWatcher, type KernelWatcher } from '../../src/kernel/watcher.js';
import { main } from '../../src/cli/main.js';
import { silentLogger } from '../../src/log.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { createIncidentsRepo } from '../../src/store/incidents-repo.js';
import { SamplesRepo } from '../../src/store/samples-repo.js';
import { BOOT, proc, snapshot } from '../helpers/snapshots.js';
import { makeTempDir } from '../helpers/tmp.js';
import { until } from '../helpers/until.js';
import { readFixture } from './fixtures.js';
import { createStore } from '../../src/store/store.js';

const MiB = 1024 ** 2;
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup() {
  const t = makeTempDir();
  const kmsgPath = join(t.dir, 'kmsg');
  writeFileSync(kmsgPath, '');
  const db = openDatabase(join(t.dir, 'oomwatch.db'));
  cleanups.push(
    () => t.cleanup(),
    () => void db.close(),
  );
  return { kmsgPath, db, dir: t.dir };
}

function watch(db: Database, kmsgPath: string, seen: IncidentView[] = []): KernelWatcher {
  const w = createTestWatcher(db, kmsgPath, seen);
  w.start();
  cleanups.push(() => w.stop());
  return w;
}

/** The 6.18 kmsg dump re-based so its last record is `nowUs` (monotonic µs), keeping the gaps between records. */
function rebasedDump(nowUs: number): string[] {
  const lines = readFixture('6.18.44-memcg-kmsg-3.txt').trimEnd().split('\n');
  const killTs = 917197581;
  return lines.map((l) => l.replace(/^(\d+),(\d+),(\d+),/, (_m, p, s, ts) => `${p},${s},${Number(ts) - killTs + nowUs},`));
}

const monoUs = () => systemClock.monotonicMs() * 1000;

describe('createKernelWatcher', () => {
  it('commits the incident within a second of the kill record, then records the reaper outcome', async () => {
    const { kmsgPath, db } = setup();
    const seen: IncidentView[] = [];
    const w = watch(db, kmsgPath, seen);
    const lines = rebasedDump(monoUs());
    appendFileSync(kmsgPath, `${lines.slice(0, 82).join('\n')}\n`); // up to the kill line, seq 674
    const t0 = performance.now();
    const count = () => (db.prepare('SELECT count(*) AS n FROM incident').get() as { n: number }).n;
    await until(() => count() === 1);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      source: 'kmsg',
      constraint: 'memcg',
      oomMemcg: '/oomprobe',
      reaped: false,
      kmsgSeq: 674,
      bootId: BOOT,
      victim: { pid: 25443, comm: 'python3', uid: 0, anonRssBytes: 63616 * 1024 },
    });
    expect(Math.abs(seen[0].timeMs! - Date.now())).toBeLessThan(3000);
    appendFileSync(kmsgPath, `${lines[82]}\n`);
    const repo = createIncidentsRepo(db);
    await until(() => repo.get(seen[0].id!)?.reaped);
    expect(repo.get(seen[0].id!)?.reaper?.fileRssBytes).toBe(64 * 1024);
    expect(repo.tasks(seen[0].id!).map((t) => t.pid)).toEqual([25264, 25266, 25265, 25443]);
    expect(w.status()).toEqual({ readable: true, lastSeq: 675 });
  });

  it('stopped mid-report and restarted: the report is whole, once; a later restart re-reads nothing', async () => {
    const { kmsgPath, db } = setup();
    const lines = rebasedDump(monoUs());
    appendFileSync(kmsgPath, `${lines.slice(0, 60).join('\n')}\n`); // header … part of memory.stat
    const w1 = watch(db, kmsgPath);
    await until(() => w1.status().lastSeq === 652);
    await w1.stop();
    const repo = createIncidentsRepo(db);
    expect(repo.getCursor()).toEqual({ bootId: BOOT, nextSeq: 593 }); // held at the report's first record
    appendFileSync(kmsgPath, `${lines.slice(60).join('\n')}\n`);
    const w2 = watch(db, kmsgPath);
    await until(() => w2.status().lastSeq === 675);
    await until(() => repo.list()[0]?.reaped);
    await w2.stop();
    expect(repo.getCursor()).toEqual({ bootId: BOOT, nextSeq: 676 });
    // A third start has read the whole log once it reaches a record logged after the report.
    appendFileSync(kmsgPath, `6,676,${monoUs()},-;eth0: link up\n`);
    const w3 = watch(db, kmsgPath);
    await until(() => w3.status().lastSeq === 676);
    await w3.stop();
    const all = repo.list();
    expect(all).toHaveLength(1);
    expect(all[0].flags).toEqual([]);
    expect(repo.tasks(all[0].id!)).toHaveLength(4);
    expect(repo.getCursor()).toEqual({ bootId: BOOT, nextSeq: 677 });
  });

  it('links the victim to the identity alive just before the kill, not an older process with the same pid', async () => {
    const { kmsgPath, db, dir } = setup();
    const now = Date.now();
    const samples = new SamplesRepo(db, { keyframeEveryMs: 300_000, deadBandFraction: 0.02 });
    const old = proc({ pid: 25443, startTimeTicks: 5, comm: 'python3', cgroup: '/oomprobe' });
    const victim = proc({ pid: 25443, startTimeTicks: 91_000, comm: 'python3', cgroup: '/oomprobe', rssBytes: 60 * MiB });
    const sibling = proc({ pid: 25264, comm: 'sleep', cgroup: '/oomprobe', rssBytes: 2 * MiB, oomScoreAdj: 500 });
    const limit = {
      path: '/oomprobe',
      version: 1 as const,
      usageBytes: 62 * MiB,
      limitBytes: 64 * MiB,
      swapUsageBytes: null,
      swapLimitBytes: null,
      oomKillCount: 0,
      oomCount: null,
    };
    samples.writeTick(snapshot(now - 600_000, [old]), 10);
    samples.writeTick(snapshot(now - 20_000, [victim, sibling], [limit]), 10);
    samples.writeTick(snapshot(now - 10_000, [victim, sibling], [limit]), 10);
    const seen: IncidentView[] = [];
    watch(db, kmsgPath, seen);
    appendFileSync(kmsgPath, `${rebasedDump(monoUs()).join('\n')}\n`);
    await until(() => seen.length === 1);
    expect(seen[0].victim).toMatchObject({ pid: 25443, startTimeTicks: 91_000 });
    const { lastSamples, rankedCandidates } = await import('../../src/store/incidents-history.js');
    const hist = lastSamples(db, seen[0].victim!.processId!, seen[0].timeMs!);
    expect(hist.map((h) => h.rssBytes)).toEqual([60 * MiB]);
    const ranked = rankedCandidates(db, { bootId: BOOT, atMs: seen[0].timeMs!, cgroup: seen[0].oomMemcg });
    expect(ranked?.totalBytes).toBe(64 * MiB);
    // sleep: 2 MiB + 500 * 64 MiB / 1000 = 34 MiB (+ page tables) < python3's 60 MiB.
    expect(ranked?.candidates.map((c) => c.comm)).toEqual(['python3', 'sleep']);
    expect(ranked?.candidates[1].badnessBytes).toBeCloseTo(2 * MiB + 64 * 1024 + 32 * MiB, -3);
    // The same through the CLI.
    const out: string[] = [];
    const io = {
      out: (t: string) => void out.push(t),
      err: (t: string) => void out.push(t),
      env: { OOMWATCH_CONFIG: '' },
      isTty: false,
      log: silentLogger(),
    };
    expect(await main(['node', 'oomwatch', 'incident', String(seen[0].id), '--db', join(dir, 'oomwatch.db'), '--json'], io)).toBe(0);
    const json = JSON.parse(out.join('\n'));
    expect(json.incident.victim).toMatchObject({ pid: 25443, startTimeTicks: 91_000 });
    expect(json.victimSamples).toHaveLength(1);
    expect(json.rankedBeforeKill.candidates.map((c: { pid: number }) => c.pid)).toEqual([25443, 25264]);
    out.length = 0;
    expect(await main(['node', 'oomwatch', 'incident', String(seen[0].id), '--db', join(dir, 'oomwatch.db')], io)).toBe(0);
    expect(out.join('\n')).toMatch(/ranked candidates of the cgroup \/oomprobe domain/);
    expect(out.join('\n')).toMatch(/victim +25443 python3 uid 0 oom_score_adj 0 start 91000/);
  });

  it('onTick: a cgroup kill counter that rose with no report is recorded as "no kernel report"', async () => {
    const { kmsgPath, db } = setup();
    const seen: IncidentView[] = [];
    const w = watch(db, kmsgPath, seen);
    const hog = proc({ pid: 4242, comm: 'hog', cgroup: '/jobs/x', rssBytes: 63 * MiB });
    const cg = (n: number) => ({
      path: '/jobs/x',
      version: 2 as const,
      usageBytes: 1,
      limitBytes: 64 * MiB,
      swapUsageBytes: null,
      swapLimitBytes: null,
      oomKillCount: n,
      oomCount: n,
    });
    const s1 = { ...snapshot(1000, [hog], [cg(0)]), vmstatOomKill: 7 };
    const s2 = { ...snapshot(2000, [], [cg(1)]), vmstatOomKill: 8 };
    const s3 = { ...snapshot(3000, [], [cg(1)]), vmstatOomKill: 8 };
    w.onTick(null, s1);
    w.onTick(s1, s2);
    expect(seen).toEqual([]);
    w.onTick(s2, s3);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      source: 'counter',
      noKernelReport: true,
      constraint: 'memcg',
      oomMemcg: '/jobs/x',
      windowStartMs: 1000,
      timeMs: 2000,
      killCount: 1,
      victim: null,
      vanished: [{ pid: 4242, comm: 'hog' }],
    });
  });

  it('a kmsg path that cannot be opened: keeps running, says so once, records an agent event', async () => {
    const { db, dir } = setup();
    const w = watch(db, join(dir, 'no-such-kmsg'));
    expect(w.status().readable).toBe(false);
    expect(w.status().problem).toMatch(/no-such-kmsg/);
    const events = db.prepare("SELECT kind, message FROM agent_event WHERE kind = 'kmsg-unreadable'").all();
    expect(events).toHaveLength(1);
    w.onTick(null, snapshot(1000, [])); // the counters path still works
  });
});

describe('createKernelWatcher: a report that never gets its kill line', () => {
  it('is stored as truncated once no record came for idleFlushMs, and the cursor moves past it', async () => {
    const { kmsgPath, db } = setup();
    const w = createKernelWatcher({
      store: createStore(db),
      log: silentLogger(),
      clock: systemClock,
      kmsgPath,
      bootId: BOOT,
      hostname: 'h',
      pollIntervalMs: 20,
      idleFlushMs: 100,
      suspendedMs: () => 0,
    });
    w.start();
    cleanups.push(() => w.stop());
    const lines = rebasedDump(monoUs());
    appendFileSync(kmsgPath, `${lines.slice(0, 30).join('\n')}\n`);
    const repo = createIncidentsRepo(db);
    const list = await until(() => (repo.list().length ? repo.list() : null), 4000);
    expect(list[0]).toMatchObject({ flags: ['truncated'], victim: null, trigger: { comm: 'python3', pid: 25443 }, constraint: 'memcg' });
    await w.stop();
    expect(repo.getCursor()).toEqual({ bootId: BOOT, nextSeq: 623 });
  });
});

describe('createKernelWatcher: the store refuses a write', () => {
  it('keeps the incident in memory and stores it once the store accepts writes again', async () => {
    const { kmsgPath, db } = setup();
    const seen: IncidentView[] = [];
    const w = watch(db, kmsgPath, seen);
    db.pragma('query_only = ON'); // every write now fails with SQLITE_READONLY
    appendFileSync(kmsgPath, `${rebasedDump(monoUs()).join('\n')}\n`);
    // Read to the last record (the kill and the reaper line included): both writes were tried and refused.
    await until(() => w.status().lastSeq === 675);
    expect(seen).toEqual([]);
    db.pragma('query_only = OFF');
    await until(() => seen.length === 1, 4000);
    const repo = createIncidentsRepo(db);
    // The reaper outcome kept in memory behind the report is stored by the same retry, cursor included.
    await until(() => repo.getCursor()?.nextSeq === 676, 4000);
    expect(repo.list()).toHaveLength(1);
    expect(repo.list()[0]).toMatchObject({ victim: { pid: 25443 }, reaped: true });
    expect(repo.getCursor()).toEqual({ bootId: BOOT, nextSeq: 676 });
  });
});
