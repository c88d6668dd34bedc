import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { validateConfig } from '../../src/config/validate.js';
import type { IncidentView } from '../../src/model/incident.js';
import { createKernelModule } from '../../src/kernel/agent-module.js';
import { silentLogger } from '../../src/log.js';
import { openDatabase } from '../../src/store/db.js';
import { BOOT, snapshot } from '../helpers/snapshots.js';
import { makeTempDir } from '../helpers/tmp.js';
import { readFixture } from './fixtures.js';
import { ProcFs } from '../../src/sample/procfs.js';
import { createStore } from '../../src/store/store.js';

const t = makeTempDir();
afterAll(() => t.cleanup());

function context(enabled: boolean) {
  const kmsgPath = join(t.dir, `kmsg-${enabled}`);
  writeFileSync(kmsgPath, '');
  const res = validateConfig({ kernel: { enabled, kmsgPath } });
  if (!res.ok) throw new Error(res.errors.join('; '));
  const db = openDatabase(join(t.dir, `db-${enabled}.db`));
  return {
    kmsgPath,
    db,
    ctx: {
      config: res.config,
      store: createStore(db),
      log: silentLogger(),
      clock: systemClock,
      facts: { bootId: BOOT, hostname: 'h', kernelRelease: '6.8.0', pageSizeBytes: 4096 },
      procfs: new ProcFs('/proc'),
      selfProc: new ProcFs('/proc'),
    },
  };
}

describe('createKernelModule', () => {
  it('follows the configured kmsg path and reports incidents', async () => {
    const { kmsgPath, db, ctx } = context(true);
    const seen: IncidentView[] = [];
    const m = createKernelModule(ctx, { onIncident: (i) => seen.push(i) });
    await m.start!();
    expect(m.watcher.status().readable).toBe(true);
    appendFileSync(kmsgPath, readFixture('6.18.44-memcg-kmsg-3.txt'));
    const t0 = Date.now();
    while (seen.length === 0 && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    expect(seen.map((i) => i.victim?.pid)).toEqual([25443]);
    const snap = snapshot(1000, []);
    await m.onTick!({ snapshot: snap, previous: null, tickId: 1, fresh: true, nowMs: 1000, durationMs: 1, missedTicks: 0 });
    await m.stop!();
    db.close();
  });

  it('with kernel.enabled false does not open the log but still runs the counters', async () => {
    const { db, ctx } = context(false);
    const seen: IncidentView[] = [];
    const m = createKernelModule(ctx, { onIncident: (i) => seen.push(i) });
    await m.start!();
    expect(m.watcher.status()).toEqual({ readable: false });
    const s = (ms: number, n: number) => ({ ...snapshot(ms, []), vmstatOomKill: n });
    const tick = (prev: ReturnType<typeof s> | null, cur: ReturnType<typeof s>) =>
      m.onTick!({ snapshot: cur, previous: prev, tickId: 1, fresh: true, nowMs: cur.takenAtMs, durationMs: 1, missedTicks: 0 });
    await tick(null, s(1000, 0));
    await tick(s(1000, 0), s(2000, 1));
    await tick(s(2000, 1), s(3000, 1));
    expect(seen).toMatchObject([{ source: 'counter', noKernelReport: true, constraint: null, windowStartMs: 1000, timeMs: 2000 }]);
    await m.stop!();
    db.close();
  });
});
