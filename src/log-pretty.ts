/**
 * The terminal form of the log: one compact line per record (time, level, module, message, key=value
 * fields), for a person watching `oomwatch run` in a terminal. Anywhere else (journald, a pipe, a file)
 * the log stays pino's JSON, one object per line. Written on pino's destination path (no transport, no
 * worker thread): pino serialises the record, this turns the line into text.
 */
import type { DestinationStream } from 'pino';
import { sanitizeTerminal } from './util/escape.js';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Shown at the head of the line. (The logger has no base fields: a `pid` field is a logged process's.) */
const OWN_KEYS = new Set(['level', 'time', 'mod', 'msg']);

/** A field value on one line: plain when it is a simple word or number, else JSON-quoted. Control characters never reach the terminal. */
function formatValue(v: unknown): string {
  if (typeof v === 'string') return /^[\w./:@+-]+$/.test(v) ? v : sanitizeTerminal(JSON.stringify(v));
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return sanitizeTerminal(JSON.stringify(v));
}

/**
 * One pino JSON line as terminal text. Time is UTC (HH:MM:SS.mmm, no date: a terminal session is short).
 * An `err` field shows as its type and message, with the stack indented below it.
 * @example formatLogLine('{"level":40,"time":0,"mod":"notify","msg":"retrying","channel":"ops"}')
 * // '00:00:00.000 WARN  notify: retrying channel=ops'
 */
export function formatLogLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return sanitizeTerminal(line.trimEnd());
  }
  const time = typeof rec.time === 'number' ? new Date(rec.time).toISOString().slice(11, 23) : '--:--:--.---';
  const level = (LEVELS[rec.level as number] ?? String(rec.level)).padEnd(5);
  const mod = typeof rec.mod === 'string' ? `${sanitizeTerminal(rec.mod)}: ` : '';
  const msg = typeof rec.msg === 'string' ? sanitizeTerminal(rec.msg) : '';
  const fields: string[] = [];
  let stack = '';
  for (const [k, v] of Object.entries(rec)) {
    if (OWN_KEYS.has(k)) continue;
    if (k === 'err' && v && typeof v === 'object') {
      const e = v as { type?: string; message?: string; stack?: string };
      fields.push(`err=${formatValue(`${e.type ?? 'Error'}: ${e.message ?? ''}`)}`);
      if (e.stack)
        stack = e.stack
          .split('\n')
          .slice(1)
          .map((l) => `    ${sanitizeTerminal(l.trim())}`)
          .join('\n');
      continue;
    }
    fields.push(`${sanitizeTerminal(k)}=${formatValue(v)}`);
  }
  const head = [`${time} ${level} ${mod}${msg}`, ...fields].join(' ').trimEnd();
  return stack ? `${head}\n${stack}` : head;
}

/** A pino destination that writes each record as terminal text to `out`. */
export function prettyDestination(out: { write(text: string): unknown }): DestinationStream {
  return {
    write(line: string) {
      for (const one of line.split('\n')) if (one.trim()) out.write(`${formatLogLine(one)}\n`);
    },
  };
}
