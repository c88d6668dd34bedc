import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { ALERT_LABELS, formatMatcher, matchesLabels, parseMatcher } from '../../rules/silences.js';
import type { LabelMatcher } from '../../model/alert.js';
import { formatDurationMs, parseDurationMs } from '../../util/duration.js';
import { formatIso } from '../../util/format.js';
import { renderTable } from '../../util/table.js';
import { printJson } from '../common.js';
import type { CliIo } from '../io.js';
import { SILENCES_SCHEMA_ID, type SilencesJson } from '../json/alerts.js';
import { openAlertsStore } from './alerts.js';

const MAX_SILENCE_MS = 365 * 86_400_000;

/** Parses --match values; every problem is reported at once, each with its fix. */
export function parseMatchers(texts: readonly string[]): LabelMatcher[] {
  if (!texts.length)
    throw new UsageError(
      'silence add: give at least one --match NAME=VALUE (e.g. --match alertname=process-risk-high --match comm=postgres); a silence without matchers would mute everything.',
    );
  const problems: string[] = [];
  const matchers: LabelMatcher[] = [];
  for (const t of texts) {
    const r = parseMatcher(t);
    if (!r.ok) problems.push(r.error);
    else if (
      !(ALERT_LABELS as readonly string[]).includes(r.matcher.name) &&
      (r.matcher.op === '=' || r.matcher.op === '=~') &&
      r.matcher.value !== ''
    )
      problems.push(
        `--match ${t}: alerts have no label ${JSON.stringify(r.matcher.name)}, so this would never match. Use one of: ${ALERT_LABELS.join(', ')}.`,
      );
    else matchers.push(r.matcher);
  }
  if (problems.length) throw new UsageError(problems.join('\n'));
  // As Alertmanager: matchers that all match an empty (absent) label would mute every alert there is.
  if (matchers.every((m) => matchesLabels([m], { labels: {}, fingerprint: '' })))
    throw new UsageError(
      `silence add: ${matchers.map(formatMatcher).join(' ')} would also match alerts that lack these labels, so it would mute everything (OOM kills and agent health included). Add a positive matcher such as --match alertname=process-risk-high or --match comm=postgres.`,
    );
  return matchers;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function registerSilence(program: Command, io: CliIo): void {
  const silence = program.command('silence').description('Mute matching alerts for a while (they are still recorded, just not sent)');

  silence
    .command('add')
    .description('Add a silence: alerts whose labels match every --match are not sent until it ends')
    .option('--match <matcher>', 'NAME=VALUE, NAME!=VALUE, NAME=~REGEX or NAME!~REGEX; repeat for more (all must match)', collect, [])
    .option('--for <duration>', 'how long (e.g. 30m, 2h, 1d)', '2h')
    .requiredOption('--comment <text>', 'why (shown in oomwatch alerts)')
    .option('--author <name>', 'who (default: $SUDO_USER or $USER)')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .option('--db <path>', 'database')
    .action((opts: { match: string[]; for: string; comment: string; author?: string; json?: boolean; config?: string; db?: string }) => {
      const matchers = parseMatchers(opts.match);
      const forMs = parseDurationMs(opts.for);
      if (forMs === null || forMs <= 0 || forMs > MAX_SILENCE_MS)
        throw new UsageError(`--for: expected a duration between 1s and 365d such as 30m, 2h or 1d, got ${JSON.stringify(opts.for)}.`);
      if (!opts.comment.trim()) throw new UsageError('--comment: say why (e.g. --comment "planned load test"), so the next person knows.');
      const { store } = openAlertsStore(io, opts, { readonly: false });
      try {
        const repo = store.alerts;
        const nowMs = Date.now();
        const createdBy = opts.author ?? io.env.SUDO_USER ?? io.env.USER ?? 'unknown';
        const id = repo.addSilence({
          matchers,
          comment: opts.comment,
          createdBy,
          createdAtMs: nowMs,
          startsAtMs: nowMs,
          endsAtMs: nowMs + forMs,
        });
        const matching = repo.listInstances().filter((i) => matchesLabels(matchers, i.alert));
        if (opts.json)
          return printJson(io, {
            id,
            matchers,
            startsAtMs: nowMs,
            endsAtMs: nowMs + forMs,
            comment: opts.comment,
            createdBy,
            matchingNow: matching.map((i) => i.fingerprint),
          });
        io.out(
          `Silence #${id} added: ${matchers.map(formatMatcher).join(' ')} until ${formatIso(nowMs + forMs)} (${formatDurationMs(forMs)}).\n` +
            `It matches ${matching.length} current alert${matching.length === 1 ? '' : 's'}; the agent applies it at its next evaluation.\n` +
            `End it early with: oomwatch silence expire ${id}`,
        );
      } finally {
        store.close();
      }
    });

  silence
    .command('list')
    .description('Active and scheduled silences (--all: also the ended ones)')
    .option('--all', 'include ended silences')
    .option('--json', 'print JSON')
    .option('--config <file>', 'configuration file')
    .option('--db <path>', 'database')
    .action((opts: { all?: boolean; json?: boolean; config?: string; db?: string }) => {
      const { store } = openAlertsStore(io, opts, { readonly: true });
      try {
        const nowMs = Date.now();
        const list = store.alerts.listSilences(nowMs, { includeExpired: opts.all });
        if (opts.json) return printJson(io, { schema: SILENCES_SCHEMA_ID, silences: list } satisfies SilencesJson);
        if (!list.length) return io.out(opts.all ? 'No silences.' : 'No active silences. (oomwatch silence list --all shows ended ones.)');
        io.out(
          renderTable(list, [
            { header: 'ID', get: (s) => s.id, align: 'right' },
            {
              header: 'STATE',
              get: (s) =>
                s.endsAtMs <= nowMs ? (s.expiredAtMs !== null ? 'expired' : 'ended') : s.startsAtMs > nowMs ? 'scheduled' : 'active',
            },
            { header: 'ENDS', get: (s) => formatIso(s.endsAtMs) },
            { header: 'MATCHERS', get: (s) => s.matchers.map(formatMatcher).join(' '), max: 60 },
            { header: 'COMMENT', get: (s) => s.comment, max: 50 },
            { header: 'BY', get: (s) => s.createdBy },
          ]),
        );
      } finally {
        store.close();
      }
    });

  silence
    .command('expire')
    .description('End a silence now')
    .argument('<id>', 'silence id (from oomwatch silence list)')
    .option('--config <file>', 'configuration file')
    .option('--db <path>', 'database')
    .action((idText: string, opts: { config?: string; db?: string }) => {
      const id = Number(idText.replace(/^#/, ''));
      if (!Number.isInteger(id) || id <= 0)
        throw new UsageError(`silence expire: expected a silence id such as 3 (see oomwatch silence list), got ${JSON.stringify(idText)}.`);
      const { store } = openAlertsStore(io, opts, { readonly: false });
      try {
        const ended = store.alerts.expireSilence(id, Date.now());
        io.out(
          ended
            ? `Silence #${id} expired: matching alerts are sent again from the agent's next evaluation.`
            : `Silence #${id} had already ended; nothing to do.`,
        );
      } finally {
        store.close();
      }
    });
}
