import type { ProcessSample } from '../../src/model/snapshot.js';
import type { PolicyConfig } from '../../src/policy/config.js';
import { policySection } from '../../src/policy/config.js';

const GIB = 1024 ** 3;
export { GIB };

/** A process sample with sensible defaults; risk follows from usage and adj against `totalBytes`. */
export function proc(overrides: Partial<ProcessSample> & { pid: number }, totalBytes = 24 * GIB): ProcessSample {
  const base: ProcessSample = {
    bootId: 'boot-1',
    pid: overrides.pid,
    startTimeTicks: 1000 + overrides.pid,
    ppid: 1,
    uid: 0,
    comm: `p${overrides.pid}`,
    cmdline: `/usr/bin/p${overrides.pid}`,
    exe: `/usr/bin/p${overrides.pid}`,
    cgroup: '/system.slice/p.service',
    unit: 'p.service',
    unitScope: 'system',
    state: 'S',
    rssBytes: 100 * 1024 ** 2,
    swapBytes: 0,
    pageTablesBytes: 0,
    oomScore: 666,
    oomScoreAdj: 0,
    risk: 0,
    immune: false,
  };
  const p = { ...base, ...overrides };
  p.risk = Math.round(((p.rssBytes + p.swapBytes + p.pageTablesBytes) * 1000) / totalBytes + p.oomScoreAdj);
  p.immune = p.oomScoreAdj === -1000;
  return p;
}

/** Parses a raw policy section as the config loader would. */
export function policyOf(raw: unknown): PolicyConfig {
  return policySection.parse(raw);
}
