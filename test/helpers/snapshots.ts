import { rankDomains } from '../../src/sample/rank.js';
import type { CgroupMemory, HostSnapshot, ProcessSample } from '../../src/model/snapshot.js';
import { processSample } from './process-sample.js';

export const BOOT = '11111111-2222-3333-4444-555555555555';
const GiB = 1024 ** 3;

/** A process with sensible defaults; the score is derived from RSS and adj on the new scale (16 GiB, no swap). */
export function proc(o: Partial<ProcessSample> & { pid: number }): ProcessSample {
  const rssBytes = o.rssBytes ?? 10 * 1024 ** 2;
  const adj = o.oomScoreAdj ?? 0;
  const badness = Math.floor((rssBytes * 1000) / (16 * GiB)) + adj;
  const oomScore = o.oomScore ?? (adj === -1000 ? 0 : Math.floor(((1000 + badness) * 2) / 3));
  return processSample({
    bootId: BOOT,
    startTimeTicks: 1000 + o.pid,
    uid: 0,
    cgroup: '/system.slice/x.service',
    unit: 'x.service',
    pageTablesBytes: 64 * 1024,
    oomScoreAdj: adj,
    risk: Math.floor((3 * oomScore + 2) / 2) - 1000,
    immune: adj === -1000,
    ...o,
    rssBytes,
    oomScore,
  });
}

/** A snapshot at `takenAtMs` of the given processes and cgroups (16 GiB RAM, no swap). */
export function snapshot(
  takenAtMs: number,
  processes: ProcessSample[],
  cgroups: CgroupMemory[] = [],
  memAvailableBytes = 8 * GiB,
): HostSnapshot {
  const memory = { memTotalBytes: 16 * GiB, memAvailableBytes, memFreeBytes: memAvailableBytes / 2, swapTotalBytes: 0, swapFreeBytes: 0 };
  return {
    takenAtMs,
    bootId: BOOT,
    hostname: 'testhost',
    kernelRelease: '6.8.0',
    scale: 'new',
    pageSizeBytes: 4096,
    clockTicksPerSecond: 100,
    memory,
    psi: { some: { avg10: 0.1, avg60: 0.05, avg300: 0.01, totalUs: 10 }, full: { avg10: 0, avg60: 0, avg300: 0, totalUs: 0 } },
    vmstatOomKill: 0,
    cgroupVersion: 2,
    cgroups,
    processes,
    domains: rankDomains(processes, cgroups, memory),
    counts: { listed: processes.length, sampled: processes.length, gone: 0, denied: 0, kernelThreads: 0, newIdentities: 0 },
  };
}
