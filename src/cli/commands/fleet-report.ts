/** `oomwatch fleet report`: the fleet's daily risk report (docs/fleet.md), rendered by the daily report's renderers. */
import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { queryClosestToOom } from '../../fleet/prometheus.js';
import { buildFleetDoc, fleetHeadline, type FleetReport } from '../../fleet/report-model.js';
import { queryFleetReport } from '../../fleet/report-query.js';
import { renderDocHtml } from '../../report/render-html.js';
import { renderDocMarkdown } from '../../report/render-markdown.js';
import { renderDocText } from '../../report/render-text.js';
import { parseDurationMs } from '../../util/duration.js';
import type { CliIo } from '../io.js';
import { fleetTargetOf, withFleetClient } from './fleet-common.js';

const FORMATS = ['text', 'markdown', 'html', 'email', 'json'] as const;
export const FLEET_PROMETHEUS_ENV = 'OOMWATCH_FLEET_PROMETHEUS';

export function renderFleetReport(model: FleetReport, format: (typeof FORMATS)[number]): string {
  if (format === 'json') return `${JSON.stringify(model, null, 2)}\n`;
  const doc = buildFleetDoc(model);
  if (format === 'text') return renderDocText(doc);
  if (format === 'markdown') return renderDocMarkdown(doc);
  // email: the HTML part as the daily email sends it (table charts, inline styles, no SVG or script)
  return renderDocHtml(doc, { charts: format === 'email' ? 'table' : 'svg', timeZone: model.timeZone });
}

export function registerFleetReport(fleet: Command, io: CliIo): void {
  fleet
    .command('report')
    .description("The fleet report: hosts closest to OOM (Prometheus), kills per host and per workload, repeated victims, the week's trend")
    .option('--postgres <url>', 'the fleet database (default: $OOMWATCH_FLEET_POSTGRES, then fleet.postgres.url in the config)')
    .option('--prometheus <url>', `Prometheus that scrapes the agents, e.g. http://prometheus:9090 (default: $${FLEET_PROMETHEUS_ENV})`)
    .option('--since <duration>', 'the period, ending now', '24h')
    .option('--format <format>', `one of ${FORMATS.join(', ')}`, 'text')
    .option('--config <file>', 'configuration file')
    .action(async (opts: { postgres?: string; prometheus?: string; since: string; format: string; config?: string }) => {
      const sinceMs = parseDurationMs(opts.since);
      if (sinceMs === null || sinceMs <= 0)
        throw new UsageError(`--since: expected a duration such as 24h or 7d, got ${JSON.stringify(opts.since)}.`);
      if (!(FORMATS as readonly string[]).includes(opts.format))
        throw new UsageError(`--format: expected one of ${FORMATS.join(', ')}, got ${JSON.stringify(opts.format)}.`);
      const target = fleetTargetOf(io, opts);
      const toMs = Date.now();
      const fromMs = toMs - sinceMs;
      const sql = await withFleetClient(target, (c) => queryFleetReport(c, { fromMs, toMs }));
      const promUrl = opts.prometheus ?? io.env[FLEET_PROMETHEUS_ENV];
      let closestToOom: FleetReport['closestToOom'] = null;
      let prometheusProblem: string | null = promUrl
        ? null
        : `hosts closest to OOM need Prometheus: pass --prometheus URL or set ${FLEET_PROMETHEUS_ENV}`;
      if (promUrl) {
        try {
          closestToOom = await queryClosestToOom(promUrl, { fromMs, toMs });
        } catch (err) {
          // The database part is still worth sending: say what is missing and why.
          prometheusProblem = `Prometheus at ${new URL(promUrl).host} could not be queried (${(err as Error).message}): check --prometheus and that it runs`;
          io.err(`oomwatch: warning: ${prometheusProblem}`);
        }
      }
      const model: FleetReport = {
        schema: 'oomwatch.report.fleet/v1',
        timeZone: 'UTC',
        period: { fromMs, toMs },
        ...sql,
        closestToOom,
        prometheusProblem,
        headline: '',
      };
      model.headline = fleetHeadline(model);
      io.out(renderFleetReport(model, opts.format as (typeof FORMATS)[number]).replace(/\n$/, ''));
    });
}
