/**
 * Follows the journal for the killers' lines: `journalctl --follow --output=json` as a child process, filtered by
 * their identifiers, resumed after the last cursor read (else from this boot's start). Restarts journalctl when it
 * ends (journald restarted, rotated away) with the last cursor, so nothing is read twice or lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Log } from '../log.js';
import { KILLER_IDENTIFIERS } from './parse.js';
import { parseJournalEntry, type ProgramLine } from './program-line.js';

export interface JournalSourceOptions {
  journalctl: string;
  /** The cursor of the last entry handled; null: read this boot from its start. */
  cursor: string | null;
  log: Log;
  onLine(line: ProgramLine): void;
  /** Delay before journalctl is started again after it ended (default 5 s). */
  restartDelayMs?: number;
}

/** journalctl's arguments (pure): JSON, follow, after the cursor or from the boot's start, only the killers. */
export function journalctlArgs(cursor: string | null): string[] {
  const from = cursor ? [`--after-cursor=${cursor}`] : ['--boot', '--lines=all'];
  return [
    '--follow',
    '--output=json',
    '--no-pager',
    '--quiet',
    ...from,
    ...Object.keys(KILLER_IDENTIFIERS).map((id) => `--identifier=${id}`),
  ];
}

export class JournalSource {
  private child: ChildProcess | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private cursor: string | null;
  private lastProblem: string | null = null;

  constructor(private readonly opts: JournalSourceOptions) {
    this.cursor = opts.cursor;
  }

  start(): void {
    this.stopped = false;
    this.spawn();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.child?.kill('SIGTERM');
    this.child = null;
  }

  private spawn(): void {
    const child = spawn(this.opts.journalctl, journalctlArgs(this.cursor), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-2000)));
    createInterface({ input: child.stdout }).on('line', (text) => {
      const line = parseJournalEntry(text);
      if (!line) return;
      if (line.cursor) this.cursor = line.cursor;
      this.lastProblem = null;
      this.opts.onLine(line);
    });
    child.on('error', (err) => this.ended(`cannot run ${this.opts.journalctl} (${(err as NodeJS.ErrnoException).code ?? err.message})`));
    child.on('exit', (code, signal) =>
      this.ended(`${this.opts.journalctl} ended (${signal ?? `exit ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ''}`),
    );
  }

  private ended(why: string): void {
    if (this.stopped || this.timer) return;
    this.child = null;
    const message = `${why}; restarting it in ${Math.round((this.opts.restartDelayMs ?? 5000) / 1000)} s. Check that journald runs, or set killers.source to syslog or off.`;
    if (message !== this.lastProblem) this.opts.log.warn(message);
    this.lastProblem = message;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.spawn();
    }, this.opts.restartDelayMs ?? 5000);
    this.timer.unref();
  }
}
