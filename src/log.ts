import pino, { type DestinationStream, type Logger } from 'pino';
import { prettyDestination } from './log-pretty.js';

export type Log = Logger;

/**
 * One root logger per process; modules take `log.child({ mod })`. The destination is injectable for tests.
 * `pretty` (default: whether stderr is a terminal) writes compact text lines instead of JSON (log-pretty.ts).
 */
export function createLogger(opts: { level?: string; destination?: DestinationStream; pretty?: boolean } = {}): Log {
  const pretty = opts.pretty ?? (opts.destination === undefined && Boolean(process.stderr.isTTY));
  const raw = opts.destination ?? pino.destination({ fd: 2, sync: true });
  return pino(
    { level: opts.level ?? process.env.OOMWATCH_LOG_LEVEL ?? 'info', base: undefined, redact: ['*.webhookUrl', '*.password', '*.url'] },
    pretty ? prettyDestination(raw) : raw,
  );
}

/** A logger that drops everything (pure unit tests). */
export function silentLogger(): Log {
  return pino({ level: 'silent' });
}
