/**
 * Benchmark: refilling the rules' trend history from the store when the agent starts or reloads its
 * config (alerts/seed.ts). Writes 15 minutes of 10 s ticks for N processes through the real SamplesRepo
 * (5-minute keyframes, ~1 % of processes changing per tick, 20 memory cgroups), then times
 * historyFromStore() with the default rules' windows (10 min for process trends, 5 min for host ones).
 * The agent refills at start in slices (historyFromStoreSliced), yielding to the event loop between them:
 * the longest slice is how long it holds the loop; the one-go time is the total work.
 *
 *   npx tsc -p . && node dist/scripts/bench/seed.js [processes=2000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { historyFromStore, historyFromStoreSliced } from '../../src/alerts/seed.js';
import { rankDomains } from '../../src/sample/rank.js';
import type { CgroupMemory, HostSnapshot, ProcessSample } from '../../src/model/snapshot.js';
import { openDatabase } from '../../src/store/db.js';
import { SamplesRepo } from '../../src/store/samples-repo.js';
import { createStore } from '../../src/store/store.js';

const nProc = Number(process.argv[2] ?? 2000);
const BOOT = 'bench-boot';
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const STEP_MS = 10_000;
const END_MS = Date.UTC(2026, 10, 26, 12);
const START_MS = END_MS - 15 * 60_000;

let seed = 7;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

const rss = Array.from({ length: nProc }, () => Math.round((5 + rnd() * 200) * MiB));
const memory = { memTotalBytes: 64 * GiB, memAvailableBytes: 40 * GiB, memFreeBytes: 20 * GiB, swapTotalBytes: 0, swapFreeBytes: 0 };
const cgroupPath = (i: number) => `/system.slice/app${i % 20}.service`;

function snapshotAt(t: number): HostSnapshot {
  for (let i = 0; i < nProc; i++) if (rnd() < 0.01) rss[i] = Math.round(rss[i] * (0.8 + rnd() * 0.5));
  const processes: ProcessSample[] = rss.map((r, i) => {
    const oomScore = Math.floor(((1000 + Math.floor((r * 1000) / memory.memTotalBytes)) * 2) / 3);
    return {
      bootId: BOOT,
      pid: 1000 + i,
      startTimeTicks: 5000 + i,
      ppid: 1,
      uid: 1000,
      comm: `worker${i}`,
      cmdline: `/usr/bin/worker --id ${i}`,
      exe: '/usr/bin/worker',
      cgroup: cgroupPath(i),
      unit: `app${i % 20}.service`,
      unitScope: 'system',
      state: 'S',
      rssBytes: r,
      swapBytes: 0,
      pageTablesBytes: 256 * 1024,
      oomScore,
      oomScoreAdj: 0,
      risk: Math.floor((3 * oomScore + 2) / 2) - 1000,
      immune: false,
    };
  });
  const cgroups: CgroupMemory[] = Array.from({ length: 20 }, (_, c) => ({
    path: cgroupPath(c),
    version: 2,
    usageBytes: processes.filter((_, i) => i % 20 === c).reduce((s, p) => s + p.rssBytes, 0),
    limitBytes: 32 * GiB,
    swapUsageBytes: 0,
    swapLimitBytes: 0,
    oomKillCount: 0,
    oomCount: 0,
  }));
  const m = { ...memory, memAvailableBytes: memory.memAvailableBytes - Math.round(((t - START_MS) / 60_000) * 100 * MiB) };
  return {
    takenAtMs: t,
    bootId: BOOT,
    hostname: 'bench',
    kernelRelease: '6.18.0',
    scale: 'new',
    pageSizeBytes: 4096,
    clockTicksPerSecond: 100,
    memory: m,
    psi: null,
    vmstatOomKill: 0,
    cgroupVersion: 2,
    cgroups,
    processes,
    domains: rankDomains(processes, cgroups, m),
    counts: { listed: nProc, sampled: nProc, gone: 0, denied: 0, kernelThreads: 0, newIdentities: 0 },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'oomwatch-bench-seed-'));
try {
  const db = openDatabase(join(dir, 'bench.db'));
  const repo = new SamplesRepo(db, { keyframeEveryMs: 5 * 60_000, deadBandFraction: 0.05 });
  let ticks = 0;
  for (let t = START_MS; t <= END_MS; t += STEP_MS, ticks++) repo.writeTick(snapshotAt(t), 1000);
  const windows = { processWindowMs: 10 * 60_000, hostWindowMs: 5 * 60_000 };
  const runs: number[] = [];
  let points = 0;
  let series = 0;
  for (let i = 0; i < 5; i++) {
    const r = historyFromStore(createStore(db).history, { bootId: BOOT, nowMs: END_MS + 5_000, windows }, undefined);
    runs.push(r.ms);
    points = r.points;
    series = r.history.processes.size;
  }
  const slices: { ms: number; cpuMs: number; totalMs: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await historyFromStoreSliced(createStore(db).history, { bootId: BOOT, nowMs: END_MS + 5_000, windows }, undefined);
    slices.push({ ms: r.longestSliceMs, cpuMs: r.longestSliceCpuMs, totalMs: r.ms });
  }
  runs.sort((a, b) => a - b);
  console.log(`processes: ${nProc}; stored: ${ticks} ticks over 15 min (10 s, keyframes every 5 min)`);
  console.log(`refill with the default windows: ${points} instants replayed, ${series} process series`);
  console.log(`time in one go (5 runs): min ${runs[0].toFixed(0)} ms, median ${runs[2].toFixed(0)} ms, max ${runs[4].toFixed(0)} ms`);
  console.log(
    `sliced as at agent start (3 runs): longest slice holding the event loop ${slices.map((s) => s.ms.toFixed(0)).join(', ')} ms ` +
      `(wall clock; CPU of the costliest slice ${slices.map((s) => s.cpuMs.toFixed(0)).join(', ')} ms), whole refill ${slices.map((s) => s.totalMs.toFixed(0)).join(', ')} ms`,
  );
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
