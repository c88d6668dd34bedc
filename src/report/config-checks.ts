/** Cross-checks for `report:` (spread into config/cross-checks.ts). Pure: config in, messages out. */
import cron from 'node-cron';
import type { CrossCheck } from '../config/cross-checks.js';

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

export const reportCrossChecks: CrossCheck[] = [
  function dailyCronValid({ config, errors }) {
    const expr = config.report.daily.cron;
    const v = cron.validateDetailed(expr);
    if (!v.valid) {
      const what = v.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      errors.push(`report.daily.cron: ${JSON.stringify(expr)} is not a valid cron expression (${what}). Write five fields "minute hour day-of-month month day-of-week", e.g. "0 8 * * *" for 08:00 every day.`);
    }
  },
  function dailyTimeZoneKnown({ config, errors }) {
    const tz = config.report.daily.timeZone;
    if (!isTimeZone(tz)) errors.push(`report.daily.timeZone: ${JSON.stringify(tz)} is not an IANA time zone. Use a name such as UTC, Europe/Berlin or America/New_York.`);
  },
  function dailyChannelsExist({ config, errors }) {
    const known = Object.keys(config.channels);
    const d = config.report.daily;
    // Without channels, every email channel gets it; with no email channel it is not sent (`oomwatch report daily` prints it).
    for (const [i, n] of (d.channels ?? []).entries()) {
      if (!known.includes(n)) errors.push(`report.daily.channels.${i}: no channel named "${n}" under channels: (configured: ${known.join(', ') || 'none'}). Fix the name or add the channel.`);
    }
  },
];
