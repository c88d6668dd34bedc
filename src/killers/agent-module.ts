/**
 * The user-space OOM killers as one of the agent's modules: follows the journal (or a syslog file) for systemd-oomd,
 * earlyoom, nohang and kubelet evictions, stores each kill as an incident with its killer and reason, with the
 * reader's position in the same transaction, and hands it to the alerts at once (like a kernel kill).
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { AgentContext, AgentModule } from '../agent/module.js';
import type { IncidentSource, IncidentView } from '../model/incident.js';
import type { OomReport } from '../model/kernel-report.js';
import { chooseKillerSource } from './choose-source.js';
import { JournalSource } from './journal-source.js';
import { KillerLogParser } from './parse.js';
import { parseProgramLine, type ProgramLine } from './program-line.js';
import { parsePosition, positionText, SyslogSource } from './syslog-source.js';

const JOURNALD_SOCKET = '/run/systemd/journal/socket';

/** A program name found in PATH, or a path that is executable. */
function executable(name: string): boolean {
  const candidates = name.includes('/')
    ? [name]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((d) => join(d, name));
  return candidates.some((p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export function createKillersModule(
  ctx: AgentContext,
  opts: { onIncident?: (incident: IncidentView) => void; journaldSocket?: string } = {},
): AgentModule {
  const log = ctx.log.child({ mod: 'killers' });
  // The store announces each incident recorded (store.onIncidentRecorded): the alerts engine hears of it at once.
  const incidents = ctx.store.incidents;
  const cursors = ctx.store.killerCursors;
  const parser = new KillerLogParser();
  let stopFn: (() => void) | null = null;
  const cfg = () => ctx.config.killers;

  /** Stores one kill with the reader's position, in one transaction; tells the alerts. */
  const store = (r: OomReport, source: IncidentSource & ('journal' | 'syslog'), cursorKey: string, cursor: string | null) =>
    ctx.store.transaction(() => {
      const res = incidents.insertReport(r, {
        source,
        hostname: ctx.facts.hostname,
        bootId: r.bootId ?? ctx.facts.bootId,
        nowMs: ctx.clock.nowMs(),
        linkSlackMs: Math.max(60_000, 3 * ctx.config.sample.interval),
      });
      if (cursor) cursors.save(cursorKey, cursor, ctx.clock.nowMs());
      return res;
    });

  // The position of lines that told no kill (the kubelet logs many) is saved at most once a second, and at stop.
  let unsavedCursor: { key: string; cursor: string } | null = null;
  let cursorSavedAtMs = 0;
  function saveCursor(force: boolean): void {
    if (!unsavedCursor || (!force && ctx.clock.monotonicMs() - cursorSavedAtMs < 1000)) return;
    cursors.save(unsavedCursor.key, unsavedCursor.cursor, ctx.clock.nowMs());
    unsavedCursor = null;
    cursorSavedAtMs = ctx.clock.monotonicMs();
  }

  function handle(line: ProgramLine, source: 'journal' | 'syslog', cursorKey: string, cursor: string | null): void {
    const reports = parser.push(line);
    try {
      if (reports.length === 0) {
        if (cursor) unsavedCursor = { key: cursorKey, cursor };
        saveCursor(false);
        return;
      }
      unsavedCursor = null;
      for (const r of reports) {
        const res = store(r, source, cursorKey, cursor);
        if (!res.inserted) continue;
        const view = incidents.get(res.id);
        if (r.flags.includes('unparsed'))
          log.warn(
            { incident: res.id, killer: r.killer },
            `${r.killer} said it killed in a format oomwatch does not know: recorded raw as incident ${res.id}. Report the line (oomwatch incident ${res.id}) so it can be read in full.`,
          );
        else
          log.info(
            { incident: res.id, killer: r.killer, pid: r.victim?.pid, cgroup: r.taskMemcg ?? undefined },
            'OOM kill by a user-space killer recorded',
          );
        if (view) opts.onIncident?.(view);
      }
    } catch (err) {
      log.error(
        { err },
        'Cannot store a user-space OOM kill; the reader will read it again after a restart. Check the database (disk space, permissions).',
      );
    }
  }

  return {
    name: 'killers',
    start() {
      const { source, why } = chooseKillerSource(cfg().source, {
        journalctl: executable(cfg().journalctl),
        journald: existsSync(opts.journaldSocket ?? JOURNALD_SOCKET),
      });
      if (source === 'off') {
        log.info(`User-space OOM killers are not followed (${why}).`);
        return;
      }
      if (source === 'journal') {
        const j = new JournalSource({
          journalctl: cfg().journalctl,
          cursor: cursors.get('journal'),
          log,
          onLine: (line) => handle(line, 'journal', 'journal', line.cursor),
        });
        j.start();
        stopFn = () => j.stop();
        log.info(`Following the journal for systemd-oomd, earlyoom, nohang and kubelet evictions (${why}).`);
        return;
      }
      const key = `syslog:${cfg().syslogPath}`;
      const s = new SyslogSource({
        path: cfg().syslogPath,
        position: parsePosition(cursors.get(key)),
        log,
        onLines: (lines, position) => {
          for (const text of lines) {
            const line = parseProgramLine(text, ctx.clock.nowMs());
            if (line) handle(line, 'syslog', key, null);
          }
          try {
            cursors.save(key, positionText(position), ctx.clock.nowMs());
          } catch (err) {
            log.warn({ err }, 'Cannot save the syslog position; will retry.');
          }
        },
      });
      s.start();
      stopFn = () => s.stop();
      log.info(`Following ${cfg().syslogPath} for systemd-oomd, earlyoom, nohang and kubelet evictions (${why}).`);
    },
    stop() {
      stopFn?.();
      stopFn = null;
      try {
        saveCursor(true);
      } catch (err) {
        log.warn({ err }, 'Cannot save the journal cursor at stop; the next start reads those lines again (no kill is stored twice).');
      }
    },
  };
}
