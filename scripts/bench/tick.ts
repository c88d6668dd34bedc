/**
 * Benchmark of one sampling tick (read, parse, rank, store) against a C floor, with 2,000 and 8,000 extra
 * idle processes that the bench starts and reaps itself. Prints figures; asserts nothing.
 *   npm run bench            (builds, then runs dist/scripts/bench/tick.js)
 *   BENCH_SIZES=2000 npm run bench
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createSampler } from '../../src/sample/host.js';
import { DEFAULT_PROC_ROOT, ProcFs } from '../../src/sample/procfs.js';
import { openDatabase } from '../../src/store/db.js';
import { SamplesRepo } from '../../src/store/samples-repo.js';
import { compileC, startIdleProcesses } from './c-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'oomwatch-bench-'));
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

async function withIdleProcesses<T>(n: number, fn: () => Promise<T>): Promise<T> {
  const child = await startIdleProcesses(n, work);
  try {
    return await fn();
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

function floor(passes: number): { processes: number; cpuUsPerPass: number; cpuUsPerProcess: number } {
  return JSON.parse(execFileSync(compileC('floor', work), ['/proc', String(passes)], { encoding: 'utf8' }));
}

async function measure(n: number) {
  return withIdleProcesses(n, async () => {
    const c = floor(20);
    const dbPath = join(work, `tick-${n}.db`);
    const db = openDatabase(dbPath);
    const { sampler } = createSampler({
      procRoot: '/proc',
      cgroupRoot: '/sys/fs/cgroup',
      refreshEveryMs: 300_000,
      keepDescriptors: new ProcFs(DEFAULT_PROC_ROOT),
    });
    const repo = new SamplesRepo(db, { keyframeEveryMs: 300_000, deadBandFraction: 0.02 });
    let t = Date.now();
    const first0 = cpuUs();
    repo.writeTick(sampler.takeSnapshot(t), 0); // first tick: every identity is new, a keyframe
    const firstTickUs = cpuUs() - first0;
    const ticks: { readUs: number; storeUs: number; keyframe: boolean; processes: number }[] = [];
    for (let i = 0; i < 31; i++) {
      t += 10_000;
      const a = cpuUs();
      const snap = sampler.takeSnapshot(t);
      const b = cpuUs();
      const w = repo.writeTick(snap, 0);
      ticks.push({
        readUs: b - a,
        storeUs: cpuUs() - b,
        keyframe: w.keyframe,
        processes: snap.processes.length + snap.counts.kernelThreads,
      });
    }
    const steady = ticks.filter((x) => !x.keyframe);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const steadyUs = mean(steady.map((x) => x.readUs + x.storeUs));
    const keyframe = ticks.find((x) => x.keyframe);
    const perTickAvgUs = mean(ticks.map((x) => x.readUs + x.storeUs));
    const procs = ticks[ticks.length - 1].processes;

    // event-loop responsiveness: the agent's sliced tick, with the store write
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    for (let i = 0; i < 5; i++) {
      t += i === 2 ? 300_000 : 10_000; // the third is a keyframe
      const snap = await sampler.takeSnapshotSliced(t);
      await repo.writeTickSliced(snap, 0);
      await new Promise((r) => setTimeout(r, 5));
    }
    h.disable();
    sampler.close();
    db.close();
    return {
      extraIdleProcesses: n,
      processesOnHost: procs,
      cFloorUsPerProcess: c.cpuUsPerProcess,
      cFloorUsPerPass: c.cpuUsPerPass,
      firstTickCpuMs: +(firstTickUs / 1000).toFixed(1),
      steadyTickCpuMs: +(steadyUs / 1000).toFixed(1),
      steadyTickUsPerProcess: +(steadyUs / procs).toFixed(2),
      readParseRankUsPerProcess: +(mean(steady.map((x) => x.readUs)) / procs).toFixed(2),
      storeUsPerProcess: +(mean(steady.map((x) => x.storeUs)) / procs).toFixed(2),
      keyframeTickCpuMs: keyframe ? +((keyframe.readUs + keyframe.storeUs) / 1000).toFixed(1) : null,
      averageTickUsPerProcess: +(perTickAvgUs / procs).toFixed(2),
      ratioSteadyToFloor: +(steadyUs / procs / c.cpuUsPerProcess).toFixed(2),
      ratioAverageToFloor: +(perTickAvgUs / procs / c.cpuUsPerProcess).toFixed(2),
      eventLoopMaxBlockMs: +(h.max / 1e6).toFixed(1),
      eventLoopP99Ms: +(h.percentile(99) / 1e6).toFixed(1),
    };
  });
}

/** One simulated hour at 10 s (360 ticks) of the real host with `n` idle processes → bytes per process per day. */
async function storage(n: number) {
  return withIdleProcesses(n, async () => {
    const dbPath = join(work, `storage-${n}.db`);
    const db = openDatabase(dbPath);
    const { sampler } = createSampler({
      procRoot: '/proc',
      cgroupRoot: '/sys/fs/cgroup',
      refreshEveryMs: 300_000,
      keepDescriptors: new ProcFs(DEFAULT_PROC_ROOT),
    });
    const repo = new SamplesRepo(db, { keyframeEveryMs: 300_000, deadBandFraction: 0.02 });
    let t = Date.now();
    repo.writeTick(sampler.takeSnapshot(t), 0);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const before = statSync(dbPath).size;
    let procs = 0;
    for (let i = 0; i < 360; i++) {
      t += 10_000;
      const s = sampler.takeSnapshot(t);
      procs = s.processes.length;
      repo.writeTick(s, 0);
    }
    db.pragma('wal_checkpoint(TRUNCATE)');
    const perHour = statSync(dbPath).size - before;
    sampler.close();
    db.close();
    return {
      processes: procs,
      simulatedTicks: 360,
      bytesPerHour: perHour,
      mbPerDay: +((perHour * 24) / 1e6).toFixed(1),
      bytesPerProcessPerDay: Math.round((perHour * 24) / procs),
      benchRssMiB: +(process.memoryUsage().rss / 1024 ** 2).toFixed(0),
    };
  });
}

const sizes = (process.env.BENCH_SIZES ?? '2000,8000').split(',').map(Number);
try {
  for (const n of sizes) console.log(JSON.stringify({ bench: 'tick', ...(await measure(n)) }));
  if (!process.env.BENCH_SKIP_STORAGE) console.log(JSON.stringify({ bench: 'storage', ...(await storage(2000)) }));
} finally {
  rmSync(work, { recursive: true, force: true });
}
