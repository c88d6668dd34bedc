import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { silentLogger } from '../../src/log.js';
import { createOutboxRepo, listChannelHealth } from '../../src/store/outbox-repo.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { tempStore } from './factories.js';

function fakeIo(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += `${t}\n`),
    err: (t: string) => void (io.stderr += `${t}\n`),
    env,
    isTty: false,
    log: silentLogger(),
  };
  return io;
}

describe('oomwatch test-notify', () => {
  let sink: HttpSink | undefined;
  let smtp: SmtpSink | undefined;
  let store: ReturnType<typeof tempStore>;
  afterEach(async () => {
    await sink?.close();
    await smtp?.close();
    sink = smtp = undefined;
    store?.cleanup();
  });

  function writeConfig(yaml: string): string {
    store = tempStore();
    const path = join(store.dir, 'config.yaml');
    writeFileSync(path, `store:\n  path: ${store.path}\n${yaml}`);
    return path;
  }

  const run = (args: string[], io: CliIo) => main(['node', 'oomwatch', 'test-notify', ...args], io);

  it('sends a test message and marks a repaired channel healthy', async () => {
    sink = await startHttpSink();
    const config = writeConfig('channels:\n  ops:\n    type: slack\n    webhookUrl: {env: OPS_SLACK}\n');
    createOutboxRepo(store.db).markRetry('ops', [], 1, 2, 'Slack answered 404 no_service', 'broken');
    const io = fakeIo({ OPS_SLACK: sink.url });
    expect(await run(['ops', '--config', config], io)).toBe(0);
    expect(io.stdout).toBe('Sent a test message to channel "ops" (slack).\n');
    expect(sink.requests[0].body).toMatchObject({ text: expect.stringMatching(/^oomwatch test message from .+ \(channel ops\)$/) });
    expect(listChannelHealth(store.db)[0]).toMatchObject({ channel: 'ops', state: 'ok' });
  });

  it('explains a revoked Slack webhook without printing its URL', async () => {
    sink = await startHttpSink({ status: 404, body: 'no_service' });
    const config = writeConfig(`channels:\n  ops:\n    type: slack\n    webhookUrl: ${sink.url}\n`);
    const io = fakeIo();
    expect(await run(['ops', '--config', config], io)).toBe(69);
    expect(io.stderr).toBe(
      'oomwatch: test message to channel "ops" (slack) failed: Slack answered 404 no_service: the webhook was revoked or never existed. ' +
        'Create a new incoming webhook (Slack app → Incoming Webhooks) and put its URL in webhookUrl.\n' +
        'This will not fix itself: the agent marks the channel broken until it is fixed.\n',
    );
    expect(io.stderr).not.toContain('secretpart');
  });

  it('explains an SMTP login refusal', async () => {
    smtp = await startSmtpSink({ auth: { user: 'u', password: 'p' } });
    const config = writeConfig(
      `channels:\n  mail:\n    type: email\n    host: 127.0.0.1\n    port: ${smtp.port}\n    from: a@b.example\n    to: [c@d.example]\n    auth: {user: u, password: {env: SMTP_PASS}}\n`,
    );
    const io = fakeIo({ SMTP_PASS: 'not-the-password' });
    expect(await run(['mail', '--config', config], io)).toBe(69);
    expect(io.stderr).toMatch(
      /^oomwatch: test message to channel "mail" \(email\) failed: SMTP server 127\.0\.0\.1:\d+ refused the login \(535 Invalid username or password\): check auth\.user and auth\.password/,
    );
    expect(io.stderr).not.toContain('not-the-password');
  });

  it('explains a refused connection', async () => {
    sink = await startHttpSink();
    const url = `${sink.origin}/hook`;
    await sink.close();
    sink = undefined;
    const config = writeConfig(`channels:\n  hook:\n    type: webhook\n    url: ${url}\n`);
    const io = fakeIo();
    expect(await run(['hook', '--config', config], io)).toBe(69);
    expect(io.stderr).toContain(
      `failed: the webhook: connection refused by ${new URL(url).host}: nothing listens there. Check the host and port in the channel's settings, and that the service runs.\nThis looks temporary`,
    );
  });

  it('names the configured channels when the channel is unknown, and the variable when a secret is missing', async () => {
    const config = writeConfig('channels:\n  ops:\n    type: slack\n    webhookUrl: {env: OPS_SLACK}\n  console:\n    type: console\n');
    const io = fakeIo();
    expect(await run(['opps', '--config', config], io)).toBe(66);
    expect(io.stderr).toContain('No channel named "opps" in ');
    expect(io.stderr).toContain('Configured channels: ops, console.');
    const io2 = fakeIo();
    expect(await run(['ops', '--config', config], io2)).toBe(78);
    expect(io2.stderr).toContain('channels.ops.webhookUrl: environment variable OPS_SLACK is not set or empty.');
  });

  it('the embedded default has a console channel that works', async () => {
    const io = fakeIo({ OOMWATCH_CONFIG: '' });
    store = tempStore();
    expect(await main(['node', 'oomwatch', 'test-notify', 'console', '--db', store.path], io)).toBe(0);
    expect(io.stderr).toMatch(/^oomwatch test message from .+ \(channel console\)\n\nIf you can read this, the channel works/);
  });
});
