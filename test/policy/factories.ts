import type { ProcessSample } from '../../src/model/snapshot.js';
import { processSample } from '../helpers/process-sample.js';
import type { PolicyConfig } from '../../src/policy/config.js';
import { policySection } from '../../src/policy/config.js';

const GIB = 1024 ** 3;
export { GIB };

/** A process sample with sensible defaults; risk follows from usage and adj against `totalBytes`. */
export function proc(overrides: Partial<ProcessSample> & { pid: number }, totalBytes = 24 * GIB): ProcessSample {
  const p = processSample({
    bootId: 'boot-1',
    startTimeTicks: 1000 + overrides.pid,
    uid: 0,
    comm: `p${overrides.pid}`,
    cmdline: `/usr/bin/p${overrides.pid}`,
    exe: `/usr/bin/p${overrides.pid}`,
    cgroup: '/system.slice/p.service',
    unit: 'p.service',
    ...overrides,
  });
  p.risk = Math.round(((p.rssBytes + p.swapBytes + p.pageTablesBytes) * 1000) / totalBytes + p.oomScoreAdj);
  p.immune = p.oomScoreAdj === -1000;
  return p;
}

/** Parses a raw policy section as the config loader would. */
export function policyOf(raw: unknown): PolicyConfig {
  return policySection.parse(raw);
}
