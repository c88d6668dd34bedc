/** `top --at`, `history` and `incidents` views over fixture stores (real SQLite written through the real repos), in-process. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rankDomains } from '../../src/sample/rank.js';
import type { CgroupMemory, HostSnapshot } from '../../src/model/snapshot.js';
import { openDatabase } from '../../src/store/db.js';
import { snapshotAt } from '../../src/store/samples-query.js';
import { SamplesRepo } from '../../src/store/samples-repo.js';
import { shortenCgroupPath } from '../../src/util/format.js';
import { proc } from '../helpers/snapshots.js';
import { runCliInProcess } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { buildFastStore, FAST_KILL_MS } from '../fixtures/report/build-fast-store.js';

const cli = async (args: string[]) => {
  const r = await runCliInProcess(args, { OOMWATCH_CONFIG: '' });
  return { code: r.code, out: r.stdout, err: r.stderr };
};

const tmp = makeTempDir('oomwatch-views-');
const dbPath = join(tmp.dir, 'fast.db');
beforeAll(() => buildFastStore(dbPath).db.close());
afterAll(() => tmp.cleanup());

describe('top --at', () => {
  it('past the last sample says how old its data is', async () => {
    const r = await cli(['top', '--at', new Date(FAST_KILL_MS + 10 * 60_000).toISOString(), '--db', dbPath]);
    expect(r).toMatchObject({ code: 0, err: '' });
    // The last tick is 23:40:06; the asked instant 23:50:00.
    expect(r.out.split('\n')[0]).toMatch(/^data from 23:40:06, 10 min before the asked instant \(no later sample is stored/);
    const json = JSON.parse((await cli(['top', '--at', new Date(FAST_KILL_MS + 10 * 60_000).toISOString(), '--json', '--db', dbPath])).out);
    expect(json.dataAgeMs).toBe(10 * 60_000 - 6_000);
    // Within the sampling interval of a tick there is no note.
    const fresh = await cli(['top', '--at', new Date(FAST_KILL_MS - 2_000).toISOString(), '--db', dbPath]);
    expect(fresh.out).not.toContain('data from');
  });

  it('does not show a memory cgroup deleted before the asked instant (after the last keyframe)', () => {
    const db = openDatabase(join(tmp.dir, 'cgroups.db'));
    try {
      const repo = new SamplesRepo(db, { keyframeEveryMs: 5 * 60_000, deadBandFraction: 0.05 });
      const cg = (path: string): CgroupMemory => ({
        path,
        version: 2,
        usageBytes: 50 * 1024 ** 2,
        limitBytes: 100 * 1024 ** 2,
        swapUsageBytes: 0,
        swapLimitBytes: 0,
        oomKillCount: 0,
        oomCount: 0,
      });
      const snap = (tsMs: number, cgroups: CgroupMemory[]): HostSnapshot => {
        const processes = [proc({ pid: 1, comm: 'systemd', cgroup: '/init.scope' })];
        const memory = {
          memTotalBytes: 4 * 1024 ** 3,
          memAvailableBytes: 3 * 1024 ** 3,
          memFreeBytes: 1024 ** 3,
          swapTotalBytes: 0,
          swapFreeBytes: 0,
        };
        return {
          takenAtMs: tsMs,
          bootId: processes[0].bootId,
          hostname: 'h',
          kernelRelease: '6.8.0',
          scale: 'new',
          pageSizeBytes: 4096,
          clockTicksPerSecond: 100,
          memory,
          psi: null,
          vmstatOomKill: 0,
          cgroupVersion: 2,
          cgroups,
          processes,
          domains: rankDomains(processes, cgroups, memory),
          counts: { listed: 1, sampled: 1, gone: 0, denied: 0, kernelThreads: 0, newIdentities: 0 },
        };
      };
      const t0 = FAST_KILL_MS;
      repo.writeTick(snap(t0, [cg('/drill'), cg('/system.slice/app.service')]), 100); // keyframe
      repo.writeTick(snap(t0 + 10_000, [cg('/system.slice/app.service')]), 100); // /drill removed
      expect(snapshotAt(db, t0 + 5_000)!.cgroups.map((c) => c.path)).toEqual(['/drill', '/system.slice/app.service']);
      expect(snapshotAt(db, t0 + 60_000)!.cgroups.map((c) => c.path)).toEqual(['/system.slice/app.service']);
      expect(snapshotAt(db, t0 + 60_000)!.cgroupVersion).toBe(2);
    } finally {
      db.close();
    }
  });
});

describe('history', () => {
  it('ends a running process at its last sample, not at the last keyframe', async () => {
    const r = await cli(['history', 'cache-loader', '--since', '5200w', '--db', dbPath]);
    expect(r).toMatchObject({ code: 0, err: '' });
    // First seen (and keyframed) at 23:39:06; listed at every tick up to 23:40:06.
    expect(r.out).toContain('seen 2026-11-25T23:39:06Z → still running (last sampled 2026-11-25T23:40:06Z)');
    const ended = await cli(['history', 'leaker', '--since', '5200w', '--db', dbPath]);
    expect(ended.out).toContain('seen 2026-11-25T23:39:16Z → last sampled 2026-11-25T23:39:56Z, gone at 2026-11-25T23:40:06Z');
  });
});

describe('incidents', () => {
  it('keeps the end of a Kubernetes cgroup path, cutting long ids', () => {
    const uid = '0f3c1a2b-7d1e-4c9a-9f0e-2b6d8a7c5e41';
    const cid = `3f5e8c1d${'a'.repeat(56)}`;
    expect(shortenCgroupPath(`/kubepods/burstable/pod${uid}/${cid}`, 40)).toBe('…/burstable/pod0f3c1a2b…/3f5e8c1d…');
    expect(
      shortenCgroupPath(
        `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${uid.replace(/-/g, '_')}.slice/cri-containerd-${cid}.scope`,
        40,
      ),
    ).toBe('…/pod0f3c1a2b…/3f5e8c1d…');
    expect(shortenCgroupPath('/system.slice/app.service', 40)).toBe('/system.slice/app.service');
  });
});
