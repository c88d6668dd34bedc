/**
 * `fleet:` — shipping incidents and alert transitions to a central PostgreSQL (docs/fleet.md). Owned by
 * src/fleet. Without `fleet.postgres` nothing is shipped. The URL is a secret (it usually holds the
 * password): inline, `{file: path}` or `{env: NAME}`, read once at start and never printed.
 */
import { z } from 'zod';
import { durationMs } from '../util/schema-helpers.js';
import type { CrossCheck } from '../model/config-check.js';
import { secret } from '../util/secrets.js';
import { isTimeZone } from '../report/config.js';
import cron from 'node-cron';

/** libpq's sslmode values (https://www.postgresql.org/docs/15/libpq-ssl.html#LIBPQ-SSL-PROTECTION). */
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

const postgresSchema = z
  .object({
    /** postgres://user:password@host:5432/db — a secret. */
    url: secret('url (postgres://USER:PASSWORD@HOST:5432/DATABASE)'),
    /** As libpq's sslmode; overrides one written in the URL. */
    sslmode: z.enum(SSL_MODES).optional(),
    /** CA certificate file (PEM) for verify-ca / verify-full; default: the system's CAs. */
    sslrootcert: z.string().min(1).optional(),
    /** Time limit for connecting and for one batch's statement. */
    timeout: durationMs('fleet.postgres.timeout', { minMs: 100 }).default(10_000),
  })
  .strict();

/**
 * The scheduled fleet report. Set it on two or three agents: each claims the period in the database and the
 * first claim sends (docs/fleet.md section 5). Their role needs the reader's GRANTs plus the claim table.
 */
const reportSchema = z
  .object({
    enabled: z.boolean().default(false),
    cron: z.string().min(1).default('0 8 * * *'),
    timeZone: z.string().min(1).default('UTC'),
    /** Channels (names under `channels:`) it goes to, e.g. an email channel. */
    channels: z.array(z.string().min(1)).min(1),
    /** Prometheus that scrapes the agents, for the hosts closest to OOM. */
    prometheus: z.string().url().optional(),
  })
  .strict();

export const fleetSection = z
  .object({
    postgres: postgresSchema.optional(),
    report: reportSchema.optional(),
    /** Outbox rows (incidents, alert transitions) per PostgreSQL transaction. */
    batchSize: z.number().int().min(1).max(5_000).default(200),
    retry: z
      .object({
        /** First wait after a failed batch; doubles each attempt, with jitter. */
        initialBackoff: durationMs('fleet.retry.initialBackoff').default(1_000),
        /** Longest wait between attempts. Rows never expire: a database down for days loses nothing. */
        maxBackoff: durationMs('fleet.retry.maxBackoff').default(60_000),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

export type FleetConfig = z.output<typeof fleetSection>;

/** Cross-checks of `fleet:` (run by config/cross-checks.ts). Pure: config in, messages out. */
export const fleetCrossChecks: CrossCheck<{ fleet: FleetConfig; channels: Record<string, unknown> }>[] = [
  function fleetReportNeedsDatabase({ config, errors }) {
    const r = config.fleet.report;
    if (r?.enabled && !config.fleet.postgres)
      errors.push(
        'fleet.report: the scheduled fleet report needs the fleet database. Set fleet.postgres.url, or set fleet.report.enabled: false.',
      );
  },
  function fleetReportSchedule({ config, errors }) {
    const r = config.fleet.report;
    if (!r) return;
    const v = cron.validateDetailed(r.cron);
    if (!v.valid)
      errors.push(
        `fleet.report.cron: ${JSON.stringify(r.cron)} is not a valid cron expression (${v.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}). Write five fields, e.g. "0 8 * * *" for 08:00 every day.`,
      );
    if (!isTimeZone(r.timeZone))
      errors.push(
        `fleet.report.timeZone: ${JSON.stringify(r.timeZone)} is not an IANA time zone. Use a name such as UTC or Europe/Berlin.`,
      );
  },
  function fleetReportChannelsExist({ config, errors }) {
    const known = Object.keys(config.channels);
    for (const [i, n] of (config.fleet.report?.channels ?? []).entries()) {
      if (!known.includes(n))
        errors.push(
          `fleet.report.channels.${i}: no channel named "${n}" under channels: (configured: ${known.join(', ') || 'none'}). Fix the name or add the channel.`,
        );
    }
  },
];
