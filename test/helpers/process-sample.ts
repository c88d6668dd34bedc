/**
 * The one ProcessSample factory of the tests: every field with a plain default (a process of `app.service`,
 * 100 MiB, adj 0, score 666), identity and names following the pid. The folders' own helpers (test/helpers/snapshots.ts,
 * test/rules/world.ts, test/policy/factories.ts, test/metrics/snapshot-factory.ts, test/rules/host-fixtures.ts) give
 * their defaults on top, so a field added to ProcessSample is added here once.
 */
import type { ProcessSample } from '../../src/model/snapshot.js';

export const TEST_BOOT_ID = 'b0000000-0000-4000-8000-000000000001';

export function processSample(fields: Partial<ProcessSample> = {}): ProcessSample {
  const pid = fields.pid ?? 1000;
  return {
    bootId: TEST_BOOT_ID,
    pid,
    startTimeTicks: 5000 + pid,
    ppid: 1,
    uid: 1000,
    comm: `proc${pid}`,
    cmdline: `/usr/bin/proc${pid}`,
    exe: `/usr/bin/proc${pid}`,
    cgroup: '/system.slice/app.service',
    unit: 'app.service',
    unitScope: 'system',
    state: 'S',
    rssBytes: 100 * 1024 ** 2,
    swapBytes: 0,
    pageTablesBytes: 0,
    oomScore: 666,
    oomScoreAdj: 0,
    risk: 0,
    immune: false,
    ...fields,
  };
}
