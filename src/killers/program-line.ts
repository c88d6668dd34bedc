/**
 * One log line of a user-space program (not the kernel), from the formats its logs are collected in (pure):
 *   journal JSON   journalctl -o json: SYSLOG_IDENTIFIER, MESSAGE, __REALTIME_TIMESTAMP, _BOOT_ID, __CURSOR, …
 *   syslog         "Aug 12 03:54:03 host earlyoom[812]: text" or with an ISO stamp (rsyslog, journalctl -o short-iso)
 * Only the programs that kill for memory are of interest; the caller filters by `identifier`.
 */
import { syslogTime } from '../kernel/normalise-log.js';

export interface ProgramLine {
  /** The program's name as logged (SYSLOG_IDENTIFIER, or the syslog tag without its [pid]). */
  identifier: string;
  /** The message; a journal message may hold newlines. */
  text: string;
  pid: number | null;
  wallMs: number | null;
  wallExact: boolean;
  /** Microseconds since boot (journal __MONOTONIC_TIMESTAMP), when known. */
  monotonicUs: number | null;
  bootId: string | null;
  hostname: string | null;
  /** The journal's cursor of this entry (where a reader resumes), when it came from the journal. */
  cursor: string | null;
}

const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?`;
// "<time> <host> <tag>[<pid>]: <text>"; the tag may hold '-', '.', '/', '@'.
const SYSLOG_RE = new RegExp(
  `^(?:([A-Z][a-z]{2}) +(\\d{1,2}) (\\d\\d):(\\d\\d):(\\d\\d)(?:\\.\\d+)?|(${ISO})) (\\S+) ([^\\s:\\[]+)(?:\\[(\\d+)\\])?: ?(.*)$`,
);

/** A syslog or journal JSON line of a program; null for anything else (a kernel line counts: identifier 'kernel'). */
export function parseProgramLine(line: string, nowMs: number): ProgramLine | null {
  if (line.charCodeAt(0) === 0x7b /* { */) return parseJournalEntry(line);
  const m = SYSLOG_RE.exec(line.endsWith('\r') ? line.slice(0, -1) : line);
  if (!m) return null;
  const t = syslogTime(m[6], m[1], m[2], m[3], m[4], m[5], nowMs);
  return {
    identifier: m[8],
    // rsyslog escapes control characters as #ooo (octal); #012 is a newline.
    text: m[10].replace(/#012/g, '\n'),
    pid: m[9] ? Number(m[9]) : null,
    wallMs: t.wallMs,
    wallExact: t.exact,
    monotonicUs: null,
    bootId: null,
    hostname: m[7],
    cursor: null,
  };
}

/** One journalctl -o json entry; null when the line is not one. */
export function parseJournalEntry(line: string): ProgramLine | null {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (!o || typeof o !== 'object') return null;
  const str = (k: string): string | null => (typeof o[k] === 'string' ? o[k] : null);
  const num = (k: string): number | null => (typeof o[k] === 'string' && /^\d+$/.test(o[k]) ? Number(o[k]) : null);
  const msg = o.MESSAGE;
  // journald stores a message that is not valid UTF-8 as an array of bytes.
  const text = typeof msg === 'string' ? msg : Array.isArray(msg) ? Buffer.from(msg as number[]).toString('utf8') : null;
  const identifier = str('SYSLOG_IDENTIFIER') ?? (str('_TRANSPORT') === 'kernel' ? 'kernel' : str('_COMM'));
  if (text === null || identifier === null) return null;
  const realtimeUs = num('__REALTIME_TIMESTAMP');
  return {
    identifier,
    text,
    pid: num('_PID') ?? num('SYSLOG_PID'),
    wallMs: realtimeUs === null ? null : Math.floor(realtimeUs / 1000),
    wallExact: realtimeUs !== null,
    monotonicUs: num('__MONOTONIC_TIMESTAMP'),
    bootId: str('_BOOT_ID'),
    hostname: str('_HOSTNAME'),
    cursor: str('__CURSOR'),
  };
}
