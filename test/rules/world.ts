/**
 * Clock-free building blocks of the rule and alert tests: a host's identity, processes, cgroups, snapshots at
 * a given instant, and the alerts module's context. Nothing here holds a fixed instant, so tests on the real
 * clock import this file (tests on a manual clock use ./factories.ts, which adds T0).
 */
import type { Database } from 'better-sqlite3';
import type { AgentContext } from '../../src/agent/module.js';
import type { Clock } from '../../src/clock.js';
import { validateConfig } from '../../src/config/validate.js';
import { silentLogger } from '../../src/log.js';
import type { CgroupMemory, HostSnapshot, OomDomain, ProcessSample } from '../../src/model/snapshot.js';
import { ProcFs } from '../../src/sample/procfs.js';
import { processSample } from '../helpers/process-sample.js';
import { createStore } from '../../src/store/store.js';

export const BOOT = 'b0000000-0000-4000-8000-000000000001';
export const HOST = 'db1';
export const GiB = 1024 ** 3;
export const MiB = 1024 ** 2;

export function proc(overrides: Partial<ProcessSample> = {}): ProcessSample {
  const pid = overrides.pid ?? 1000;
  return processSample({
    bootId: BOOT,
    cmdline: `/usr/bin/proc${pid} --serve`,
    pageTablesBytes: 1 * MiB,
    oomScore: 700,
    risk: 50,
    ...overrides,
  });
}

export function cgroup(overrides: Partial<CgroupMemory> = {}): CgroupMemory {
  return {
    path: '/system.slice/app.service',
    version: 2,
    usageBytes: 512 * MiB,
    limitBytes: 1 * GiB,
    swapUsageBytes: 0,
    swapLimitBytes: 0,
    oomKillCount: 0,
    oomCount: 0,
    ...overrides,
  };
}

export function hostDomain(processes: ProcessSample[], totalBytes = 16 * GiB): OomDomain {
  return {
    kind: 'host',
    id: 'host',
    totalBytes,
    ranking: [...processes]
      .filter((p) => !p.immune)
      .sort((a, b) => b.risk - a.risk)
      .map((p) => ({
        pid: p.pid,
        startTimeTicks: p.startTimeTicks,
        comm: p.comm,
        risk: p.risk,
        badnessBytes: p.rssBytes,
        oomScoreAdj: p.oomScoreAdj,
      })),
  };
}

/** A host snapshot taken at `atMs` (no default instant: tests on the real clock pass theirs). */
export function snapshotAt(atMs: number, rest: Partial<HostSnapshot> = {}): HostSnapshot {
  const processes = rest.processes ?? [proc()];
  return {
    takenAtMs: atMs,
    bootId: BOOT,
    hostname: HOST,
    kernelRelease: '6.18.0',
    scale: 'new',
    pageSizeBytes: 4096,
    clockTicksPerSecond: 100,
    memory: { memTotalBytes: 16 * GiB, memAvailableBytes: 8 * GiB, memFreeBytes: 4 * GiB, swapTotalBytes: 0, swapFreeBytes: 0 },
    psi: { some: { avg10: 0, avg60: 0, avg300: 0, totalUs: 0 }, full: { avg10: 0, avg60: 0, avg300: 0, totalUs: 0 } },
    vmstatOomKill: 0,
    cgroupVersion: 2,
    cgroups: [],
    domains: rest.domains ?? [hostDomain(processes)],
    counts: { listed: processes.length, sampled: processes.length, gone: 0, denied: 0, kernelThreads: 0, newIdentities: 0 },
    ...rest,
    processes,
  };
}

/** The alerts module's agent context on a real store: the given rules only (no defaults), a console channel, notifications at once. */
export function alertsContext(db: Database, clock: Clock, rules: readonly unknown[]): AgentContext {
  const v = validateConfig({
    channels: { ops: { type: 'console' } },
    alerting: { groupWait: '0s', groupInterval: '0s' },
    rules: { replaceDefaults: true, list: rules },
  });
  if (!v.ok) throw new Error(v.errors.join('\n'));
  return {
    config: v.config,
    store: createStore(db),
    log: silentLogger(),
    clock,
    facts: { bootId: BOOT, hostname: HOST, kernelRelease: '6.18.0', pageSizeBytes: 4096 },
    procfs: new ProcFs('/proc'),
    selfProc: new ProcFs('/proc'),
  };
}
