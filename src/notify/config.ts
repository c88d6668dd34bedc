/**
 * `channels:` — where alerts go. A map of channel name → settings; `type` selects the sender
 * (src/notify/registry.ts). Secrets (webhook URLs, SMTP passwords, headers) are inline, `{file: path}` or
 * `{env: NAME}`; they become SecretRefs here and are read by util/secrets.ts at load, never printed.
 * With no `channels:` key the embedded default is one console channel, so a bare `npm start` alerts to stderr.
 */
import { z } from 'zod';
import { secret, type Resolved } from '../util/secrets.js';
import type { CrossCheck } from '../model/config-check.js';
import { isLoopbackHost } from '../util/net.js';
import { durationMs } from '../util/schema-helpers.js';

export const CHANNEL_TYPES = ['slack', 'email', 'console', 'webhook', 'alertmanager'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export { secret };

/**
 * A mapping that holds secrets (headers, auth): when it is not a mapping at all, the message must not echo
 * the value either (it is probably the secret written in the wrong place).
 */
const isMapping = (what: string) =>
  z.custom<Record<string, unknown>>((v) => v !== null && typeof v === 'object' && !Array.isArray(v), {
    message: `expected ${what} as a mapping (the value is not shown: it may hold a secret)`,
  });
const headersSchema = isMapping('headers: {Header-Name: SECRET, …}').pipe(z.record(z.string(), secret('header value')));
const authSchema = isMapping('auth: {user: NAME, password: SECRET}').pipe(
  z.object({ user: z.string().min(1), password: secret('auth.password') }).strict(),
);

const retrySchema = z
  .object({
    /** First wait after a retryable failure; doubles each attempt, with jitter. */
    initialBackoff: durationMs('retry.initialBackoff').default(1_000),
    /** Longest wait between attempts (also how often a broken channel is tried again). */
    maxBackoff: durationMs('retry.maxBackoff').default(300_000),
    /** A notification still undelivered this long after it was created is marked expired (kept in the outbox). */
    giveUpAfter: durationMs('retry.giveUpAfter').default(86_400_000),
  })
  .strict()
  .prefault({});

/** Settings every channel has. `minInterval` is the channel's rate limit (one message per interval). */
const common = (minIntervalMs: number) => ({
  /** Also send a message when an alert resolves. */
  sendResolved: z.boolean().default(true),
  /** Time limit for one delivery attempt (HTTP request, or each SMTP phase). */
  timeout: durationMs('timeout', { minMs: 100 }).default(10_000),
  minInterval: durationMs('minInterval').default(minIntervalMs),
  retry: retrySchema,
  /** When more notifications than this are waiting at once, they go out as one digest message. */
  digestAbove: z.number().int().min(1).default(5),
});

// Slack mention syntax (https://api.slack.com/reference/surfaces/formatting#mentioning-users):
// users <@U…>/<@W…>, user groups <!subteam^S…>, and the special <!here>, <!channel>, <!everyone>.
const MENTION_RE = /^<(@[UW][A-Z0-9]+|!subteam\^[A-Z0-9]+|!here|!channel|!everyone)>$/;

const slackChannel = z
  .object({
    type: z.literal('slack'),
    webhookUrl: secret('webhookUrl (the Slack incoming-webhook URL)'),
    /** Mentions prepended to alerts at or above `mentionAt`. Only these, from the config, ever ping anyone. */
    mentions: z
      .array(
        z.string().regex(MENTION_RE, {
          message: 'each mention must be Slack syntax: <@U123ABC> (user), <!subteam^S123ABC> (user group), <!here> or <!channel>',
        }),
      )
      .default([]),
    mentionAt: z.enum(['info', 'warning', 'critical']).default('critical'),
    ...common(1_000), // Slack: one message per second per webhook (https://api.slack.com/apis/rate-limits)
  })
  .strict();

const emailChannel = z
  .object({
    type: z.literal('email'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** Implicit TLS from the first byte (port 465). Default: true on port 465. */
    secure: z.boolean().optional(),
    /** Refuse to send unless STARTTLS succeeds. Default: true on port 587. */
    requireTLS: z.boolean().optional(),
    tls: z
      .object({
        rejectUnauthorized: z.boolean().default(true),
        /** Name checked against the server certificate when `host` is an IP address. */
        servername: z.string().optional(),
        minVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
        /** PEM file with the CA that signed the server certificate (private CAs). */
        caFile: z.string().optional(),
      })
      .strict()
      .prefault({}),
    auth: authSchema.optional(),
    from: z.string().min(3),
    to: z
      .array(
        z.string().regex(/^(?:[^<>@]*<[^@\s<>]+@[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+)$/, {
          message: 'expected an email address such as oncall@example.com or "On call <oncall@example.com>"',
        }),
      )
      .min(1, { message: 'list at least one recipient address' }),
    subjectPrefix: z.string().default('[oomwatch]'),
    ...common(0),
  })
  .strict();

const consoleChannel = z.object({ type: z.literal('console'), ...common(0) }).strict();

const webhookChannel = z
  .object({
    type: z.literal('webhook'),
    url: secret('url (where to POST the JSON)'),
    headers: headersSchema.default({}),
    ...common(0),
  })
  .strict();

const alertmanagerChannel = z
  .object({
    type: z.literal('alertmanager'),
    /** Base URL of Alertmanager, e.g. http://127.0.0.1:9093 (alerts are posted to <url>/api/v2/alerts). */
    url: z.string().regex(/^https?:\/\/[^\s]+$/, { message: 'expected the Alertmanager base URL, e.g. http://127.0.0.1:9093' }),
    headers: headersSchema.default({}),
    /**
     * Firing alerts are re-posted this often; each post says endsAt = now + 4 × resendInterval, as
     * Prometheus does, so Alertmanager resolves them on its own if the agent dies.
     */
    resendInterval: durationMs('resendInterval', { minMs: 1000 }).default(60_000),
    /** Base URL put in generatorURL (e.g. a page about this host); default: none. */
    generatorUrl: z.string().optional(),
    ...common(0),
  })
  .strict();

export const channelSchema = z.discriminatedUnion(
  'type',
  [slackChannel, emailChannel, consoleChannel, webhookChannel, alertmanagerChannel],
  {
    error: (iss) => (iss.code === 'invalid_union' ? `set type to one of ${CHANNEL_TYPES.join(', ')}` : undefined),
  },
);

const CHANNEL_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export const channelsSection = z
  .record(z.string(), channelSchema)
  .superRefine((channels, ctx) => {
    for (const name of Object.keys(channels)) {
      if (!CHANNEL_NAME_RE.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'rename the channel: names are letters, digits, "-", "_" and "." (at most 63), e.g. ops-slack',
        });
      }
    }
  })
  .prefault({ console: { type: 'console' } });

export type ChannelConfig = z.output<typeof channelSchema>;
export type ChannelConfigOf<K extends ChannelType> = Extract<ChannelConfig, { type: K }>;
/** A channel with its secrets read, plus its name. */
export type ResolvedChannel = Resolved<ChannelConfig> & { name: string };
export type ResolvedChannelOf<K extends ChannelType> = Extract<ResolvedChannel, { type: K }>;

export type ChannelsConfig = z.output<typeof channelsSection>;

/**
 * Cross-checks of `channels:` (run by config/cross-checks.ts). Pure: config in, messages out. That the channels
 * rules and alerting route to exist is checked with the rules (rules/config.ts routingCrossChecks).
 */
export const channelCrossChecks: CrossCheck<{ channels: ChannelsConfig }>[] = [
  function alertmanagerNeedsResolved({ config, errors }) {
    for (const [name, ch] of Object.entries(config.channels)) {
      if (ch.type === 'alertmanager' && !ch.sendResolved) {
        errors.push(
          `channels.${name}.sendResolved: Alertmanager must be told when an alert resolves, or it keeps it firing until endsAt. Remove sendResolved: false.`,
        );
      }
    }
  },
  function backoffOrder({ config, errors }) {
    for (const [name, ch] of Object.entries(config.channels)) {
      if (ch.retry.initialBackoff > ch.retry.maxBackoff) {
        errors.push(
          `channels.${name}.retry: initialBackoff (${ch.retry.initialBackoff} ms) is longer than maxBackoff (${ch.retry.maxBackoff} ms). Lower initialBackoff or raise maxBackoff.`,
        );
      }
      if (ch.retry.giveUpAfter < ch.retry.maxBackoff) {
        errors.push(
          `channels.${name}.retry.giveUpAfter: ${ch.retry.giveUpAfter} ms is shorter than maxBackoff (${ch.retry.maxBackoff} ms), so a notification could expire after one retry. Set it to hours (default 24h).`,
        );
      }
    }
  },
  function slackRateLimit({ config, warnings }) {
    for (const [name, ch] of Object.entries(config.channels)) {
      if (ch.type === 'slack' && ch.minInterval < 1000) {
        warnings.push(
          `channels.${name}.minInterval: Slack accepts about one message per second per webhook and answers 429 beyond that. Remove minInterval (default 1s).`,
        );
      }
    }
  },
  function smtpInClear({ config, warnings }) {
    for (const [name, ch] of Object.entries(config.channels)) {
      if (ch.type !== 'email' || isLoopbackHost(ch.host)) continue;
      const secure = ch.secure ?? ch.port === 465;
      const requireTLS = ch.requireTLS ?? (!secure && ch.port === 587);
      if (!secure && !requireTLS) {
        warnings.push(
          `channels.${name}: SMTP to ${ch.host}:${ch.port} does not require TLS, so ${ch.auth ? 'the password and ' : ''}alerts may cross the network in clear text. ` +
            'Use port 587 (STARTTLS, required by default) or 465 (secure: true), or set requireTLS: true.',
        );
      }
      if (!ch.tls.rejectUnauthorized) {
        warnings.push(
          `channels.${name}.tls.rejectUnauthorized: false accepts any certificate, so anyone on the path can read the mail. Set tls.caFile to your CA instead.`,
        );
      }
    }
  },
];
