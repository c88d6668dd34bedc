import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { NotFoundError, UsageError } from '../../errors.js';
import { sampleValuesOf } from '../../store/samples-query.js';
import { parseDurationMs } from '../../util/duration.js';
import { formatBytes, formatIso, sparkline } from '../../util/format.js';
import { sanitizeTerminal } from '../../util/escape.js';
import { renderTable } from '../../util/table.js';
import { loadCommandConfig, printJson, resolveDbPath, openCommandStore } from '../common.js';
import type { CliIo } from '../io.js';
import { HISTORY_SCHEMA_ID, type HistoryJson } from '../json/history.js';

export function registerHistory(program: Command, io: CliIo): void {
  program
    .command('history')
    .description('The recorded history of a process, by PID or by name')
    .argument('<pid|name>', 'a PID or a process name (comm)')
    .option('--since <duration>', 'how far back', '1h')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .option('--db <path>', 'database')
    .action((target: string, opts: { since: string; json?: boolean; config?: string; db?: string }) => {
      const sinceMs = parseDurationMs(opts.since);
      if (sinceMs === null) throw new UsageError(`--since: expected a duration such as 1h or 7d, got ${JSON.stringify(opts.since)}.`);
      const { config } = loadCommandConfig(io, opts.config);
      const dbPath = resolveDbPath(config, opts.db, io.env);
      if (!existsSync(dbPath)) throw new NotFoundError(`No database at ${dbPath}. Run the agent (oomwatch run) first, or pass --db.`);
      const store = openCommandStore(io, dbPath, { readonly: true });
      const history = store.history;
      try {
        const now = Date.now();
        const from = now - sinceMs;
        const procs = history.findProcesses(target, from);
        if (procs.length === 0) {
          throw new NotFoundError(
            `No process ${/^\d+$/.test(target) ? 'with PID' : 'named'} ${sanitizeTerminal(target)} recorded in the last ${opts.since} in ${dbPath}. Try a longer --since, or check the name with oomwatch top.`,
          );
        }
        const scale = history.tickAt(now)?.scale ?? 'new';
        // last_seen_ms of an open identity moves only at keyframes; it was listed at every tick of its boot since.
        const lastSeenOf = (p: (typeof procs)[number]) =>
          p.ended_ms === null ? Math.max(p.last_seen_ms, store.events.lastTickMsOfBoot(p.boot_id) ?? 0) : p.last_seen_ms;
        const out: HistoryJson['processes'] = procs.map((p) => ({
          pid: p.pid,
          startTimeTicks: p.start_time_ticks,
          bootId: p.boot_id,
          comm: p.comm,
          cmdline: p.cmdline,
          uid: p.uid,
          cgroup: p.cgroup,
          unit: p.unit,
          firstSeen: formatIso(p.first_seen_ms),
          lastSeen: formatIso(lastSeenOf(p)),
          ended: p.ended_ms === null ? null : formatIso(p.ended_ms),
          samples: history.processSamples(p.id, from, now).map((s) => ({ at: formatIso(s.ts_ms), ...sampleValuesOf(s, scale) })),
        }));
        if (opts.json) return printJson(io, { schema: HISTORY_SCHEMA_ID, processes: out } satisfies HistoryJson);
        const blocks = out.map((p) => {
          // Untrusted fields are neutralised one by one: the header's own line breaks must survive.
          const t = sanitizeTerminal;
          const head = `PID ${p.pid} ${t(p.comm)} (start ${p.startTimeTicks}, uid ${p.uid ?? '?'}) ${t(p.unit ?? p.cgroup)}\n  ${t(p.cmdline)}\n  seen ${p.firstSeen} → ${p.ended ? `last sampled ${p.lastSeen}, gone at ${p.ended}` : `still running (last sampled ${p.lastSeen})`}`;
          if (p.samples.length === 0) return `${head}\n  no stored samples in the window`;
          const spark = `  RSS ${sparkline(p.samples.map((s) => s.rssBytes))}  risk ${sparkline(p.samples.map((s) => s.risk))}`;
          const table = renderTable(p.samples, [
            { header: 'AT', get: (s) => s.at },
            { header: 'RSS', get: (s) => formatBytes(s.rssBytes), align: 'right' },
            { header: 'SWAP', get: (s) => formatBytes(s.swapBytes), align: 'right' },
            { header: 'SCORE', get: (s) => s.oomScore, align: 'right' },
            { header: 'RISK‰', get: (s) => s.risk, align: 'right' },
            { header: 'ADJ', get: (s) => s.oomScoreAdj, align: 'right' },
          ]);
          return `${head}\n${spark}\n${table}`;
        });
        io.out(`${blocks.join('\n\n')}\n(rows are stored on change and at keyframes; each holds until the next)`);
      } finally {
        store.close();
      }
    });
}
