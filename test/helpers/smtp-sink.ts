/**
 * A real SMTP server on loopback (smtp-server) that parses what it receives (mailparser) and answers as
 * told: accept, a 451 temporary refusal, a 550 permanent refusal; with `auth`, it refuses wrong passwords.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type SmtpReply = 'accept' | { code: number; message: string };

export interface SmtpSink {
  port: number;
  mails: ParsedMail[];
  /** How many messages reached the end of DATA (accepted or refused). */
  attempts: number;
  queue(...replies: SmtpReply[]): void;
  waitFor(n: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

/** `starttls` offers STARTTLS with this key and certificate (PEM); without it the sink is plain text only. */
export async function startSmtpSink(
  opts: { auth?: { user: string; password: string }; starttls?: { key: string; cert: string } } = {},
): Promise<SmtpSink> {
  const mails: ParsedMail[] = [];
  const replies: SmtpReply[] = [];
  let attempts = 0;
  const server = new SMTPServer({
    secure: false,
    disabledCommands: [...(opts.starttls ? [] : ['STARTTLS']), ...(opts.auth ? [] : ['AUTH'])],
    ...(opts.starttls ?? {}),
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.password) return cb(null, { user: auth.username });
      return cb(new Error('Invalid username or password'));
    },
    onData(stream, _session, cb) {
      attempts++;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const reply = replies.shift() ?? 'accept';
        if (reply !== 'accept') {
          const err = Object.assign(new Error(reply.message), { responseCode: reply.code });
          return cb(err);
        }
        simpleParser(Buffer.concat(chunks))
          .then((m) => {
            mails.push(m);
            cb();
          })
          .catch((e: Error) => cb(e));
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    get attempts() {
      return attempts;
    },
    queue: (...r) => void replies.push(...r),
    async waitFor(n, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (mails.length < n) {
        if (Date.now() > deadline) throw new Error(`smtp sink: expected ${n} mails, got ${mails.length}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
