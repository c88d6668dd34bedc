/**
 * A real OOM kill: a memory cgroup with a 64 MiB limit, a process that grows past it, and the kernel
 * watcher reading the real /dev/kmsg into a real database. CI (CI=true, root) must run it: there a
 * missing capability is a failure. Elsewhere it is skipped with the reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { IncidentView } from '../../src/model/incident.js';
import { createKernelWatcher } from '../../src/kernel/watcher.js';
import { silentLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/db.js';
import { createIncidentsRepo } from '../../src/store/incidents-repo.js';
import {
  createOomCgroup,
  memoryCgroupSupport,
  oomKillCount,
  removeOomCgroup,
  runHogInCgroup,
  type OomCgroup,
} from '../helpers/oom-cgroup.js';
import { makeTempDir } from '../helpers/tmp.js';
import { createStore } from '../../src/store/store.js';

const support = memoryCgroupSupport();
const kmsgReadable = existsSync('/dev/kmsg');
const missing = !support.ok ? support.reason : !kmsgReadable ? '/dev/kmsg does not exist' : null;
const inCi = process.env.CI === 'true';
const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

describe('a real memory-cgroup OOM kill', () => {
  it.runIf(inCi && missing !== null)('CI must be able to run the real kill', () => {
    expect.fail(`CI=true but the real OOM kill cannot run: ${missing}`);
  });

  it.skipIf(missing !== null)(
    `is recorded by the watcher with the right victim, constraint and cgroup${missing ? ` (skipped: ${missing})` : ''}`,
    async () => {
      const db = openDatabase(join(tmp.dir, 'oomwatch.db'));
      const seen: IncidentView[] = [];
      const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      const watcher = createKernelWatcher({
        store: createStore(db),
        log: silentLogger(),
        clock: systemClock,
        kmsgPath: '/dev/kmsg',
        bootId,
        hostname: hostname(),
        onIncident: (i) => seen.push(i),
      });
      let cg: OomCgroup | null = null;
      try {
        watcher.start();
        expect(watcher.status()).toMatchObject({ readable: true });
        cg = createOomCgroup({ limitBytes: 64 * 1024 * 1024 });
        const hog = await runHogInCgroup(cg, { comm: 'oomwatch-hog' });
        const end = await hog.exited;
        expect(end.signal).toBe('SIGKILL');
        const t0 = Date.now();
        // Match on the cgroup too: the ring buffer's backlog may hold an older kill of a process that had this pid.
        const mine = (i: IncidentView) => i.victim?.pid === hog.pid && i.oomMemcg === cg!.cgroupPath;
        while (!seen.some(mine) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
        const inc = seen.find(mine);
        expect(inc, `no incident for pid ${hog.pid}; seen: ${JSON.stringify(seen.map((i) => i.victim?.pid))}`).toBeDefined();
        expect(inc).toMatchObject({
          source: 'kmsg',
          constraint: 'memcg',
          oomMemcg: cg.cgroupPath,
          bootId,
          victim: { pid: hog.pid, comm: 'oomwatch-hog', uid: 0 },
        });
        expect(inc!.victim!.anonRssBytes).toBeGreaterThan(30 * 1024 * 1024);
        expect(oomKillCount(cg)).toBe(1);
        // From the kernel's kill record to the committed row: under a second.
        const row = db.prepare('SELECT ts_ms, created_ms FROM incident WHERE id = ?').get(inc!.id) as { ts_ms: number; created_ms: number };
        expect(row.created_ms - row.ts_ms).toBeLessThan(1000);
        expect(
          createIncidentsRepo(db)
            .tasks(inc!.id!)
            .some((t) => t.pid === hog.pid),
        ).toBe(true);
      } finally {
        await watcher.stop();
        if (cg) await removeOomCgroup(cg);
        db.close();
      }
      expect(existsSync(cg!.dir)).toBe(false);
    },
  );
});
