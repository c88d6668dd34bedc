/**
 * Email sender (thin): nodemailer over SMTP, no pool (one connection per message; nothing is re-sent by
 * nodemailer itself — the outbox retries). Explicit connection, greeting and socket timeouts.
 * TLS: implicit on port 465 (`secure`), STARTTLS required on 587 (`requireTLS`), certificates verified.
 * Classification (RFC 5321 §4.2.1): 4xx replies are transient → retry; 5xx replies and authentication
 * failures are permanent → the channel is broken until its config is fixed.
 */
import { readFileSync } from 'node:fs';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { ResolvedChannelOf } from './config.js';
import type { Notifier, NotifyDeps } from './notifier.js';
import { delivered, describeNetworkError, failed, type SendOutcome } from './outcome.js';
import { renderEmail } from './render/email.js';

export function smtpOptions(cfg: ResolvedChannelOf<'email'>): SMTPTransport.Options {
  const secure = cfg.secure ?? cfg.port === 465;
  return {
    host: cfg.host,
    port: cfg.port,
    secure,
    requireTLS: cfg.requireTLS ?? (!secure && cfg.port === 587),
    tls: {
      rejectUnauthorized: cfg.tls.rejectUnauthorized,
      servername: cfg.tls.servername,
      minVersion: cfg.tls.minVersion,
      ca: cfg.tls.caFile ? readFileSync(cfg.tls.caFile, 'utf8') : undefined,
    },
    auth: cfg.auth ? { user: cfg.auth.user, pass: cfg.auth.password.reveal() } : undefined,
    connectionTimeout: cfg.timeout,
    greetingTimeout: cfg.timeout,
    socketTimeout: cfg.timeout,
    pool: false,
  };
}

/** Turns a nodemailer error into an outcome whose message names the fix (no password, no secret). */
export function classifySmtpError(channel: string, err: unknown, where: string, timeoutMs: number): SendOutcome {
  const e = err as { code?: string; responseCode?: number; response?: string; message?: string; command?: string };
  const reply = (e.response ?? '').replace(/\s+/g, ' ').trim().slice(0, 200);
  if (e.code === 'EAUTH') {
    return failed(
      channel,
      false,
      `SMTP server ${where} refused the login${reply ? ` (${reply})` : ''}: check auth.user and auth.password (an app password if the provider requires one), then run oomwatch test-notify ${channel}.`,
      { cause: err },
    );
  }
  const tlsFailed = () =>
    failed(
      channel,
      false,
      `TLS with SMTP server ${where} failed (${(e.message ?? '').replace(/\s+/g, ' ').slice(0, 160)}): check port/secure/requireTLS (465 = secure: true; 587 = STARTTLS) and tls.caFile/tls.servername for private certificates.`,
      { cause: err },
    );
  // Before the reply codes: a server without STARTTLS answers it with 5xx, which is a TLS setting problem.
  if (e.code === 'ETLS' || e.code === 'EREQUIRETLS' || e.command === 'STARTTLS') return tlsFailed();
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 400 && e.responseCode < 500) {
      return failed(
        channel,
        true,
        `SMTP server ${where} answered ${reply || e.responseCode}: a temporary refusal (greylisting, rate limit, full queue); it will be retried with backoff.`,
        { cause: err },
      );
    }
    if (e.responseCode >= 500) {
      const what =
        e.code === 'EENVELOPE'
          ? 'refused the sender or a recipient: check from and to'
          : "refused the message permanently: check from, to and the server's sending policy";
      return failed(
        channel,
        false,
        `SMTP server ${where} answered ${reply || e.responseCode}: it ${what}, then run oomwatch test-notify ${channel}.`,
        { cause: err },
      );
    }
  }
  if (/certificate|self[- ]signed|wrong version number|SSL routines/i.test(e.message ?? '')) return tlsFailed();
  const m = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT)\b/.exec(
    `${e.message ?? ''} ${e.code ?? ''}`,
  );
  if (e.code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? '')) {
    return failed(channel, true, `SMTP server ${where}: ${describeNetworkError({ name: 'TimeoutError' }, where, timeoutMs)}`, {
      cause: err,
    });
  }
  return failed(channel, true, `SMTP: ${describeNetworkError({ code: m?.[1], message: e.message }, where, timeoutMs)}`, { cause: err });
}

export function createEmailNotifier(cfg: ResolvedChannelOf<'email'>, _deps: NotifyDeps): Notifier {
  const where = `${cfg.host}:${cfg.port}`;
  return {
    channel: cfg.name,
    async send(msg) {
      const mail = renderEmail(msg, { subjectPrefix: cfg.subjectPrefix });
      let transport;
      try {
        // Loaded at the first email, not with the agent: a host without an email channel never pays for nodemailer.
        const { default: nodemailer } = await import('nodemailer');
        transport = nodemailer.createTransport(smtpOptions(cfg));
      } catch (err) {
        return failed(
          cfg.name,
          false,
          `cannot set up SMTP for ${where}: ${(err as Error).message}. Check the channel's tls.caFile and settings.`,
          { cause: err },
        );
      }
      try {
        await transport.sendMail({
          from: cfg.from,
          to: cfg.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          attachments: mail.attachments,
        });
        return delivered;
      } catch (err) {
        return classifySmtpError(cfg.name, err, where, cfg.timeout);
      } finally {
        transport.close();
      }
    },
  };
}
