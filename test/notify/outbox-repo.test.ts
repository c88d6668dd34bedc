import { afterEach, describe, expect, it } from 'vitest';
import { pruneHistory } from '../../src/store/prune.js';
import { createOutboxRepo, enqueueNotifications, listChannelHealth, OUTBOX_PRUNABLE } from '../../src/store/outbox-repo.js';
import { draft, tempStore } from './factories.js';
import { T0 } from './fixed-instant.js';

describe('outbox repository', () => {
  let store: ReturnType<typeof tempStore>;
  afterEach(() => store?.cleanup());

  it('enqueues drafts inside the caller transaction and ignores a re-enqueued dedupKey', () => {
    store = tempStore();
    const a = draft(T0, { dedupKey: 'k1' });
    store.db.transaction(() => enqueueNotifications(store.db, [a, draft(T0, { dedupKey: 'k2' })]))();
    store.db.transaction(() => enqueueNotifications(store.db, [a]))();
    const repo = createOutboxRepo(store.db);
    const rows = repo.due('ops', T0, 10);
    expect(rows.map((r) => r.dedupKey)).toEqual(['k1', 'k2']);
    expect(rows[0].draft).toEqual(a);
  });

  it('the same dedupKey on two channels is two notifications', () => {
    store = tempStore();
    enqueueNotifications(store.db, [draft(T0, { dedupKey: 'k', channel: 'a' }), draft(T0, { dedupKey: 'k', channel: 'b' })]);
    expect(createOutboxRepo(store.db).pendingCounts()).toEqual({ a: 1, b: 1 });
  });

  it('rolls back with the caller transaction', () => {
    store = tempStore();
    expect(() =>
      store.db.transaction(() => {
        enqueueNotifications(store.db, [draft(T0, { dedupKey: 'k1' })]);
        throw new Error('alert state write failed');
      })(),
    ).toThrow('alert state write failed');
    expect(createOutboxRepo(store.db).pendingCounts()).toEqual({});
  });

  it('logs sends, records failures, and reports channel health', () => {
    store = tempStore();
    enqueueNotifications(store.db, [
      draft(T0, { dedupKey: 'k1' }),
      draft(T0, { dedupKey: 'k2' }),
      draft(T0, { dedupKey: 'k3', channel: 'mail' }),
    ]);
    const repo = createOutboxRepo(store.db);
    const [r1, r2] = repo.due('ops', T0, 10);
    repo.markSent('ops', [r1.id], T0 + 5);
    expect(repo.isLogged('ops', 'k1')).toBe(true);
    expect(repo.isLogged('ops', 'k2')).toBe(false);
    repo.markRetry('ops', [r2.id], T0 + 6, T0 + 1006, 'Slack answered 500', 'failing');
    expect(repo.due('ops', T0 + 1000, 10)).toEqual([]);
    expect(repo.due('ops', T0 + 1006, 10).map((r) => [r.dedupKey, r.attempts])).toEqual([['k2', 1]]);
    const [m] = repo.due('mail', T0, 10);
    repo.markRetry('mail', [m.id], T0 + 7, T0 + 60_000, 'SMTP authentication refused', 'broken');
    const health = listChannelHealth(store.db, ['console', 'mail', 'ops']);
    expect(health.map((h) => [h.channel, h.state, h.pending, h.sentTotal, h.consecutiveFailures])).toEqual([
      ['console', 'ok', 0, 0, 0],
      ['mail', 'broken', 1, 0, 1],
      ['ops', 'failing', 1, 1, 1],
    ]);
    expect(health[1]).toMatchObject({ lastError: 'SMTP authentication refused', brokenSinceMs: T0 + 7 });
    repo.markRetry('mail', [m.id], T0 + 8, T0 + 60_000, 'SMTP answered 451', 'failing');
    expect(listChannelHealth(store.db).find((h) => h.channel === 'mail')).toMatchObject({
      state: 'broken',
      brokenSinceMs: T0 + 7,
      consecutiveFailures: 2,
    });
    repo.markSent('mail', [m.id], T0 + 9);
    expect(listChannelHealth(store.db).find((h) => h.channel === 'mail')).toMatchObject({
      state: 'ok',
      brokenSinceMs: null,
      consecutiveFailures: 0,
      lastOkMs: T0 + 9,
    });
  });

  it('expired rows stay in the outbox as a record and are no longer due', () => {
    store = tempStore();
    enqueueNotifications(store.db, [draft(T0, { dedupKey: 'k1' })]);
    const repo = createOutboxRepo(store.db);
    const [r] = repo.due('ops', T0, 10);
    repo.markExpired('ops', [r.id], T0 + 1, 'gave up after 24h');
    expect(repo.due('ops', T0 + 10_000_000, 10)).toEqual([]);
    expect(store.db.prepare('SELECT status, last_error FROM outbox WHERE id = ?').get(r.id)).toEqual({
      status: 'expired',
      last_error: 'gave up after 24h',
    });
  });

  it('prunes delivered and expired notifications with the history, never pending ones', async () => {
    store = tempStore();
    enqueueNotifications(store.db, [
      draft(T0, { dedupKey: 'sent' }),
      draft(T0, { dedupKey: 'expired' }),
      draft(T0, { dedupKey: 'pending' }),
    ]);
    const repo = createOutboxRepo(store.db);
    const [a, b] = repo.due('ops', T0, 10);
    repo.markSent('ops', [a.id], T0 + 1);
    repo.markExpired('ops', [b.id], T0 + 2, 'gave up');
    await pruneHistory(store.db, T0 + 100, 1000, OUTBOX_PRUNABLE, async () => undefined);
    expect(store.db.prepare('SELECT dedup_key, status FROM outbox').all()).toEqual([{ dedup_key: 'pending', status: 'pending' }]);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM notify_log').get()).toEqual({ n: 0 });
  });
});
