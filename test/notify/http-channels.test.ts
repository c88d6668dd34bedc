import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import type { ResolvedChannelOf } from '../../src/notify/config.js';
import { silentLogger } from '../../src/log.js';
import { createAlertmanagerNotifier } from '../../src/notify/alertmanager.js';
import { createConsoleNotifier } from '../../src/notify/console.js';
import { createDispatcher } from '../../src/notify/dispatcher.js';
import { messageFromDraft, testMessage } from '../../src/notify/message.js';
import { parseRetryAfterMs, scrubSecrets } from '../../src/notify/outcome.js';
import { createWebhookNotifier } from '../../src/notify/webhook.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { alertView, draft, resolvedChannels, tempStore } from './factories.js';
import { T0 } from './fixed-instant.js';
import { createStore } from '../../src/store/store.js';

describe('webhook, Alertmanager and console channels', () => {
  let sink: HttpSink;
  afterEach(async () => sink?.close());

  it('webhook: POSTs the JSON body with the configured secret headers; 401 is permanent with a fix', async () => {
    sink = await startHttpSink();
    const cfg = resolvedChannels(
      { hook: { type: 'webhook', url: `${sink.origin}/in?token=abc`, headers: { Authorization: { env: 'HOOK_TOKEN' } } } },
      { HOOK_TOKEN: 'Bearer t0k' },
    )[0] as ResolvedChannelOf<'webhook'>;
    const n = createWebhookNotifier(cfg, { log: silentLogger(), clock: manualClock(T0) });
    expect(await n.send(messageFromDraft(draft(T0, { channel: 'hook' })))).toEqual({ ok: true });
    expect(sink.requests[0]).toMatchObject({
      method: 'POST',
      path: '/in?token=abc',
      headers: { authorization: 'Bearer t0k', 'content-type': 'application/json' },
    });
    expect(sink.requests[0].body).toMatchObject({
      version: 1,
      kind: 'alerts',
      channel: 'hook',
      notificationCount: 1,
      alerts: [{ fingerprint: 'fp-1', state: 'firing' }],
    });
    sink.queue({ status: 401, body: 'unauthorized' });
    const out = await n.send(messageFromDraft(draft(T0, { channel: 'hook' })));
    expect(out).toMatchObject({ ok: false, retryable: false });
    expect(!out.ok && out.error.message).toBe(
      `the webhook at ${new URL(sink.origin).host} answered 401 "unauthorized": the receiver wants credentials. Set them in the channel's headers (e.g. Authorization: {env: HOOK_TOKEN})`,
    );
    expect(!out.ok && out.error.message).not.toContain('token=abc');
  });

  it('a request that cannot be built (credentials in the URL, a bad header value, a blocked port) is permanent, and its message holds no secret', async () => {
    const cases: [string, Record<string, unknown>, Record<string, string>, RegExp][] = [
      ['creds', { url: 'https://ops:HUNTER2PW@127.0.0.1:9443/hook/SECRETTOKEN' }, {}, /not in the URL/],
      [
        'header',
        { url: 'http://127.0.0.1:9443/in', headers: { Authorization: { env: 'HOOK_TOKEN' } } },
        { HOOK_TOKEN: 'Bearer TOPSECRET\nTOKEN' },
        /header value/,
      ],
      ['port', { url: 'http://127.0.0.1:6666/hook/SECRETTOKEN' }, {}, /another port/],
    ];
    for (const [name, extra, env, hint] of cases) {
      const cfg = resolvedChannels({ hook: { type: 'webhook', ...extra } }, env)[0] as ResolvedChannelOf<'webhook'>;
      const out = await createWebhookNotifier(cfg, { log: silentLogger(), clock: manualClock(T0) }).send(
        messageFromDraft(draft(T0, { channel: 'hook' })),
      );
      expect(out, name).toMatchObject({ ok: false, retryable: false });
      const message = !out.ok ? out.error.message : '';
      expect(message, name).toMatch(hint);
      expect(message, name).not.toMatch(/HUNTER2PW|SECRETTOKEN|TOPSECRET|ops:/);
      expect(JSON.stringify(!out.ok && out.error), name).not.toMatch(/HUNTER2PW|SECRETTOKEN|TOPSECRET/);
    }
  });

  it("scrubSecrets keeps a URL's host:port only and hides quoted values", () => {
    expect(scrubSecrets('failed for https://u:p@hooks.example.com:8443/services/T/B/XYZ?token=1 with "Bearer abc"')).toBe(
      'failed for hooks.example.com:8443 with "(hidden)"',
    );
    expect(scrubSecrets('Headers.append: "Digest username="bob",\n response="6629fae4"" is an invalid header value')).toBe(
      'Headers.append: "(hidden)" is an invalid header value',
    );
  });

  it('Alertmanager: posts /api/v2/alerts, tests with GET /api/v2/status, and re-posts firing alerts on resendInterval', async () => {
    sink = await startHttpSink({ status: 200, body: '' });
    const clock = manualClock(T0);
    const store = tempStore();
    try {
      const channels = resolvedChannels({ am: { type: 'alertmanager', url: `${sink.origin}/`, resendInterval: '1m' } });
      const n = createAlertmanagerNotifier(channels[0] as ResolvedChannelOf<'alertmanager'>, { log: silentLogger(), clock });
      expect(await n.send(testMessage('am', 'web-1', T0))).toEqual({ ok: true });
      expect(sink.requests[0]).toMatchObject({ method: 'GET', path: '/api/v2/status' });

      const d = createDispatcher({ store: createStore(store.db), log: silentLogger(), clock, channels });
      const firing = [alertView(T0), alertView(T0, { fingerprint: 'fp-2', state: 'resolved', resolution: 'cleared', endsAtMs: T0 })];
      await d.resendFiring(firing);
      await d.resendFiring(firing); // within resendInterval: nothing
      clock.advance(60_000);
      await d.resendFiring(firing);
      const posts = sink.requests.filter((r) => r.path === '/api/v2/alerts');
      expect(posts).toHaveLength(2);
      expect(posts[0].body).toEqual([
        expect.objectContaining({ labels: expect.objectContaining({ oomwatch_id: 'fp-1' }), endsAt: '2026-11-26T06:04:00.000Z' }),
      ]);
      expect((posts[1].body as { endsAt: string }[])[0].endsAt).toBe('2026-11-26T06:05:00.000Z');
      // re-posts follow the rules' routing: an alert routed elsewhere is not re-posted here
      clock.advance(60_000);
      await d.resendFiring(firing, () => ['console']);
      expect(sink.requests.filter((r) => r.path === '/api/v2/alerts')).toHaveLength(2);
      await d.resendFiring(firing, () => ['am']);
      expect(sink.requests.filter((r) => r.path === '/api/v2/alerts')).toHaveLength(3);
    } finally {
      store.cleanup();
    }
  });

  it('console: writes the human text through the injected writer', async () => {
    const written: string[] = [];
    const cfg = resolvedChannels({ c: { type: 'console' } })[0] as ResolvedChannelOf<'console'>;
    const n = createConsoleNotifier(cfg, { log: silentLogger(), clock: manualClock(T0), writeConsole: (t) => written.push(t) });
    await n.send(messageFromDraft(draft(T0, { alerts: [alertView(T0, { summary: 'evil\u001b[2J\u202e name' })] })));
    expect(written.join('')).toContain('FIRING [warning] evil\uFFFD[2J\uFFFD name');
    expect(written.join('')).not.toMatch(/\u001b|\u202e/);
  });

  it("parses Retry-After as seconds, as an HTTP date, or Slack's retry_after", () => {
    expect(parseRetryAfterMs('30', '', T0)).toBe(30_000);
    expect(parseRetryAfterMs(new Date(T0 + 5_000).toUTCString(), '', T0)).toBe(5_000);
    expect(parseRetryAfterMs(null, '{"ok":false,"error":"rate_limited","retry_after":2}', T0)).toBe(2_000);
    expect(parseRetryAfterMs(null, 'rate_limited', T0)).toBeUndefined();
  });
});
