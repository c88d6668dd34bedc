import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/util/secrets.js';
import { validateConfig } from '../../src/config/validate.js';
import { ConfigError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { resolveChannels } from '../../src/notify/channels.js';

const SECRET_URL = 'https://hooks.slack.com/services/T0/B0/very-secret-token';

function errorsOf(channels: unknown): string[] {
  const r = validateConfig({ channels });
  return r.ok ? [] : r.errors;
}

describe('channels config', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('defaults to one console channel', () => {
    const r = validateConfig({});
    expect(r.ok && r.config.channels).toEqual({
      console: {
        type: 'console',
        sendResolved: true,
        timeout: 10_000,
        minInterval: 0,
        retry: { initialBackoff: 1000, maxBackoff: 300_000, giveUpAfter: 86_400_000 },
        digestAbove: 5,
      },
    });
  });

  it('gives Slack one message per second and email STARTTLS defaults', () => {
    const r = validateConfig({
      channels: {
        s: { type: 'slack', webhookUrl: SECRET_URL },
        m: { type: 'email', host: 'smtp.example.com', from: 'a@b.example', to: ['c@d.example'] },
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.channels.s).toMatchObject({ minInterval: 1000, mentions: [], mentionAt: 'critical' });
    expect(r.config.channels.m).toMatchObject({
      port: 587,
      tls: { rejectUnauthorized: true, minVersion: 'TLSv1.2' },
      subjectPrefix: '[oomwatch]',
    });
  });

  it('names the channel, the key and the fix, and never echoes a secret', () => {
    expect(errorsOf({ ops: { type: 'slak', webhookUrl: SECRET_URL } })).toEqual([
      'channels.ops.type: set type to one of slack, email, console, webhook, alertmanager (got "slak").',
    ]);
    expect(errorsOf({ ops: { type: 'slack' } })).toEqual([
      'channels.ops.webhookUrl: missing webhookUrl (the Slack incoming-webhook URL): write it inline (a string), as {file: /path/to/secret} or as {env: VARIABLE_NAME}.',
    ]);
    expect(errorsOf({ ops: { type: 'slack', webhookUrl: { path: SECRET_URL } } })).toEqual([
      'channels.ops.webhookUrl: not a secret: write it inline (a string), as {file: /path/to/secret} or as {env: VARIABLE_NAME}.',
    ]);
    expect(errorsOf({ ops: { type: 'slack', webhookUrl: SECRET_URL, mentions: ['@here'] } })[0]).toBe(
      'channels.ops.mentions.0: each mention must be Slack syntax: <@U123ABC> (user), <!subteam^S123ABC> (user group), <!here> or <!channel> (got "@here").',
    );
    expect(errorsOf({ 'bad name': { type: 'console' } })).toEqual([
      'channels.bad name: rename the channel: names are letters, digits, "-", "_" and "." (at most 63), e.g. ops-slack',
    ]);
    expect(errorsOf({ m: { type: 'email', host: 'h', from: 'a@b', to: [] } })).toEqual([
      'channels.m.to: list at least one recipient address (got []).',
    ]);
    expect(errorsOf({ ops: { type: 'slack', webhookUrl: SECRET_URL, extra: 1 } })).toEqual([
      'channels.ops.extra: unknown key. Remove it or check the spelling against config/oomwatch.example.yaml.',
    ]);
    expect(errorsOf({ h: { type: 'webhook', url: SECRET_URL, headers: `Authorization: ${SECRET_URL}` } })).toEqual([
      'channels.h.headers: expected headers: {Header-Name: SECRET, …} as a mapping (the value is not shown: it may hold a secret)',
    ]);
    expect(errorsOf({ m: { type: 'email', host: 'h', from: 'a@b', to: ['c@d'], auth: `user:${SECRET_URL}` } })).toEqual([
      'channels.m.auth: expected auth: {user: NAME, password: SECRET} as a mapping (the value is not shown: it may hold a secret)',
    ]);
    expect(errorsOf({ ops: { type: 'slack', webhookUrl: SECRET_URL, mentions: ['@here'] } }).join()).not.toContain('very-secret-token');
    expect(errorsOf({ am: { type: 'alertmanager', url: 'http://127.0.0.1:9093', sendResolved: false } })).toEqual([
      'channels.am.sendResolved: Alertmanager must be told when an alert resolves, or it keeps it firing until endsAt. Remove sendResolved: false.',
    ]);
  });

  it('warns about clear-text SMTP and a Slack rate above one per second, and rejects a backoff upside down', () => {
    const r = validateConfig({
      channels: {
        m: {
          type: 'email',
          host: 'smtp.example.com',
          port: 25,
          from: 'a@b.example',
          to: ['c@d.example'],
          auth: { user: 'u', password: 'p' },
        },
        local: { type: 'email', host: '127.0.0.1', port: 25, from: 'a@b.example', to: ['c@d.example'] },
        s: { type: 'slack', webhookUrl: SECRET_URL, minInterval: '100ms' },
      },
    });
    expect(r.ok && r.warnings).toEqual([
      'channels.s.minInterval: Slack accepts about one message per second per webhook and answers 429 beyond that. Remove minInterval (default 1s).',
      'channels.m: SMTP to smtp.example.com:25 does not require TLS, so the password and alerts may cross the network in clear text. Use port 587 (STARTTLS, required by default) or 465 (secure: true), or set requireTLS: true.',
    ]);
    expect(errorsOf({ c: { type: 'console', retry: { initialBackoff: '10m', maxBackoff: '1m' } } })).toEqual([
      'channels.c.retry: initialBackoff (600000 ms) is longer than maxBackoff (60000 ms). Lower initialBackoff or raise maxBackoff.',
    ]);
  });

  it('rejects rules and defaults routed to a channel that does not exist', () => {
    const r = validateConfig({ channels: { ops: { type: 'console' } }, alerting: { defaultChannels: ['opz'] } });
    expect(r.ok ? [] : r.errors).toEqual([
      'alerting.defaultChannels: no channel named "opz" under channels: (configured: ops). Fix the name or add the channel.',
    ]);
  });

  it('resolves inline, file and env secrets, and reports every missing one at once', () => {
    dir = mkdtempSync(join(tmpdir(), 'oomwatch-secrets-'));
    writeFileSync(join(dir, 'smtp'), 's3cret-pass\n');
    const r = validateConfig({
      channels: {
        slack: { type: 'slack', webhookUrl: { env: 'OPS_SLACK' } },
        mail: {
          type: 'email',
          host: 'h',
          from: 'a@b.example',
          to: ['c@d.example'],
          auth: { user: 'u', password: { file: join(dir, 'smtp') } },
        },
        hook: { type: 'webhook', url: 'https://example.com/hook', headers: { Authorization: 'Bearer inline-token' } },
      },
    });
    if (!r.ok) throw new Error(r.errors.join());
    const channels = resolveChannels(r.config.channels, { env: { OPS_SLACK: SECRET_URL } });
    const byName = Object.fromEntries(channels.map((c) => [c.name, c]));
    expect(byName.slack.type === 'slack' && byName.slack.webhookUrl.reveal()).toBe(SECRET_URL);
    expect(byName.mail.type === 'email' && byName.mail.auth?.password.reveal()).toBe('s3cret-pass');
    expect(byName.hook.type === 'webhook' && byName.hook.headers.Authorization.reveal()).toBe('Bearer inline-token');

    const err = (() => {
      try {
        resolveChannels(r.config.channels, { env: {} }, '/etc/oomwatch/config.yaml');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain('channels.slack.webhookUrl: environment variable OPS_SLACK is not set or empty.');
    rmSync(join(dir, 'smtp'));
    expect(() => resolveChannels(r.config.channels, { env: { OPS_SLACK: 'x' } })).toThrow(
      `channels.mail.auth.password: the secret file ${join(dir, 'smtp')} does not exist.`,
    );
  });

  it('rejects a secret URL that is not a URL without showing it', () => {
    const r = validateConfig({ channels: { ops: { type: 'slack', webhookUrl: { env: 'OPS_SLACK' } } } });
    if (!r.ok) throw new Error(r.errors.join());
    expect(() => resolveChannels(r.config.channels, { env: { OPS_SLACK: 'xoxb-not-a-url-token' } })).toThrow(
      'channels.ops.webhookUrl: the value (from env OPS_SLACK; not shown, it is a secret) is not an http(s) URL. Expected e.g. https://hooks.slack.com/services/T…/B…/….',
    );
  });

  it('never lets a secret reach JSON, util.inspect, String() or a pino log line', () => {
    const r = validateConfig({ channels: { ops: { type: 'slack', webhookUrl: SECRET_URL } } });
    if (!r.ok) throw new Error(r.errors.join());
    const [ch] = resolveChannels(r.config.channels, { env: {} });
    const lines: string[] = [];
    const log = createLogger({
      level: 'info',
      destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) as never,
    });
    log.info({ channel: ch, config: r.config.channels }, 'channel loaded');
    const outputs = [
      JSON.stringify(ch),
      JSON.stringify(r.config),
      inspect(ch, { depth: 5 }),
      inspect(r.config.channels, { depth: 5 }),
      `${ch.type === 'slack' ? ch.webhookUrl : ''}`,
      JSON.stringify(redactSecrets(r.config)),
      ...lines,
    ];
    for (const o of outputs) expect(o).not.toContain('very-secret-token');
    expect(JSON.stringify(ch)).toContain('"webhookUrl":"[redacted]"');
  });
});
