import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { NotFoundError, UsageError } from '../../errors.js';
import { renderIncidentList } from '../../kernel/render-incident.js';
import { parseDurationMs } from '../../util/duration.js';
import { loadCommandConfig, printJson, resolveDbPath, openCommandStore } from '../common.js';
import type { CliIo } from '../io.js';
import { incidentToJson, INCIDENTS_SCHEMA_ID, type IncidentsJson } from '../json/incident.js';

/** Opens the store read-only for an incidents query; a missing file or an older database is a clear error. */
export function openIncidentsStore(io: CliIo, opts: { config?: string; db?: string }) {
  const { config } = loadCommandConfig(io, opts.config);
  const dbPath = resolveDbPath(config, opts.db, io.env);
  if (!existsSync(dbPath)) throw new NotFoundError(`No database at ${dbPath}. Run the agent (oomwatch run) first, or pass --db.`);
  const store = openCommandStore(io, dbPath, { readonly: true });
  return { store, dbPath, repo: store.incidents };
}

export function registerIncidents(program: Command, io: CliIo): void {
  program
    .command('incidents')
    .description('OOM kills recorded on this host (from the kernel log, or from the kill counters when the log was not read)')
    .option('--since <duration>', 'how far back', '7d')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .option('--db <path>', 'database')
    .action((opts: { since: string; json?: boolean; config?: string; db?: string }) => {
      const sinceMs = parseDurationMs(opts.since);
      if (sinceMs === null) throw new UsageError(`--since: expected a duration such as 1h or 7d, got ${JSON.stringify(opts.since)}.`);
      const { store, repo } = openIncidentsStore(io, opts);
      try {
        const list = repo.list({ sinceMs: Date.now() - sinceMs });
        if (opts.json) return printJson(io, { schema: INCIDENTS_SCHEMA_ID, incidents: list.map(incidentToJson) } satisfies IncidentsJson);
        if (list.length === 0) return io.out(`No OOM kills recorded in the last ${opts.since}.`);
        io.out(renderIncidentList(list));
      } finally {
        store.close();
      }
    });
}
