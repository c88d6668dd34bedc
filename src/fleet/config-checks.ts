/** Cross-checks for `fleet:` (spread into config/cross-checks.ts). Pure: config in, messages out. */
import cron from 'node-cron';
import type { CrossCheck } from '../config/cross-checks.js';
import { isTimeZone } from '../report/config-checks.js';

export const fleetCrossChecks: CrossCheck[] = [
  function fleetReportNeedsDatabase({ config, errors }) {
    const r = config.fleet.report;
    if (r?.enabled && !config.fleet.postgres) errors.push('fleet.report: the scheduled fleet report needs the fleet database. Set fleet.postgres.url, or set fleet.report.enabled: false.');
  },
  function fleetReportSchedule({ config, errors }) {
    const r = config.fleet.report;
    if (!r) return;
    const v = cron.validateDetailed(r.cron);
    if (!v.valid) errors.push(`fleet.report.cron: ${JSON.stringify(r.cron)} is not a valid cron expression (${v.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}). Write five fields, e.g. "0 8 * * *" for 08:00 every day.`);
    if (!isTimeZone(r.timeZone)) errors.push(`fleet.report.timeZone: ${JSON.stringify(r.timeZone)} is not an IANA time zone. Use a name such as UTC or Europe/Berlin.`);
  },
  function fleetReportChannelsExist({ config, errors }) {
    const known = Object.keys(config.channels);
    for (const [i, n] of (config.fleet.report?.channels ?? []).entries()) {
      if (!known.includes(n)) errors.push(`fleet.report.channels.${i}: no channel named "${n}" under channels: (configured: ${known.join(', ') || 'none'}). Fix the name or add the channel.`);
    }
  },
];
