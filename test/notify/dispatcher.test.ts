import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { backoffMs } from '../../src/notify/backoff.js';
import { createDispatcher } from '../../src/notify/dispatcher.js';
import type { OutboundMessage } from '../../src/notify/message.js';
import type { Notifier } from '../../src/notify/notifier.js';
import { delivered, failed, type SendOutcome } from '../../src/notify/outcome.js';
import { enqueueNotifications, listChannelHealth } from '../../src/store/outbox-repo.js';
import { alertView, draft, resolvedChannels, tempStore } from './factories.js';
import { T0 } from './fixed-instant.js';
import { createStore } from '../../src/store/store.js';

/** A sender that records messages and answers from a script (default: delivered). */
function scriptedNotifier(channel: string, script: (SendOutcome | 'throw')[] = []): Notifier & { sent: OutboundMessage[] } {
  const sent: OutboundMessage[] = [];
  return {
    channel,
    sent,
    async send(msg) {
      sent.push(structuredClone(msg));
      const next = script.shift() ?? delivered;
      if (next === 'throw') throw new Error('sender bug');
      return next;
    },
  };
}

describe('dispatcher (manual clock)', () => {
  let store: ReturnType<typeof tempStore>;
  afterEach(() => store?.cleanup());

  function setup(raw: Record<string, unknown> = {}, script: (SendOutcome | 'throw')[] = [], random = () => 0.5) {
    store = tempStore();
    const clock = manualClock(T0);
    const channels = resolvedChannels({ ops: { type: 'console', ...raw } });
    const notifier = scriptedNotifier('ops', script);
    const events: string[] = [];
    const d = createDispatcher({
      store: createStore(store.db),
      log: silentLogger(),
      clock,
      channels,
      random,
      notifiers: { ops: notifier },
      onChannelBroken: (c, e) => events.push(`broken ${c}: ${e.message}`),
      onChannelRecovered: (c) => events.push(`recovered ${c}`),
    });
    return { d, clock, notifier, events };
  }

  it('coalesces a storm into one digest and logs every notification it carries', async () => {
    const { d, notifier } = setup();
    enqueueNotifications(
      store.db,
      Array.from({ length: 12 }, (_, i) => draft(T0, { dedupKey: `k${i}`, alerts: [alertView(T0, { fingerprint: `f${i}` })] })),
    );
    expect(d.queueDepth()).toEqual({ ops: 12 });
    await d.drainOnce();
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]).toMatchObject({ kind: 'digest', notificationCount: 12 });
    expect(notifier.sent[0].alerts.map((a) => a.fingerprint)).toEqual(Array.from({ length: 12 }, (_, i) => `f${i}`));
    expect(store.db.prepare('SELECT COUNT(*) AS n, MIN(digest_size) AS size FROM notify_log').get()).toEqual({ n: 12, size: 12 });
    expect(d.queueDepth()).toEqual({ ops: 0 });
  });

  it('sends up to digestAbove notifications one by one', async () => {
    const { d, notifier } = setup({ digestAbove: 5 });
    enqueueNotifications(
      store.db,
      Array.from({ length: 5 }, (_, i) => draft(T0, { dedupKey: `k${i}` })),
    );
    await d.drainOnce();
    expect(notifier.sent.map((m) => m.kind)).toEqual(['alerts', 'alerts', 'alerts', 'alerts', 'alerts']);
  });

  it('rate-limits a channel to one message per minInterval', async () => {
    const { d, clock, notifier } = setup({ minInterval: '1s' });
    enqueueNotifications(store.db, [draft(T0, { dedupKey: 'a' }), draft(T0, { dedupKey: 'b' })]);
    await d.drainOnce();
    await d.drainOnce();
    expect(notifier.sent).toHaveLength(1);
    clock.advance(999);
    await d.drainOnce();
    expect(notifier.sent).toHaveLength(1);
    clock.advance(1);
    await d.drainOnce();
    expect(notifier.sent).toHaveLength(2);
  });

  it('never re-sends a notification the log records as sent', async () => {
    const { d, notifier } = setup();
    const k1 = draft(T0, { dedupKey: 'k1' });
    enqueueNotifications(store.db, [k1]);
    await d.drainOnce();
    enqueueNotifications(store.db, [k1]); // a re-enqueue after a crash: ignored by the unique key
    store.db.prepare(`UPDATE outbox SET status = 'pending'`).run(); // a restored backup: row pending, log says sent
    await d.drainOnce();
    expect(notifier.sent).toHaveLength(1);
    expect(store.db.prepare('SELECT status, last_error FROM outbox').all()).toEqual([
      { status: 'sent', last_error: 'already in the notification log; not sent again' },
    ]);
  });

  it('retries with exponential backoff and jitter, holding the channel meanwhile', async () => {
    const err = failed('ops', true, 'server said 500');
    const { d, clock, notifier } = setup({ retry: { initialBackoff: '1s', maxBackoff: '1m' } }, [err, err], () => 0);
    enqueueNotifications(store.db, [draft(T0, { dedupKey: 'a' })]);
    await d.drainOnce(); // attempt 1 fails: wait 1s × 2^0, jitter 0 → 500 ms
    enqueueNotifications(store.db, [draft(T0, { dedupKey: 'b', createdAtMs: T0 + 1 })]);
    clock.advance(499);
    await d.drainOnce();
    expect(notifier.sent).toHaveLength(1); // b does not overtake a
    clock.advance(1);
    await d.drainOnce(); // attempt 2 fails: 2 s step → 1000 ms
    expect(notifier.sent).toHaveLength(2);
    clock.advance(999);
    await d.drainOnce();
    expect(notifier.sent).toHaveLength(2);
    clock.advance(1);
    await d.drainOnce(); // delivers a, then b
    expect(notifier.sent).toHaveLength(4);
    expect(store.db.prepare('SELECT dedup_key, attempts FROM notify_log ORDER BY sent_at_ms, outbox_id').all()).toEqual([
      { dedup_key: 'a', attempts: 3 },
      { dedup_key: 'b', attempts: 1 },
    ]);
  });

  it('honours retryAfterMs over its own backoff', async () => {
    const { d, clock, notifier } = setup({}, [failed('ops', true, 'rate limited', { retryAfterMs: 30_000 })]);
    enqueueNotifications(store.db, [draft(T0, { dedupKey: 'a' })]);
    await d.drainOnce();
    clock.advance(29_999);
    await d.drainOnce();
    expect(notifier.sent).toHaveLength(1);
    clock.advance(1);
    await d.drainOnce();
    expect(notifier.sent).toHaveLength(2);
  });

  it('a permanent failure marks the channel broken once; a later success recovers it', async () => {
    const perm = failed('ops', false, 'Slack answered 404 no_service: revoked');
    const { d, clock, notifier, events } = setup({ retry: { maxBackoff: '5m' } }, [perm, perm]);
    enqueueNotifications(store.db, [draft(T0, { dedupKey: 'a' })]);
    await d.drainOnce();
    clock.advance(300_000);
    await d.drainOnce();
    expect(events).toEqual(['broken ops: Slack answered 404 no_service: revoked']);
    expect(listChannelHealth(store.db)[0]).toMatchObject({ state: 'broken', pending: 1, brokenSinceMs: T0 });
    clock.advance(300_000);
    await d.drainOnce();
    expect(notifier.sent).toHaveLength(3);
    expect(events).toEqual(['broken ops: Slack answered 404 no_service: revoked', 'recovered ops']);
    expect(listChannelHealth(store.db)[0]).toMatchObject({ state: 'ok', pending: 0, brokenSinceMs: null });
  });

  it('a sender that throws is treated as a retryable failure', async () => {
    const { d, clock, notifier } = setup({}, ['throw']);
    enqueueNotifications(store.db, [draft(T0, { dedupKey: 'a' })]);
    await d.drainOnce();
    expect(listChannelHealth(store.db)[0]).toMatchObject({
      state: 'failing',
      lastError: 'unexpected error in the console sender: sender bug',
    });
    clock.advance(60_000);
    await d.drainOnce();
    expect(notifier.sent).toHaveLength(2);
    expect(d.queueDepth()).toEqual({ ops: 0 });
  });

  it('cuts off a sender that never returns (timeout × 4 + 1 s) and retries later', async () => {
    store = tempStore();
    const clock = manualClock(T0);
    const never: Notifier = { channel: 'ops', send: () => new Promise<SendOutcome>(() => undefined) };
    const d = createDispatcher({
      store: createStore(store.db),
      log: silentLogger(),
      clock,
      channels: resolvedChannels({ ops: { type: 'console', timeout: '100ms' } }),
      notifiers: { ops: never },
    });
    enqueueNotifications(store.db, [draft(T0, { dedupKey: 'a' })]);
    const t0 = performance.now(); // elapsed real time of the backstop timer, not a date
    await d.drainOnce();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(1_390);
    expect(listChannelHealth(store.db)[0]).toMatchObject({
      state: 'failing',
      pending: 1,
      lastError: "the console sender did not finish within 1400 ms; it will be retried. Check the server, or raise the channel's timeout.",
    });
  });

  it('with sendResolved: false, drops resolutions but still sends firing alerts', async () => {
    const { d, notifier } = setup({ sendResolved: false });
    enqueueNotifications(store.db, [
      draft(T0, { dedupKey: 'r', alerts: [alertView(T0, { state: 'resolved', resolution: 'cleared' })] }),
      draft(T0, { dedupKey: 'f', alerts: [alertView(T0, { fingerprint: 'x' }), alertView(T0, { fingerprint: 'y', state: 'resolved' })] }),
    ]);
    await d.drainOnce();
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0].alerts.map((a) => a.fingerprint)).toEqual(['x']);
    expect(d.queueDepth()).toEqual({ ops: 0 });
    expect(store.db.prepare("SELECT dedup_key, last_error FROM outbox WHERE dedup_key = 'r'").get()).toEqual({
      dedup_key: 'r',
      last_error: 'not sent: only resolutions, and the channel has sendResolved: false',
    });
    expect(listChannelHealth(store.db)[0]).toMatchObject({ sentTotal: 1 });
  });

  it('expires notifications still undelivered after giveUpAfter, keeping them as a record', async () => {
    const err = failed('ops', true, 'down');
    const { d, clock, notifier } = setup({ retry: { giveUpAfter: '1h', maxBackoff: '10m' } }, Array(20).fill(err));
    enqueueNotifications(store.db, [draft(T0, { dedupKey: 'a' })]);
    for (let i = 0; i < 8; i++) {
      await d.drainOnce();
      clock.advance(600_000);
    }
    expect(d.queueDepth()).toEqual({ ops: 0 });
    expect(store.db.prepare('SELECT status FROM outbox').get()).toEqual({ status: 'expired' });
    expect(notifier.sent.length).toBeLessThan(8);
  });

  it('backoffMs doubles up to maxBackoff with equal jitter', () => {
    const p = { initialBackoff: 1000, maxBackoff: 10_000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(n, p, () => 1))).toEqual([1000, 2000, 4000, 8000, 10_000]);
    expect(backoffMs(3, p, () => 0)).toBe(2000);
  });
});
