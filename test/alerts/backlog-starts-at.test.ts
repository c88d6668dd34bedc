/**
 * A kill already in the ring buffer when the agent starts (the operator installs oomwatch in the middle
 * of an incident): the kernel watcher reads it from the backlog and the alerts module pages it. The
 * alert starts at the kill, not at the agent's start. Real clock throughout.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { IncidentView } from '../../src/model/incident.js';
import { createKernelWatcher } from '../../src/kernel/watcher.js';
import { silentLogger } from '../../src/log.js';
import type { NotificationDraft } from '../../src/model/notification.js';
import { createAlertsModule } from '../../src/alerts/module.js';
import { openDatabase } from '../../src/store/db.js';
import { readFixture } from '../kernel/fixtures.js';
import { makeTempDir } from '../helpers/tmp.js';
import { alertsContext, BOOT } from '../rules/world.js';
import { createStore } from '../../src/store/store.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a kill from the ring buffer backlog at start', () => {
  it("is paged with the kill's time as startsAt", async () => {
    const t = makeTempDir();
    cleanups.push(() => t.cleanup());
    const db = openDatabase(join(t.dir, 'oomwatch.db'));
    cleanups.push(() => void db.close());
    // The 6.18 capture, re-based so its kill line was logged 90 s before the agent starts.
    const killUs = systemClock.monotonicMs() * 1000 - 90_000_000;
    const records = readFixture('6.18.44-memcg-kmsg-3.txt')
      .trimEnd()
      .split('\n')
      .map((l) => l.replace(/^(\d+),(\d+),(\d+),/, (_m, p, s, ts) => `${p},${s},${Number(ts) - 917197581 + killUs},`));
    const kmsgPath = join(t.dir, 'kmsg');
    writeFileSync(kmsgPath, `${records.join('\n')}\n`);

    const startedMs = Date.now();
    const alerts = createAlertsModule(alertsContext(db, systemClock, [{ id: 'kill', kind: 'oom-kill' }]));
    const seen: IncidentView[] = [];
    // As in the agent: the kernel watcher starts first and hands its backlog over.
    const w = createKernelWatcher({
      store: createStore(db),
      log: silentLogger(),
      clock: systemClock,
      kmsgPath,
      bootId: BOOT,
      hostname: 'db1',
      pollIntervalMs: 20,
      suspendedMs: () => 0,
      onIncident: (i) => {
        seen.push(i);
        alerts.onIncident(i);
      },
    });
    w.start();
    cleanups.push(() => w.stop());
    alerts.start?.();
    const t0 = Date.now();
    while (seen.length === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toHaveLength(1);
    const killMs = seen[0].timeMs!;
    expect(startedMs - killMs).toBeGreaterThan(85_000);

    const drafts = (db.prepare('SELECT payload_json FROM outbox ORDER BY id').all() as { payload_json: string }[]).map(
      (r) => JSON.parse(r.payload_json) as NotificationDraft,
    );
    const kill = drafts.flatMap((d) => d.alerts).find((a) => a.incidentId === seen[0].id);
    expect(kill).toBeDefined();
    expect(kill!.startsAtMs).toBe(killMs);
    expect(
      alerts
        .engine()
        .firingAlerts()
        .map((a) => a.startsAtMs),
    ).toEqual([killMs]);
  });
});
