import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import type { ResolvedChannelOf } from '../../src/notify/config.js';
import { silentLogger } from '../../src/log.js';
import { createEmailNotifier } from '../../src/notify/email.js';
import { testMessage } from '../../src/notify/message.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { resolvedChannels } from './factories.js';

const deps = { log: silentLogger(), clock: systemClock };

describe('email TLS against a loopback SMTP server with STARTTLS', () => {
  let dir: string;
  let certFile: string;
  let tlsSink: SmtpSink;
  let plainSink: SmtpSink;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'oomwatch-tls-'));
    certFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    // A self-signed certificate for "localhost": it is its own CA, so tls.caFile can trust it.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    tlsSink = await startSmtpSink({ starttls: { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') } });
    plainSink = await startSmtpSink();
  });
  afterAll(async () => {
    await tlsSink?.close();
    await plainSink?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const channel = (port: number, extra: Record<string, unknown>) =>
    resolvedChannels({
      mail: { type: 'email', host: '127.0.0.1', port, from: 'a@b.example', to: ['c@d.example'], timeout: '3s', ...extra },
    })[0] as ResolvedChannelOf<'email'>;

  it('delivers over STARTTLS when the certificate is trusted through tls.caFile and tls.servername', async () => {
    const out = await createEmailNotifier(
      channel(tlsSink.port, { requireTLS: true, tls: { caFile: certFile, servername: 'localhost' } }),
      deps,
    ).send(testMessage('mail', 'web-1', systemClock.nowMs()));
    expect(out).toEqual({ ok: true });
    expect((await tlsSink.waitFor(1))[0].subject).toBe('[oomwatch] oomwatch test message from web-1 (channel mail)');
  });

  it('refuses an untrusted certificate, permanently, naming the TLS settings', async () => {
    const out = await createEmailNotifier(channel(tlsSink.port, { requireTLS: true, tls: { servername: 'localhost' } }), deps).send(
      testMessage('mail', 'web-1', systemClock.nowMs()),
    );
    expect(out).toMatchObject({ ok: false, retryable: false });
    expect(!out.ok && out.error.message).toMatch(
      /^TLS with SMTP server 127\.0\.0\.1:\d+ failed \(self[- ]signed certificate\): check port\/secure\/requireTLS .* and tls\.caFile\/tls\.servername/,
    );
  });

  it('requireTLS refuses a server that does not offer STARTTLS', async () => {
    const out = await createEmailNotifier(channel(plainSink.port, { requireTLS: true }), deps).send(
      testMessage('mail', 'web-1', systemClock.nowMs()),
    );
    expect(out).toMatchObject({ ok: false, retryable: false });
    expect(!out.ok && out.error.message).toMatch(/^TLS with SMTP server 127\.0\.0\.1:\d+ failed/);
    expect(plainSink.mails).toHaveLength(0);
  });
});
