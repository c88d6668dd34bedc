/**
 * `oomwatch fleet …`: the fleet's central PostgreSQL (docs/fleet.md). migrate applies the central schema;
 * incidents and incident answer "where and when was X killed" across every host that ships there.
 * The database comes from --postgres, $OOMWATCH_FLEET_POSTGRES, or fleet.postgres in the config.
 */
import type { Command } from 'commander';
import { NotFoundError, UsageError } from '../../errors.js';
import { describeTarget } from '../../fleet/pg-client.js';
import { migrateFleet } from '../../fleet/migrate.js';
import { getFleetIncident, listFleetIncidents, type FleetIncidentRow } from '../../fleet/query.js';
import { renderReport, REPORT_FORMATS, type ReportFormat } from '../../report/index.js';
import { parseDurationMs } from '../../util/duration.js';
import { formatBytes, formatIso } from '../../util/format.js';
import { renderTable } from '../../util/table.js';
import { printJson } from '../common.js';
import type { CliIo } from '../io.js';
import { FLEET_INCIDENTS_SCHEMA_ID, type FleetIncidentsJson } from '../json/fleet.js';
import { registerFleetReport } from './fleet-report.js';
import { fleetTargetOf, withFleetClient, type DbOpts } from './fleet-common.js';

const dbOptions = (cmd: Command) =>
  cmd
    .option('--postgres <url>', 'the fleet database (default: $OOMWATCH_FLEET_POSTGRES, then fleet.postgres.url in the config)')
    .option('--config <file>', 'configuration file');

function workloadOf(r: FleetIncidentRow): string | null {
  if (r.pod) return `${r.namespace ? `${r.namespace}/` : ''}${r.pod}${r.container ? `/${r.container}` : ''}`;
  return r.cgroup;
}

export function registerFleet(program: Command, io: CliIo): void {
  const fleet = program
    .command('fleet')
    .description("Every host's OOM kills in the fleet's PostgreSQL: migrate its schema, search and read incidents, the fleet report");

  dbOptions(
    fleet
      .command('migrate')
      .description(
        "Create or upgrade the fleet schema in PostgreSQL (run as the database owner; also creates the coming months' partitions)",
      ),
  ).action(async (opts: DbOpts) => {
    const target = fleetTargetOf(io, opts);
    const r = await withFleetClient(target, (c) => migrateFleet(c, Date.now()));
    io.out(
      `${r.applied.length ? `applied ${r.applied.join(', ')}` : 'schema up to date'} on ${describeTarget(target.url)}; ` +
        `incident partitions from ${r.months[0].slice(0, 7)} to ${r.months.at(-1)!.slice(0, 7)}. Run it again monthly (e.g. from a timer) to keep partitions ahead.`,
    );
  });

  dbOptions(
    fleet
      .command('incidents')
      .description('OOM kills across the fleet, newest first')
      .option('--since <duration>', 'how far back', '30d')
      .option('--host <glob>', 'host names matching a glob (web-*)')
      .option('--comm <name>', "the victim's process name")
      .option('--workload <name>', "a pod, container, namespace/pod, or the cgroup's last part (a systemd unit)")
      .option('--json', 'print JSON'),
  ).action(async (opts: DbOpts & { since: string; host?: string; comm?: string; workload?: string; json?: boolean }) => {
    const sinceMs = parseDurationMs(opts.since);
    if (sinceMs === null || sinceMs <= 0)
      throw new UsageError(`--since: expected a duration such as 24h or 30d, got ${JSON.stringify(opts.since)}.`);
    const target = fleetTargetOf(io, opts);
    const rows = await withFleetClient(target, (c) =>
      listFleetIncidents(c, { sinceMs: Date.now() - sinceMs, hostGlob: opts.host, comm: opts.comm, workload: opts.workload }),
    );
    if (opts.json) return printJson(io, { schema: FLEET_INCIDENTS_SCHEMA_ID, incidents: rows } satisfies FleetIncidentsJson);
    if (rows.length === 0) return io.out(`No OOM kills in the fleet database in the last ${opts.since} matching these filters.`);
    io.out(
      renderTable(rows, [
        { header: 'INCIDENT', get: (r) => `${r.host}:${r.localId}` },
        { header: 'AT', get: (r) => formatIso(r.atMs) },
        { header: 'VICTIM', get: (r) => (r.victimComm === null ? null : `${r.victimComm} (${r.victimPid})`), max: 28 },
        { header: 'RSS', get: (r) => formatBytes(r.victimRssBytes), align: 'right' },
        { header: 'ADJ', get: (r) => r.victimOomScoreAdj, align: 'right' },
        { header: 'DOMAIN', get: (r) => r.constraintKind },
        { header: 'WORKLOAD', get: workloadOf, max: 48 },
      ]) + '\nDetails: oomwatch fleet incident HOST:ID',
    );
  });

  dbOptions(
    fleet
      .command('incident')
      .description("One kill's forensic report as shipped by its host (the same report as `oomwatch report --incident ID` there)")
      .argument('<host:id>', 'the host name and its incident id, as listed by oomwatch fleet incidents')
      .option('--format <format>', `one of ${REPORT_FORMATS.join(', ')}`, 'text'),
  ).action(async (ref: string, opts: DbOpts & { format: string }) => {
    const m = /^(.+):(\d+)$/.exec(ref);
    if (!m) throw new UsageError(`Expected HOST:ID (e.g. web-7:42, as listed by oomwatch fleet incidents), got ${JSON.stringify(ref)}.`);
    if (!(REPORT_FORMATS as readonly string[]).includes(opts.format))
      throw new UsageError(`--format: expected one of ${REPORT_FORMATS.join(', ')}, got ${JSON.stringify(opts.format)}.`);
    const target = fleetTargetOf(io, opts);
    const found = await withFleetClient(target, (c) => getFleetIncident(c, m[1], Number(m[2])));
    if (!found)
      throw new NotFoundError(`No incident ${ref} in the fleet database. List them with oomwatch fleet incidents --host ${m[1]}.`);
    io.out(renderReport(found.report, opts.format as ReportFormat).replace(/\n$/, ''));
  });

  registerFleetReport(fleet, io);
}
