/**
 * A victim sampled while it dies, on the real /proc: a child OOM-killed in a memory cgroup whose parent
 * reaps it 4 s later. While it is a zombie, /proc/PID/cgroup reads "/" and RSS and oom_score read 0;
 * the sampler must let it go with its last live facts, so every rebuilt past instant still finds the
 * victim first in its cgroup (not the innocent parent). CI (CI=true, root) must run it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSampler } from '../../src/sample/host.js';
import { parsePidStat } from '../../src/sample/parse/pid-stat.js';
import { openDatabase } from '../../src/store/db.js';
import { rankedCandidates } from '../../src/store/incidents-history.js';
import { SamplesRepo } from '../../src/store/samples-repo.js';
import { snapshotAt } from '../../src/store/samples-query.js';
import { startLateReaper, type LateReaperRun } from '../helpers/late-reaper.js';
import { createOomCgroup, memoryCgroupSupport, removeOomCgroup, type OomCgroup } from '../helpers/oom-cgroup.js';
import { makeTempDir } from '../helpers/tmp.js';

const support = memoryCgroupSupport();
const inCi = process.env.CI === 'true';
const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

describe('a victim sampled while it is a zombie (real memory-cgroup kill, reaped 4 s later)', () => {
  it.runIf(inCi && !support.ok)('CI must be able to run the real kill', () => {
    expect.fail(`CI=true but the real OOM kill cannot run: ${support.reason}`);
  });

  it.skipIf(!support.ok)(
    `keeps the victim's last live facts, ends it, and never ranks it${support.ok ? '' : ` (skipped: ${support.reason})`}`,
    async () => {
      const db = openDatabase(join(tmp.dir, 'oomwatch.db'));
      const { sampler } = createSampler({ procRoot: '/proc', cgroupRoot: '/sys/fs/cgroup', refreshEveryMs: 300_000 });
      const repo = new SamplesRepo(db, { keyframeEveryMs: 300_000, deadBandFraction: 0.02 });
      let cg: OomCgroup | null = null;
      let run: LateReaperRun | null = null;
      try {
        cg = createOomCgroup({ limitBytes: 64 * 1024 * 1024 });
        run = await startLateReaper(cg, { holdMb: 24, reapAfterMs: 4000 });
        const live = sampler.takeSnapshot(Date.now());
        repo.writeTick(live, 0);
        const victimLive = live.processes.find((p) => p.pid === run!.childPid)!;
        expect(victimLive).toMatchObject({ startTimeTicks: run.childStartTimeTicks, cgroup: cg.cgroupPath });
        expect(victimLive.rssBytes).toBeGreaterThan(20 * 1024 * 1024);
        expect(live.domains.find((d) => d.id === cg!.cgroupPath)!.ranking[0].pid).toBe(run.childPid);

        await run.killChild();
        // The real situation: the child is a zombie that reads no memory, score 0.
        const stat = parsePidStat(readFileSync(`/proc/${run.childPid}/stat`, 'utf8'));
        expect(stat.state).toBe('Z');
        expect(readFileSync(`/proc/${run.childPid}/oom_score`, 'utf8').trim()).toBe('0');

        const dying = sampler.takeSnapshot(Date.now());
        repo.writeTick(dying, 0);
        expect(dying.processes.some((p) => p.pid === run!.childPid)).toBe(false);
        for (const d of dying.domains) expect(d.ranking.some((r) => r.pid === run!.childPid)).toBe(false);
        expect(dying.processes.find((p) => p.pid === run!.parentPid)?.cgroup).toBe(cg.cgroupPath);

        // The store: the identity keeps its cgroup and last live sample, and it ended at the zombie's tick.
        const row = db
          .prepare('SELECT id, cgroup, ended_ms FROM process WHERE pid = ? AND start_time_ticks = ?')
          .get(run.childPid, run.childStartTimeTicks) as { id: number; cgroup: string; ended_ms: number | null };
        expect(row).toMatchObject({ cgroup: cg.cgroupPath, ended_ms: dying.takenAtMs });
        const samples = db.prepare('SELECT rss_kib, oom_score FROM sample WHERE process_id = ? ORDER BY tick_id').all(row.id) as {
          rss_kib: number;
          oom_score: number;
        }[];
        expect(samples.length).toBe(1);
        expect(samples[0].rss_kib).toBeGreaterThan(20 * 1024);
        expect(samples[0].oom_score).toBeGreaterThan(0);

        // Rebuilt past instants (incident, report, top --at) still rank the victim first in its cgroup.
        const before = snapshotAt(db, live.takenAtMs)!;
        expect(before.domains.find((d) => d.id === cg!.cgroupPath)!.ranking[0].pid).toBe(run.childPid);
        const ranked = rankedCandidates(db, { bootId: live.bootId, atMs: live.takenAtMs, cgroup: cg.cgroupPath })!;
        expect(ranked.candidates[0]).toMatchObject({ pid: run.childPid, cgroup: cg.cgroupPath });
        expect(ranked.candidates.map((c) => c.pid)).toContain(run.parentPid);
      } finally {
        await run?.stop();
        sampler.close();
        if (cg) await removeOomCgroup(cg);
        db.close();
      }
    },
    30_000,
  );
});
