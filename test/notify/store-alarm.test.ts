/**
 * The store alarm with a real dispatcher, a real SQLite file and a loopback webhook server. The database
 * fault itself is the tick's `storeProblem` here; test/agent/store-full.test.ts fills a real disk.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TickContext } from '../../src/agent/module.js';
import { systemClock } from '../../src/clock.js';
import { validateConfig } from '../../src/config/validate.js';
import { silentLogger } from '../../src/log.js';
import { resolveChannels } from '../../src/notify/channels.js';
import { createDispatcher, type Dispatcher } from '../../src/notify/dispatcher.js';
import { createStoreAlarmModule } from '../../src/notify/store-alarm.js';
import { createAlertEngine } from '../../src/alerts/engine.js';
import { snapshot } from '../helpers/snapshots.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { tempStore } from './factories.js';
import { createStore } from '../../src/store/store.js';

const FIX =
  'Cannot write to the database /x.db: database or disk is full. The disk holding the database is full. Free space or move store.path to a larger disk; nothing already recorded is lost.';

describe('store alarm', () => {
  let sink: HttpSink;
  let store: ReturnType<typeof tempStore>;
  let dispatcher: Dispatcher;
  afterEach(async () => {
    await dispatcher?.stop();
    await sink?.close();
    store?.cleanup();
  });

  function setup(maxQueued?: number) {
    const r = validateConfig({ channels: { ops: { type: 'webhook', url: sink.url, minInterval: '0s' } } });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const log = silentLogger();
    dispatcher = createDispatcher({
      store: createStore(store.db),
      log,
      clock: systemClock,
      channels: resolveChannels(r.config.channels, { env: {} }),
    });
    const engine = createAlertEngine({ store: createStore(store.db), log, config: r.config, hostname: 'web-1' });
    const alarm = createStoreAlarmModule({
      store: createStore(store.db),
      log,
      draftsFor: engine.storeFaultDrafts,
      dispatcher: () => dispatcher,
      maxQueued,
    });
    const tick = (storeProblem: string | null): TickContext => {
      const nowMs = systemClock.nowMs();
      return { snapshot: snapshot(nowMs, []), previous: null, tickId: -1, fresh: true, nowMs, durationMs: 1, missedTicks: 0, storeProblem };
    };
    return { alarm, tick };
  }
  const states = () => sink.requests.map((q) => (q.body as { alerts: { state: string }[] }).alerts[0].state);

  it('keeps what the channel refused while the database is unwritable, tries again at the next tick, and hands the end of the fault to the outbox', async () => {
    sink = await startHttpSink();
    store = tempStore();
    const { alarm, tick } = setup();
    sink.queue({ status: 500, body: 'down' });
    alarm.onTick!(tick(FIX));
    await alarm.idle();
    expect(sink.requests).toHaveLength(1);
    expect(alarm.queued()).toBe(1); // refused: kept in memory
    alarm.onTick!(tick(FIX));
    await alarm.idle();
    expect(states()).toEqual(['firing', 'firing']);
    expect(alarm.queued()).toBe(0);
    alarm.onTick!(tick(FIX)); // the same fault: told once
    await alarm.idle();
    expect(sink.requests).toHaveLength(2);

    // The database takes writes again: the end goes through the outbox (durable), not in memory.
    alarm.onTick!(tick(null));
    expect(alarm.queued()).toBe(0);
    const rows = store.db.prepare("SELECT dedup_key FROM outbox WHERE status = 'pending'").all() as { dedup_key: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0].dedup_key).toMatch(/\|store-fault@\d+\|resolved$/);
    await dispatcher.drainOnce();
    expect(states()).toEqual(['firing', 'firing', 'resolved']);
  });

  it('bounds its memory: the oldest undelivered notifications go first, and what is left reaches the outbox when the database is back', async () => {
    sink = await startHttpSink({ status: 500, body: 'down' });
    store = tempStore();
    const { alarm, tick } = setup(1);
    alarm.onTick!(tick(FIX));
    await alarm.idle();
    alarm.onTick!(tick(null)); // the end of the fault replaces the undelivered start (bound: 1)
    alarm.onTick!(tick(FIX)); // a new fault
    await alarm.idle();
    expect(alarm.queued()).toBe(1);
    alarm.onTick!(tick(null));
    const keys = (store.db.prepare('SELECT dedup_key FROM outbox ORDER BY id').all() as { dedup_key: string }[]).map((r) =>
      r.dedup_key.split('|').pop(),
    );
    expect(keys).toEqual(['resolved', 'resolved']);
    expect(alarm.queued()).toBe(0);
  });
});
