import pino, { type DestinationStream, type Logger } from 'pino';

export type Log = Logger;

/** One root logger per process; modules take `log.child({ mod })`. The destination is injectable for tests. */
export function createLogger(opts: { level?: string; destination?: DestinationStream } = {}): Log {
  return pino(
    { level: opts.level ?? process.env.OOMWATCH_LOG_LEVEL ?? 'info', base: undefined, redact: ['*.webhookUrl', '*.password', '*.url'] },
    opts.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

/** A logger that drops everything (pure unit tests). */
export function silentLogger(): Log {
  return pino({ level: 'silent' });
}
