import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { compilePolicy } from '../../src/policy/compile.js';
import { planAdjustments } from '../../src/policy/plan.js';
import { LiveProcesses, snapshotOf } from './live.js';
import { policyOf } from './factories.js';

// A real cgroup v1 memory cgroup (this machine's memory controller; v2 there has none).
const V1_MEMORY = '/sys/fs/cgroup/memory';
const MIB = 1024 ** 2;

describe('plan inside a real memory cgroup', () => {
  let live: LiveProcesses;
  let name: string;
  beforeEach(() => {
    live = new LiveProcesses();
    name = `oomwatch-policy-test-${process.pid}`;
  });
  afterEach(async () => {
    live.cleanup();
    // The cgroup can be removed once its processes have exited.
    for (let i = 0; i < 50 && existsSync(`${V1_MEMORY}/${name}`); i++) {
      try {
        rmdirSync(`${V1_MEMORY}/${name}`);
      } catch {
        await new Promise((r) => setTimeout(r, 20)); // EBUSY until the killed process is reaped
      }
    }
  });

  it('measures the value against the cgroup limit and ranks among its processes', async () => {
    expect(existsSync(`${V1_MEMORY}/memory.limit_in_bytes`)).toBe(true);
    mkdirSync(`${V1_MEMORY}/${name}`);
    writeFileSync(`${V1_MEMORY}/${name}/memory.limit_in_bytes`, String(256 * MIB));
    const db = await live.start('mysqld');
    const other = await live.start('backup');
    writeFileSync(`${V1_MEMORY}/${name}/cgroup.procs`, String(db.pid));
    writeFileSync(`${V1_MEMORY}/${name}/cgroup.procs`, String(other.pid));
    const snap = snapshotOf([db.pid, other.pid]);
    expect(snap.processes.map((p) => p.cgroup)).toEqual([`/${name}`, `/${name}`]);
    const [e] = planAdjustments(
      snap.processes,
      compilePolicy(policyOf({ rules: [{ id: 'db', match: { exe: db.exe }, level: 'kill-first' }] })),
      snap,
    );
    expect(e.cgroupEffect).not.toBeNull();
    expect(e.cgroupEffect!.path).toBe(`/${name}`);
    // Limit + usable swap; without memsw limits all swap is usable (this machine has none).
    expect(e.cgroupEffect!.totalBytes).toBe(256 * MIB + snap.memory.swapTotalBytes);
    expect(e.cgroupEffect!.members).toBe(2);
    expect(e.cgroupEffect!.rankAfter).toBe(1);
    expect(e.cgroupEffect!.text).toMatch(
      new RegExp(
        `^inside its memory cgroup /${name} \\(limit\\+swap 256 MiB\\): adds 100 % of that, about 256 MiB; it would rank 1st of 2 there`,
      ),
    );
  });
});
