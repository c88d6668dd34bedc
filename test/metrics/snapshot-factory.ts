import type { HostSnapshot, ProcessSample, RankedProcess } from '../../src/model/snapshot.js';
import { processSample } from '../helpers/process-sample.js';

const GiB = 1024 ** 3;

/** Worker `i` of a host (pid 1000 + i, i + 1 MiB). */
export function workerSample(i: number, overrides: Partial<ProcessSample> = {}): ProcessSample {
  return processSample({
    bootId: 'b00710d0-0000-4000-8000-000000000001',
    pid: 1000 + i,
    startTimeTicks: 50_000 + i,
    comm: `worker-${i}`,
    cmdline: `/usr/bin/worker --id=${i} --token=[redacted]`,
    exe: '/usr/bin/worker',
    cgroup: `/system.slice/worker@${i}.service`,
    unit: `worker@${i}.service`,
    rssBytes: (i + 1) * 1024 * 1024,
    pageTablesBytes: 4096,
    ...overrides,
  });
}

/** A snapshot with `n` processes ranked by rss (highest first) in the host domain. */
export function snapshotWith(
  n: number,
  overrides: Partial<HostSnapshot> = {},
  each: (i: number) => Partial<ProcessSample> = () => ({}),
): HostSnapshot {
  const totalBytes = 16 * GiB;
  const processes = Array.from({ length: n }, (_, i) => {
    const p = workerSample(i, each(i));
    return { ...p, risk: ((p.rssBytes + p.swapBytes + p.pageTablesBytes) * 1000) / totalBytes };
  });
  const ranking: RankedProcess[] = [...processes]
    .sort((a, b) => b.rssBytes - a.rssBytes)
    .map((p) => ({
      pid: p.pid,
      startTimeTicks: p.startTimeTicks,
      comm: p.comm,
      risk: p.risk,
      badnessBytes: p.rssBytes + p.swapBytes + p.pageTablesBytes,
      oomScoreAdj: p.oomScoreAdj,
    }));
  return {
    takenAtMs: Date.UTC(2026, 0, 1),
    bootId: 'b00710d0-0000-4000-8000-000000000001',
    hostname: 'web-1',
    kernelRelease: '6.18.0',
    scale: 'new',
    pageSizeBytes: 4096,
    clockTicksPerSecond: 100,
    memory: { memTotalBytes: totalBytes, memAvailableBytes: 6 * GiB, memFreeBytes: 2 * GiB, swapTotalBytes: 0, swapFreeBytes: 0 },
    psi: {
      some: { avg10: 12.5, avg60: 3, avg300: 1, totalUs: 4_500_000 },
      full: { avg10: 2, avg60: 0.5, avg300: 0.1, totalUs: 1_000_000 },
    },
    vmstatOomKill: 3,
    cgroupVersion: 1,
    cgroups: [
      {
        path: '/docker/abc',
        version: 1,
        usageBytes: 900 * 1024 ** 2,
        limitBytes: GiB,
        swapUsageBytes: null,
        swapLimitBytes: null,
        oomKillCount: 1,
        oomCount: null,
      },
      {
        path: '/unlimited',
        version: 1,
        usageBytes: GiB,
        limitBytes: 9223372036854771712,
        swapUsageBytes: null,
        swapLimitBytes: null,
        oomKillCount: 0,
        oomCount: null,
      },
    ],
    processes,
    // /docker/abc is its own OOM domain (limit 1 GiB): the largest process stands in as its next victim.
    domains: [
      { kind: 'host', id: 'host', totalBytes, ranking },
      {
        kind: 'cgroup',
        id: '/docker/abc',
        totalBytes: GiB,
        ranking: ranking.slice(0, 1).map((r) => ({ ...r, risk: Math.round((r.badnessBytes * 1000) / GiB) })),
      },
    ],
    counts: { listed: n + 5, sampled: n, gone: 2, denied: 0, kernelThreads: 3, newIdentities: n },
    ...overrides,
  };
}
