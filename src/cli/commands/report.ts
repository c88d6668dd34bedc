import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { NotFoundError, UsageError } from '../../errors.js';
import {
  buildDailyReport,
  buildIncidentReport,
  renderDailyEmail,
  renderReport,
  REPORT_FORMATS,
  type ReportFormat,
} from '../../report/index.js';
import { parseDurationMs, parseTimeMs } from '../../util/duration.js';
import { loadCommandConfig, resolveDbPath, openCommandStore } from '../common.js';
import type { CliIo } from '../io.js';

interface CommonOpts {
  format: string;
  out?: string;
  config?: string;
  db?: string;
}

/** The daily report can also be printed as the two parts of its email, exactly as the scheduled job sends them. */
const EMAIL_FORMATS = ['email-html', 'email-text'] as const;
type DailyFormat = ReportFormat | (typeof EMAIL_FORMATS)[number];

function formatOf(text: string, extra: readonly string[] = []): ReportFormat {
  if ((REPORT_FORMATS as readonly string[]).includes(text)) return text as ReportFormat;
  const hint = extra.includes(text) ? ' (email-html and email-text are for oomwatch report daily)' : '';
  throw new UsageError(`--format: expected one of ${REPORT_FORMATS.join(', ')}, got ${JSON.stringify(text)}${hint}.`);
}

function dailyFormatOf(text: string): DailyFormat {
  if ((EMAIL_FORMATS as readonly string[]).includes(text)) return text as DailyFormat;
  if ((REPORT_FORMATS as readonly string[]).includes(text)) return text as DailyFormat;
  throw new UsageError(`--format: expected one of ${[...REPORT_FORMATS, ...EMAIL_FORMATS].join(', ')}, got ${JSON.stringify(text)}.`);
}

function durationOf(flag: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms === null || ms <= 0) throw new UsageError(`${flag}: expected a duration such as 30m, 2h or 1d, got ${JSON.stringify(text)}.`);
  return ms;
}

/** The config and the store, read-only; a missing file or an old schema (openStore) is a clear error. */
function openReportStore(io: CliIo, opts: { config?: string; db?: string }) {
  const { config } = loadCommandConfig(io, opts.config);
  const dbPath = resolveDbPath(config, opts.db, io.env);
  if (!existsSync(dbPath)) throw new NotFoundError(`No database at ${dbPath}. Run the agent (oomwatch run) first, or pass --db.`);
  const store = openCommandStore(io, dbPath, { readonly: true });
  return { config, store, dbPath };
}

function emit(io: CliIo, text: string, out: string | undefined): void {
  if (!out) return io.out(text.replace(/\n$/, ''));
  writeFileSync(out, text);
  io.err(`oomwatch: report written to ${out}`);
}

export function registerReport(program: Command, io: CliIo): void {
  const report = program
    .command('report')
    .description(
      'Forensic report of an OOM kill (or of the minutes before an instant) from the recorded history; `report daily` for the daily risk report',
    )
    .option('--incident <id>', 'the incident to report on (see oomwatch incidents)')
    .option('--last', 'the latest recorded incident')
    .option('--at <time>', 'an instant instead of a kill: ISO time (without an offset: in report.daily.timeZone), or a duration ago (15m)')
    .option('--window <duration>', 'how far back from the kill', '30m')
    .option(
      '--format <format>',
      `one of ${REPORT_FORMATS.join(', ')}; for report daily also ${EMAIL_FORMATS.join(', ')} (the email's parts as sent)`,
      'text',
    )
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--config <file>', 'configuration file')
    .option('--db <path>', 'database')
    .action((opts: CommonOpts & { incident?: string; last?: boolean; at?: string; window: string }) => {
      const chosen = [opts.incident !== undefined, !!opts.last, opts.at !== undefined].filter(Boolean).length;
      if (chosen !== 1) throw new UsageError('Give exactly one of --incident ID, --last or --at TIME (e.g. oomwatch report --last).');
      if (opts.incident !== undefined && !/^\d+$/.test(opts.incident))
        throw new UsageError(
          `--incident: expected an incident id (a number, see oomwatch incidents), got ${JSON.stringify(opts.incident)}.`,
        );
      const format = formatOf(opts.format, EMAIL_FORMATS);
      const windowMs = durationOf('--window', opts.window);
      const nowMs = Date.now();
      let atMs: number | null = null;
      const { config, store, dbPath } = openReportStore(io, opts);
      try {
        if (opts.at !== undefined) {
          // Without an offset, the time is read in the zone reports are shown in.
          atMs = parseTimeMs(opts.at, nowMs, config.report.daily.timeZone);
          if (atMs === null)
            throw new UsageError(
              `--at: expected an ISO time (2026-11-26T06:00:00Z, or 2026-11-26 07:00 in ${config.report.daily.timeZone}), "now", or a duration ago (15m), got ${JSON.stringify(opts.at)}.`,
            );
        }
        const incident = atMs === null ? store.reports.findIncident(opts.last ? { last: true } : { id: Number(opts.incident) }) : null;
        if (atMs === null && !incident) {
          throw new NotFoundError(
            opts.last
              ? `No OOM kills recorded in ${dbPath}. Use --at TIME to report on an instant, or import a log with oomwatch import.`
              : `No incident ${opts.incident} in ${dbPath}. List them with oomwatch incidents --since 30d.`,
          );
        }
        // A kill with no wall-clock time (a boot-relative log) has no window: the report says so.
        const model = buildIncidentReport(store.reports, {
          incident,
          atMs: atMs ?? incident!.timeMs ?? 0,
          windowMs,
          host: hostname(),
          timeZone: config.report.daily.timeZone,
        });
        emit(io, renderReport(model, format), opts.out);
      } finally {
        store.close();
      }
    });

  // The subcommand shares the parent's --format/--out/--config/--db: commander gives an option defined on
  // both to the parent, so they are defined once, there.
  report
    .command('daily')
    .description('The daily risk report (what the scheduled email holds) for a period ending now; takes --format, --out, --config, --db')
    .option('--since <duration>', 'the period, ending now', '24h')
    .action((local: { since: string }) => {
      const opts = report.opts<CommonOpts>();
      const format = dailyFormatOf(opts.format);
      const sinceMs = durationOf('--since', local.since);
      const { config, store } = openReportStore(io, opts);
      try {
        const nowMs = Date.now();
        const d = config.report.daily;
        const model = buildDailyReport(store.reports, {
          fromMs: nowMs - sinceMs,
          toMs: nowMs,
          host: hostname(),
          timeZone: d.timeZone,
          topN: d.topN,
        });
        // The email's parts come from the same builder the scheduled job uses (renderDailyEmail), not a copy.
        if (format === 'email-html') return emit(io, renderDailyEmail(model).html, opts.out);
        if (format === 'email-text') return emit(io, renderDailyEmail(model).text, opts.out);
        emit(io, renderReport(model, format), opts.out);
      } finally {
        store.close();
      }
    });
}
