import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { UNKNOWN_HOST, viewFromReport } from '../../kernel/incident-view.js';
import type { IncidentView } from '../../model/incident.js';
import { readLogLines } from '../../kernel/log-file-source.js';
import { LogNormaliser } from '../../kernel/normalise-log.js';
import { collectReports } from '../../kernel/oom-assembler.js';
import { collectKillerReports } from '../../killers/collect.js';
import { renderIncidentList } from '../../kernel/render-incident.js';
import { loadCommandConfig, printJson, resolveDbPath, openCommandStore } from '../common.js';
import type { CliIo } from '../io.js';
import { IMPORT_SCHEMA_ID, incidentToJson, type ImportJson } from '../json/incident.js';

export function registerImport(program: Command, io: CliIo): void {
  program
    .command('import')
    .description(
      "Find OOM kills in a saved log: the kernel's (raw /dev/kmsg, dmesg, dmesg -T, journalctl -k [-o json], kern.log) and those of systemd-oomd, earlyoom, nohang and the kubelet (journalctl [-o json], syslog); with --db, store them",
    )
    .argument('<file>', "log file ('-' reads standard input)")
    .option('--host <name>', 'host the log comes from (default: the name in the log, else "unknown")')
    .option('--json', 'print JSON')
    .option('--db [path]', 'store the incidents: in this database, or without a path in the configured one')
    .option('--config <file>', 'configuration file (for --db without a path)')
    .action(async (file: string, opts: { host?: string; json?: boolean; config?: string; db?: string | true }) => {
      // Streamed line by line: memory stays flat whatever the log's size (scripts/bench/import.ts measures it).
      const normaliser = new LogNormaliser({ nowMs: Date.now() });
      const collected = collectReports();
      // The user-space OOM killers' lines (systemd-oomd, earlyoom, nohang, kubelet) in a journal or syslog export.
      const killers = collectKillerReports({ nowMs: Date.now() });
      let recordCount = 0;
      for await (const lines of readLogLines(file)) {
        for (const line of lines) {
          killers.push(line);
          for (const rec of normaliser.push(line)) {
            recordCount++;
            collected.push(rec);
          }
        }
      }
      for (const rec of normaliser.end()) {
        recordCount++;
        collected.push(rec);
      }
      const formats = normaliser.formats;
      const byKillers = killers.end();
      if (recordCount === 0 && byKillers.reports.length === 0) throw new UsageError(`${file} holds no log lines.`);
      const reports = [...collected.end(), ...byKillers.reports];
      if (byKillers.unparsed > 0)
        io.err(
          `${byKillers.unparsed} line${byKillers.unparsed === 1 ? '' : 's'} of a user-space OOM killer said it killed in a format oomwatch does not know: ` +
            "recorded raw (flag 'unparsed', the line in the incident's raw text). Check the incident and report the format so it can be read in full.",
        );
      for (const r of reports) if (opts.host) r.hostname = opts.host;
      const host = (r: { hostname: string | null }) => r.hostname ?? UNKNOWN_HOST;
      let views: IncidentView[] = reports.map((r) => viewFromReport(r, { source: 'import', hostname: host(r) }));
      let stored: { inserted: number; already: number } | null = null;
      if (opts.db !== undefined) {
        const { config } = loadCommandConfig(io, opts.config);
        const dbPath = resolveDbPath(config, opts.db === true ? undefined : opts.db, io.env);
        const store = openCommandStore(io, dbPath);
        try {
          const repo = store.incidents;
          stored = { inserted: 0, already: 0 };
          const ids: number[] = [];
          for (const r of reports) {
            const res = repo.insertReport(r, { source: 'import', hostname: host(r), bootId: r.bootId, nowMs: Date.now() });
            stored[res.inserted ? 'inserted' : 'already']++;
            ids.push(res.id);
          }
          views = ids.map((id) => repo.get(id)!);
        } finally {
          store.close();
        }
      }
      const formatText = Object.entries(formats)
        .map(([f, n]) => `${n} ${f}`)
        .join(', ');
      if (opts.json)
        return printJson(io, {
          schema: IMPORT_SCHEMA_ID,
          file,
          formats,
          stored,
          incidents: views.map(incidentToJson),
        } satisfies ImportJson);
      if (views.length === 0) {
        io.out(`No OOM kill found in ${file} (${recordCount} records: ${formatText}).`);
        return;
      }
      io.out(renderIncidentList(views));
      const kills = views.filter((v) => v.victim !== null || v.killer !== 'kernel').length;
      const cut = views.length - kills;
      io.out(
        `${kills} OOM kill${kills === 1 ? '' : 's'}${cut ? ` and ${cut} report${cut === 1 ? '' : 's'} cut short` : ''} found in ${file} (${recordCount} records: ${formatText})` +
          (stored ? `; stored ${stored.inserted} new, ${stored.already} already stored.` : '.'),
      );
    });
}
