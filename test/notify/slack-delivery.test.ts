import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { NotifyError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { createDispatcher, type Dispatcher } from '../../src/notify/dispatcher.js';
import { messageFromDraft } from '../../src/notify/message.js';
import { createSlackNotifier } from '../../src/notify/slack.js';
import { enqueueNotifications, listChannelHealth } from '../../src/store/outbox-repo.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { draft, resolvedChannels, tempStore } from './factories.js';
import { createStore } from '../../src/store/store.js';

describe('Slack delivery against a loopback webhook', () => {
  let sink: HttpSink;
  let store: ReturnType<typeof tempStore>;
  let dispatcher: Dispatcher | undefined;
  afterEach(async () => {
    await dispatcher?.stop();
    dispatcher = undefined;
    await sink?.close();
    store?.cleanup();
  });

  async function setup(extra: Record<string, unknown> = {}, fallback?: Parameters<typeof startHttpSink>[0]) {
    sink = await startHttpSink(fallback);
    store = tempStore();
    const broken: [string, NotifyError][] = [];
    const channels = resolvedChannels(
      { ops: { type: 'slack', webhookUrl: { env: 'SLACK_URL' }, retry: { initialBackoff: '100ms', maxBackoff: '2s' }, ...extra } },
      { SLACK_URL: sink.url },
    );
    dispatcher = createDispatcher({
      store: createStore(store.db),
      log: silentLogger(),
      clock: systemClock,
      channels,
      random: () => 1,
      pollIntervalMs: 20,
      onChannelBroken: (c, e) => broken.push([c, e]),
    });
    return { broken, channels };
  }

  it('posts Block Kit JSON to the webhook path and logs the send', async () => {
    await setup();
    enqueueNotifications(store.db, [draft(systemClock.nowMs(), { dedupKey: 'k1' })]);
    await dispatcher!.drainOnce();
    expect(sink.requests).toHaveLength(1);
    const req = sink.requests[0];
    expect(req).toMatchObject({ method: 'POST', path: '/services/T000/B000/secretpart' });
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body).toMatchObject({
      text: expect.stringContaining('[FIRING] warning process-risk-high on web-1'),
      blocks: expect.any(Array),
    });
    expect(req.body).not.toHaveProperty('link_names');
    expect(dispatcher!.queueDepth()).toEqual({ ops: 0 });
    expect(listChannelHealth(store.db)[0]).toMatchObject({ channel: 'ops', state: 'ok', sentTotal: 1 });
  });

  it('coalesces a storm of 40 notifications into one Slack digest within the block limit', async () => {
    await setup();
    enqueueNotifications(
      store.db,
      Array.from({ length: 40 }, (_, i) => draft(systemClock.nowMs(), { dedupKey: `k${i}` })),
    );
    await dispatcher!.drainOnce();
    await dispatcher!.drainOnce();
    expect(sink.requests).toHaveLength(1);
    const body = sink.requests[0].body as { text: string; blocks: unknown[] };
    expect(body.text).toBe('oomwatch digest: 40 notifications (40 firing) on web-1');
    expect(body.blocks.length).toBeLessThanOrEqual(50);
    expect(dispatcher!.queueDepth()).toEqual({ ops: 0 });
  });

  it('honours 429 Retry-After before retrying', async () => {
    await setup();
    sink.queue({ status: 429, body: 'rate_limited', headers: { 'retry-after': '2' } });
    enqueueNotifications(store.db, [draft(systemClock.nowMs(), { dedupKey: 'k1' })]);
    dispatcher!.start();
    await sink.waitFor(2, 5_000);
    const gapMs = sink.requests[1].atMs - sink.requests[0].atMs;
    // Own backoff would be 100 ms and the rate limit 1 s: only Retry-After explains 2 s.
    expect(gapMs).toBeGreaterThanOrEqual(1_990);
    expect(gapMs).toBeLessThan(6_000);
    await waitUntil(() => dispatcher!.queueDepth().ops === 0);
    expect(store.db.prepare('SELECT attempts FROM notify_log').get()).toEqual({ attempts: 2 });
  });

  it('retries 500 with exponential backoff, then delivers', async () => {
    await setup({ minInterval: '0s' }); // so the gaps are the backoff alone
    sink.queue({ status: 500, body: 'rollup_error' }, { status: 500, body: 'rollup_error' });
    enqueueNotifications(store.db, [draft(systemClock.nowMs(), { dedupKey: 'k1' })]);
    dispatcher!.start();
    await sink.waitFor(3, 5_000);
    const [a, b, c] = sink.requests.map((r) => r.atMs);
    expect(b - a).toBeGreaterThanOrEqual(95); // 100 ms × 2^0 (random() = 1: the full step)
    expect(c - b).toBeGreaterThanOrEqual(195); // 100 ms × 2^1
    await waitUntil(() => dispatcher!.queueDepth().ops === 0);
    expect(listChannelHealth(store.db)[0]).toMatchObject({
      state: 'ok',
      consecutiveFailures: 0,
      lastError: expect.stringContaining('Slack answered 500 rollup_error'),
    });
  });

  it('404 no_service marks the channel broken, keeps the notification, and calls onChannelBroken once', async () => {
    const { broken } = await setup({}, { status: 404, body: 'no_service' });
    enqueueNotifications(store.db, [draft(systemClock.nowMs(), { dedupKey: 'k1' }), draft(systemClock.nowMs(), { dedupKey: 'k2' })]);
    await dispatcher!.drainOnce();
    await dispatcher!.drainOnce();
    expect(sink.requests).toHaveLength(1); // the channel is held for retry.maxBackoff, not hammered
    expect(broken).toHaveLength(1);
    expect(broken[0][0]).toBe('ops');
    expect(broken[0][1].message).toBe(
      'Slack answered 404 no_service: the webhook was revoked or never existed. Create a new incoming webhook (Slack app → Incoming Webhooks) and put its URL in webhookUrl.',
    );
    expect(broken[0][1].message).not.toContain('secretpart');
    expect(listChannelHealth(store.db)[0]).toMatchObject({ channel: 'ops', state: 'broken', pending: 2 });
  });

  it('408 (the server timed out waiting for the request) is retried, as on every HTTP channel, not taken as a broken webhook', async () => {
    sink = await startHttpSink({ status: 408, body: 'request_timeout' });
    const notifier = createSlackNotifier(resolvedChannels({ ops: { type: 'slack', webhookUrl: sink.url } })[0] as never, {
      log: silentLogger(),
      clock: systemClock,
    });
    const outcome = await notifier.send(messageFromDraft(draft(systemClock.nowMs())));
    expect(sink.requests).toHaveLength(1);
    expect(outcome).toMatchObject({ ok: false, retryable: true });
    expect(!outcome.ok && outcome.error.message).toBe(
      'Slack answered 408 request_timeout: a Slack-side error; it will be retried with backoff.',
    );
  });

  it('a hanging webhook hits the timeout and is classified retryable', async () => {
    await setup({ timeout: '300ms' });
    const notifier = createSlackNotifier(resolvedChannels({ ops: { type: 'slack', webhookUrl: sink.url, timeout: '300ms' } })[0] as never, {
      log: silentLogger(),
      clock: systemClock,
    });
    sink.queue({ hang: true });
    const t0 = Date.now();
    const outcome = await notifier.send(messageFromDraft(draft(systemClock.nowMs())));
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(outcome).toMatchObject({ ok: false, retryable: true });
    expect(!outcome.ok && outcome.error.message).toBe(
      'Slack webhook: no answer from ' +
        new URL(sink.url).host +
        " within 300 ms (timeout). The server or a proxy is hanging; it will be retried. Raise the channel's timeout if the server is just slow.",
    );
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
