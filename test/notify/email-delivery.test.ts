import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { ResolvedChannelOf } from '../../src/notify/config.js';
import { silentLogger } from '../../src/log.js';
import { createEmailNotifier } from '../../src/notify/email.js';
import { messageFromDraft } from '../../src/notify/message.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { createDispatcher } from '../../src/notify/dispatcher.js';
import { enqueueNotifications } from '../../src/store/outbox-repo.js';
import { alertView, draft, resolvedChannels, tempStore } from './factories.js';
import { createStore } from '../../src/store/store.js';

const deps = { log: silentLogger(), clock: systemClock };

function emailChannel(port: number, extra: Record<string, unknown> = {}): ResolvedChannelOf<'email'> {
  return resolvedChannels({
    mail: { type: 'email', host: '127.0.0.1', port, from: 'oomwatch@web-1.example', to: ['oncall@example.com'], timeout: '2s', ...extra },
  })[0] as ResolvedChannelOf<'email'>;
}

describe('email delivery against a loopback SMTP server', () => {
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  it('sends an HTML part and a text part, with hostile names escaped', async () => {
    sink = await startSmtpSink();
    const hostile = '<img src=x onerror=alert(1)>';
    const a = alertView(systemClock.nowMs(), {
      summary: `${hostile} (pid 9) risk 950 ‰`,
      process: { pid: 9, startTimeTicks: 1, comm: hostile, cmdline: `${hostile} --x`, uid: 0, unit: null, cgroup: '/' },
    });
    const outcome = await createEmailNotifier(emailChannel(sink.port), deps).send(
      messageFromDraft(draft(systemClock.nowMs(), { channel: 'mail', alerts: [a] })),
    );
    expect(outcome).toEqual({ ok: true });
    const [mail] = await sink.waitFor(1);
    expect(mail.subject).toBe(`[oomwatch] [FIRING] warning process-risk-high on web-1: ${hostile} (pid 9) risk 950 ‰`);
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(mail.html).not.toContain('<img');
    expect(mail.text).toContain(`process: ${hostile} (pid 9)`);
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('oncall@example.com');
  });

  it('451 is a temporary refusal: retryable', async () => {
    sink = await startSmtpSink();
    sink.queue({ code: 451, message: 'Greylisted, try again later' });
    const outcome = await createEmailNotifier(emailChannel(sink.port), deps).send(messageFromDraft(draft(systemClock.nowMs())));
    expect(outcome).toMatchObject({ ok: false, retryable: true });
    expect(!outcome.ok && outcome.error.message).toBe(
      `SMTP server 127.0.0.1:${sink.port} answered 451 Greylisted, try again later: a temporary refusal (greylisting, rate limit, full queue); it will be retried with backoff.`,
    );
  });

  it('the dispatcher retries after 451 and delivers once', async () => {
    sink = await startSmtpSink();
    sink.queue({ code: 451, message: 'Greylisted' });
    const store = tempStore();
    try {
      const channels = resolvedChannels({
        mail: {
          type: 'email',
          host: '127.0.0.1',
          port: sink.port,
          from: 'a@b.example',
          to: ['c@d.example'],
          retry: { initialBackoff: '50ms' },
        },
      });
      const d = createDispatcher({ store: createStore(store.db), log: silentLogger(), clock: systemClock, channels, pollIntervalMs: 20 });
      enqueueNotifications(store.db, [draft(systemClock.nowMs(), { channel: 'mail', dedupKey: 'k1' })]);
      d.start();
      await sink.waitFor(1);
      await d.stop();
      expect(sink.attempts).toBe(2);
      expect(sink.mails).toHaveLength(1);
      expect(store.db.prepare('SELECT channel, dedup_key, attempts FROM notify_log').all()).toEqual([
        { channel: 'mail', dedup_key: 'k1', attempts: 2 },
      ]);
    } finally {
      store.cleanup();
    }
  });

  it('550 is permanent', async () => {
    sink = await startSmtpSink();
    sink.queue({ code: 550, message: 'Relaying denied' });
    const outcome = await createEmailNotifier(emailChannel(sink.port), deps).send(messageFromDraft(draft(systemClock.nowMs())));
    expect(outcome).toMatchObject({ ok: false, retryable: false });
    expect(!outcome.ok && outcome.error.message).toMatch(
      /^SMTP server 127\.0\.0\.1:\d+ answered 550 Relaying denied: it refused the message permanently: check from, to and the server's sending policy, then run oomwatch test-notify mail\.$/,
    );
  });

  it('a refused login is permanent and the password never appears in the message', async () => {
    sink = await startSmtpSink({ auth: { user: 'oomwatch', password: 'right-password' } });
    const ok = await createEmailNotifier(emailChannel(sink.port, { auth: { user: 'oomwatch', password: 'right-password' } }), deps).send(
      messageFromDraft(draft(systemClock.nowMs())),
    );
    expect(ok).toEqual({ ok: true });
    const outcome = await createEmailNotifier(emailChannel(sink.port, { auth: { user: 'oomwatch', password: 'wrong-Pa55' } }), deps).send(
      messageFromDraft(draft(systemClock.nowMs())),
    );
    expect(outcome).toMatchObject({ ok: false, retryable: false });
    const msg = !outcome.ok ? outcome.error.message : '';
    expect(msg).toMatch(
      /^SMTP server 127\.0\.0\.1:\d+ refused the login \(535 Invalid username or password\): check auth\.user and auth\.password/,
    );
    expect(msg).not.toContain('wrong-Pa55');
  });

  it('a server that never greets hits the greeting timeout: retryable', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((sock) => void sockets.push(sock)); // accepts the connection, never says 220
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const port = (silent.address() as AddressInfo).port;
    try {
      const t0 = Date.now();
      const outcome = await createEmailNotifier(emailChannel(port, { timeout: '300ms' }), deps).send(
        messageFromDraft(draft(systemClock.nowMs())),
      );
      expect(Date.now() - t0).toBeLessThan(3_000);
      expect(outcome).toMatchObject({ ok: false, retryable: true });
      expect(!outcome.ok && outcome.error.message).toBe(
        `SMTP server 127.0.0.1:${port}: no answer from 127.0.0.1:${port} within 300 ms (timeout). The server or a proxy is hanging; it will be retried. Raise the channel's timeout if the server is just slow.`,
      );
    } finally {
      for (const sock of sockets) sock.destroy();
      silent.close();
    }
  });

  it('connection refused is retryable and says what to check', async () => {
    sink = await startSmtpSink();
    const port = sink.port;
    await sink.close();
    sink = undefined;
    const outcome = await createEmailNotifier(emailChannel(port), deps).send(messageFromDraft(draft(systemClock.nowMs())));
    expect(outcome).toMatchObject({ ok: false, retryable: true });
    expect(!outcome.ok && outcome.error.message).toBe(
      `SMTP: connection refused by 127.0.0.1:${port}: nothing listens there. Check the host and port in the channel's settings, and that the service runs.`,
    );
  });
});
