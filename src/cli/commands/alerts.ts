import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../../config/schema.js';
import { NotFoundError } from '../../errors.js';
import { formatMatcher } from '../../rules/silences.js';
import type { Store } from '../../store/store.js';
import { formatDurationMs } from '../../util/duration.js';
import { formatIso } from '../../util/format.js';
import { renderTable } from '../../util/table.js';
import { loadCommandConfig, printJson, resolveDbPath, openCommandStore } from '../common.js';
import type { CliIo } from '../io.js';
import { ALERTS_SCHEMA_ID, type AlertsJson } from '../json/alerts.js';

/**
 * Opens the store for an alerts or silence command. A missing file, or a database older than this release
 * (read-only: openStore refuses it), is a clear error naming the fix.
 */
export function openAlertsStore(
  io: CliIo,
  opts: { config?: string; db?: string },
  mode: { readonly: boolean },
): { store: Store; dbPath: string; config: Config } {
  const { config } = loadCommandConfig(io, opts.config);
  const dbPath = resolveDbPath(config, opts.db, io.env);
  if (!existsSync(dbPath))
    throw new NotFoundError(`No database at ${dbPath}. Run the agent (oomwatch run) first, or pass --db with the agent's database.`);
  const store = openCommandStore(io, dbPath, { readonly: mode.readonly });
  return { store, dbPath, config };
}

const ago = (nowMs: number, ms: number): string => `${formatDurationMs(Math.max(0, nowMs - ms))} ago`;

export function registerAlerts(program: Command, io: CliIo): void {
  program
    .command('alerts')
    .description('Firing and pending alerts, active silences, and the health of each notification channel')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .option('--db <path>', 'database')
    .action((opts: { json?: boolean; config?: string; db?: string }) => {
      const { store, config } = openAlertsStore(io, opts, { readonly: true });
      try {
        const nowMs = Date.now();
        const repo = store.alerts;
        const instances = repo.listInstances();
        const firing = instances.filter((i) => i.status === 'firing');
        const pending = instances.filter((i) => i.status === 'pending');
        const silences = repo.listSilences(nowMs);
        const channels = store.outbox.channelHealth(Object.keys(config.channels));
        if (opts.json) {
          const doc: AlertsJson = {
            schema: ALERTS_SCHEMA_ID,
            generatedAtMs: nowMs,
            firing: firing.map((i) => ({ ...i.alert, mutedBy: i.mutedBy })),
            pending: pending.map((i) => ({ ...i.alert, pendingSinceMs: i.activeSinceMs })),
            silences,
            channels,
          };
          return printJson(io, doc);
        }
        const out: string[] = [];
        out.push(firing.length ? `Firing (${firing.length})` : 'Firing: none');
        if (firing.length) {
          out.push(
            renderTable(firing, [
              { header: 'SEVERITY', get: (i) => i.severity },
              { header: 'RULE', get: (i) => i.ruleId },
              { header: 'SINCE', get: (i) => ago(nowMs, i.firedAtMs ?? i.activeSinceMs) },
              { header: 'SUMMARY', get: (i) => i.summary, max: 100 },
              { header: 'NOT SENT', get: (i) => i.mutedBy ?? '' },
            ]),
          );
        }
        out.push('', pending.length ? `Pending (${pending.length})` : 'Pending: none');
        if (pending.length) {
          out.push(
            renderTable(pending, [
              { header: 'SEVERITY', get: (i) => i.severity },
              { header: 'RULE', get: (i) => i.ruleId },
              { header: 'PENDING FOR', get: (i) => formatDurationMs(nowMs - i.activeSinceMs) },
              { header: 'SUMMARY', get: (i) => i.summary, max: 100 },
            ]),
          );
        }
        out.push('', silences.length ? `Silences (${silences.length} active or scheduled)` : 'Silences: none');
        if (silences.length) {
          out.push(
            renderTable(silences, [
              { header: 'ID', get: (s) => s.id, align: 'right' },
              { header: 'ENDS', get: (s) => formatIso(s.endsAtMs) },
              { header: 'MATCHERS', get: (s) => s.matchers.map(formatMatcher).join(' '), max: 60 },
              { header: 'COMMENT', get: (s) => s.comment, max: 50 },
              { header: 'BY', get: (s) => s.createdBy },
            ]),
          );
        }
        out.push('', channels.length ? 'Channels' : 'Channels: none configured');
        if (channels.length) {
          out.push(
            renderTable(channels, [
              { header: 'CHANNEL', get: (c) => c.channel },
              { header: 'STATE', get: (c) => c.state },
              { header: 'QUEUED', get: (c) => c.pending, align: 'right' },
              { header: 'LAST OK', get: (c) => (c.lastOkMs === null ? 'never' : ago(nowMs, c.lastOkMs)) },
              { header: 'LAST ERROR', get: (c) => c.lastError ?? '', max: 80 },
            ]),
          );
          const broken = channels.filter((c) => c.state === 'broken').map((c) => c.channel);
          if (broken.length) out.push(`Broken: ${broken.join(', ')}. Fix the settings, then check with: oomwatch test-notify ${broken[0]}`);
        }
        io.out(out.join('\n'));
      } finally {
        store.close();
      }
    });
}
