import { z } from 'zod';

/**
 * `report:` — the daily risk report (docs/reports.md). Sent on a calendar (node-cron expression in an IANA
 * time zone) to the named channels; with no `channels` every email channel gets it, and with no email
 * channel nothing is sent. Cron, zone and channel names are checked in src/report/config-checks.ts.
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
