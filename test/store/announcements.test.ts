/**
 * The two paths the agent's parts take through the store (src/agent/modules.ts): a recorded incident reaches
 * its listeners at once, and queued outbox rows wake delivery, on a real SQLite file. One fixed instant.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IncidentView } from '../../src/model/incident.js';
import { openStore, type Store } from '../../src/store/store.js';
import { makeTempDir } from '../helpers/tmp.js';
import { draft } from '../notify/factories.js';

const T0 = 1_800_000_000_000;

let tmp: ReturnType<typeof makeTempDir>;
let store: Store;
beforeEach(() => {
  tmp = makeTempDir('oomwatch-announce-');
  store = openStore(join(tmp.dir, 'oomwatch.db'));
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const counterKill = (windowEndMs: number) => ({
  hostname: 'web-1',
  bootId: 'boot-1',
  bucket: '/app',
  cgroup: '/app',
  windowStartMs: windowEndMs - 5_000,
  windowEndMs,
  killCount: 1,
  vanished: [],
});

describe('the store announces', () => {
  it('each recorded incident once, as stored, and nothing after unsubscribing', () => {
    const seen: IncidentView[] = [];
    const unsubscribe = store.onIncidentRecorded((v) => seen.push(v));
    const first = store.incidents.insertCounterIncident(counterKill(T0), T0);
    expect(store.incidents.insertCounterIncident(counterKill(T0), T0 + 1).inserted).toBe(false); // the same kill again
    expect(seen).toEqual([store.incidents.get(first.id)]);
    expect(seen[0]).toMatchObject({ id: first.id, constraint: 'memcg', oomMemcg: '/app', noKernelReport: true });
    unsubscribe();
    store.incidents.insertCounterIncident(counterKill(T0 + 60_000), T0 + 60_000);
    expect(seen).toHaveLength(1);
  });

  it('queued notifications and a queued daily report, but not an empty batch or a period sent already', () => {
    let wakes = 0;
    store.outbox.onEnqueued(() => wakes++);
    store.transaction(() => store.outbox.enqueue([draft(T0, { dedupKey: 'a' })]));
    store.outbox.enqueue([]);
    expect(wakes).toBe(1);
    const period = { kind: 'daily', periodStartMs: T0, periodEndMs: T0 + 86_400_000, enqueuedAtMs: T0, dedupKey: 'report|daily|web-1|1' };
    expect(store.reportPeriods.enqueueReport(period, [draft(T0, { kind: 'report', dedupKey: period.dedupKey })])).toBe(true);
    expect(store.reportPeriods.enqueueReport(period, [draft(T0, { kind: 'report', dedupKey: period.dedupKey })])).toBe(false);
    expect(wakes).toBe(2);
    expect(store.outbox.delivery.pendingCounts()).toEqual({ ops: 2 });
  });
});
