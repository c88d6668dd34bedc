import cron from 'node-cron';
import { z } from 'zod';
import type { CrossCheck } from '../model/config-check.js';

/**
 * `report:` — the daily risk report (docs/reports.md). Sent on a calendar (node-cron expression in an IANA
 * time zone) to the named channels; with no `channels` every email channel gets it, and with no email
 * channel nothing is sent. Cron, zone and channel names are checked by reportCrossChecks below.
 */
const dailySchema = z
  .object({
    enabled: z.boolean().default(true),
    /** When the report is sent; each run covers the period since the previous scheduled time. */
    cron: z.string().min(1).default('0 8 * * *'),
    /** IANA zone for the schedule and for every time shown in the report. */
    timeZone: z.string().min(1).default('UTC'),
    /** Channel names (`channels.<name>`); default: every email channel. */
    channels: z.array(z.string().min(1)).optional(),
    /** Rows per table; the rest is counted ("and 12 more"). */
    topN: z.number().int().min(1).max(500).default(10),
  })
  .strict()
  .prefault({});

export const reportSection = z.object({ daily: dailySchema }).strict().prefault({});

export type ReportConfig = z.output<typeof reportSection>;
export type DailyReportConfig = ReportConfig['daily'];

/**
 * True when Intl knows the IANA zone name. The default, UTC, is known without asking Intl: an
 * Intl.DateTimeFormat loads locale and time-zone data that then stay resident in the agent (about 7 MB).
 */
export function isTimeZone(zone: string): boolean {
  if (zone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Cross-checks of `report:` (run by config/cross-checks.ts). Pure: config in, messages out. */
export const reportCrossChecks: CrossCheck<{ report: ReportConfig; channels: Record<string, unknown> }>[] = [
  function dailyCronValid({ config, errors }) {
    const expr = config.report.daily.cron;
    const v = cron.validateDetailed(expr);
    if (!v.valid) {
      const what = v.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      errors.push(
        `report.daily.cron: ${JSON.stringify(expr)} is not a valid cron expression (${what}). Write five fields "minute hour day-of-month month day-of-week", e.g. "0 8 * * *" for 08:00 every day.`,
      );
    }
  },
  function dailyTimeZoneKnown({ config, errors }) {
    const tz = config.report.daily.timeZone;
    if (!isTimeZone(tz))
      errors.push(
        `report.daily.timeZone: ${JSON.stringify(tz)} is not an IANA time zone. Use a name such as UTC, Europe/Berlin or America/New_York.`,
      );
  },
  function dailyChannelsExist({ config, errors }) {
    const known = Object.keys(config.channels);
    const d = config.report.daily;
    // Without channels, every email channel gets it; with no email channel it is not sent (`oomwatch report daily` prints it).
    for (const [i, n] of (d.channels ?? []).entries()) {
      if (!known.includes(n))
        errors.push(
          `report.daily.channels.${i}: no channel named "${n}" under channels: (configured: ${known.join(', ') || 'none'}). Fix the name or add the channel.`,
        );
    }
  },
];
