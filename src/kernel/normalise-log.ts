/**
 * Turns a saved kernel log, in any of the formats users collect, into KernelRecords (pure):
 *   kmsg     raw /dev/kmsg records "6,675,919230925,-;text" (dictionary lines " KEY=…" skipped)
 *   dmesg    "[  917.197581] text"            (continuation lines of a multi-line record are indented)
 *   dmesg-T  "[Di Aug 12 03:54:03 2025] text" (ctime in the host's locale: weekday/month may not be English)
 *   dmesg-iso "2025-08-12T03:54:03,123456+02:00 text" (dmesg --time-format=iso)
 *   journal  journalctl -k short / short-iso / short-precise: "Aug 12 03:54:03 host kernel: text"
 *   syslog   kern.log: "Aug 12 03:54:03 host kernel: [  917.197581] text" (rsyslog escapes newlines as #012)
 *   json     journalctl -k -o json: one object per line (MESSAGE, _SOURCE_MONOTONIC_TIMESTAMP, __REALTIME_TIMESTAMP)
 *   plain    bare messages (prefix already stripped)
 * Formats may be mixed line by line. Local times without a zone (dmesg -T, syslog) are read as UTC and
 * marked inexact; syslog lines without a year take the year of `nowMs` (or the one before, if that
 * would put them in the future).
 */
import { parseKmsgRecord } from './parse-kmsg-record.js';
import type { KernelRecord } from '../model/kernel-report.js';

/** 'other': a syslog line of another program, skipped. */
export type LogFormat = 'kmsg' | 'dmesg' | 'dmesg-T' | 'dmesg-iso' | 'syslog' | 'journal-json' | 'plain' | 'other';

export interface NormaliseResult {
  records: KernelRecord[];
  /** Lines seen per format, so the CLI can say what it read. */
  formats: Partial<Record<LogFormat, number>>;
}

// Month abbreviations of the locales ctime(3) is most often run in (en, de, fr, es, it, nl, pt).
const MONTHS: Record<string, number> = {};
const MONTH_NAMES: string[][] = [
  ['jan', 'janv', 'ene', 'gen', 'jän'],
  ['feb', 'févr', 'fev', 'fév'],
  ['mar', 'mär', 'mrz', 'mars', 'mrt'],
  ['apr', 'avr', 'abr'],
  ['may', 'mai', 'mag', 'mei'],
  ['jun', 'juin', 'giu'],
  ['jul', 'juil', 'lug'],
  ['aug', 'août', 'ago', 'aoû'],
  ['sep', 'sept', 'set'],
  ['oct', 'okt', 'ott', 'out'],
  ['nov'],
  ['dec', 'dez', 'déc', 'dic'],
];
MONTH_NAMES.forEach((names, i) => names.forEach((n) => (MONTHS[n] = i)));

function monthIndex(token: string): number | null {
  const t = token.toLowerCase().replace(/\.$/, '');
  return MONTHS[t] ?? MONTHS[t.slice(0, 3)] ?? null;
}

// CONFIG_PRINTK_CALLER (5.1+) adds the caller after the time: "[   37.128158][ T9185] text" (task) or "[…][    C3] text" (CPU).
const DMESG_RE = /^\[\s*(\d+)\.(\d+)\](?:\[\s*[TC]\d+\])? ?(.*)$/;
const DMESG_T_RE = /^\[(\S+)\s+(\S+)\s+(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})\] ?(.*)$/;
const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?`;
const DMESG_ISO_RE = new RegExp(`^(${ISO}) (.*)$`);
const SYSLOG_RE = new RegExp(`^(?:([A-Z][a-z]{2}) +(\\d{1,2}) (\\d\\d):(\\d\\d):(\\d\\d)(?:\\.\\d+)?|(${ISO})) (\\S+) kernel: ?(.*)$`);
// A syslog/journal line of another program (journalctl without -k, a whole /var/log/syslog).
const SYSLOG_OTHER_RE = new RegExp(`^(?:[A-Z][a-z]{2} +\\d{1,2} \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?|${ISO}) \\S+ [^\\s:]+: `);
const INNER_TS_RE = /^\[\s*(\d+)\.(\d+)\](?:\[\s*[TC]\d+\])? ?(.*)$/;

/** Seconds and a fraction string ("197581") to µs. */
function toUs(sec: string, frac: string): number {
  return Number(sec) * 1_000_000 + Math.round(Number(`0.${frac}`) * 1_000_000);
}

function parseIso(s: string): { ms: number | null; exact: boolean } {
  const hasZone = /(?:Z|[+-]\d\d:?\d\d)$/.test(s);
  let norm = s.replace(',', '.').replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  // Date.parse keeps milliseconds only.
  norm = norm.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(hasZone ? norm : `${norm}Z`);
  return { ms: Number.isNaN(ms) ? null : ms, exact: hasZone };
}

/** Normalises a whole log text. `nowMs` anchors syslog timestamps that carry no year. */
export function normaliseLogText(text: string, opts: { nowMs?: number } = {}): NormaliseResult {
  const n = new LogNormaliser(opts);
  const records: KernelRecord[] = [];
  for (const line of text.split('\n')) records.push(...n.push(line));
  records.push(...n.end());
  return { records, formats: n.formats };
}

/**
 * The same, one line at a time, for logs of any size (import streams its file through this). A record is returned
 * once the next line shows it is complete: an indented line may still continue it.
 */
export class LogNormaliser {
  /** Lines seen per format. */
  readonly formats: Partial<Record<LogFormat, number>> = {};
  private readonly nowMs: number;
  private prevFormat: LogFormat | null = null;
  private pending: KernelRecord | null = null;

  constructor(opts: { nowMs?: number } = {}) {
    this.nowMs = opts.nowMs ?? 0;
  }

  /** One line without its newline; returns the records it completed (zero or one). */
  push(rawLine: string): KernelRecord[] {
    const done: KernelRecord[] = [];
    const rec = this.parse(rawLine);
    if (rec && this.pending) done.push(this.pending);
    if (rec) this.pending = rec;
    return done;
  }

  /** The end of the log: the last record. */
  end(): KernelRecord[] {
    const last = this.pending;
    this.pending = null;
    return last ? [last] : [];
  }

  private count(f: LogFormat): void {
    this.formats[f] = (this.formats[f] ?? 0) + 1;
  }

  /** A new record, or null when the line was skipped or continued the pending record. */
  private parse(rawLine: string): KernelRecord | null {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '') {
      this.prevFormat = null;
      return null;
    }
    const first = line.charCodeAt(0);
    // Continuation: an indented line after a dmesg-style record belongs to it (dmesg prints the
    // record's embedded newlines that way); after a kmsg record it is the record's dictionary.
    if (first === 0x20 && this.prevFormat !== null) {
      if (this.prevFormat === 'kmsg') return null;
      if ((this.prevFormat === 'dmesg' || this.prevFormat === 'dmesg-T' || this.prevFormat === 'dmesg-iso') && this.pending) {
        this.pending.text += `\n${line.trim()}`;
        return null;
      }
    }
    if (first === 0x7b /* { */) {
      const rec = parseJournalJson(line);
      if (rec !== undefined) {
        this.seen('journal-json');
        return rec;
      }
    }
    if (first >= 0x30 && first <= 0x39) {
      const k = parseKmsgRecord(line);
      if (k) {
        this.seen('kmsg');
        return { text: k.text, seq: k.seq, monotonicUs: k.tsUsec, wallMs: null };
      }
    }
    const sys = SYSLOG_RE.exec(line);
    if (sys) {
      this.seen('syslog');
      return syslogRecord(sys, this.nowMs);
    }
    if (SYSLOG_OTHER_RE.test(line)) {
      this.prevFormat = 'syslog';
      this.count('other');
      return null;
    }
    if (first === 0x5b /* [ */) {
      const d = DMESG_RE.exec(line);
      if (d) {
        this.seen('dmesg');
        return { text: d[3], seq: null, monotonicUs: toUs(d[1], d[2]), wallMs: null };
      }
      const t = DMESG_T_RE.exec(line);
      if (t) {
        this.seen('dmesg-T');
        const month = monthIndex(t[2]);
        const wallMs = month === null ? null : Date.UTC(Number(t[7]), month, Number(t[3]), Number(t[4]), Number(t[5]), Number(t[6]));
        return { text: t[8], seq: null, monotonicUs: null, wallMs, wallExact: false };
      }
    }
    if (first >= 0x30 && first <= 0x39) {
      const iso = DMESG_ISO_RE.exec(line);
      if (iso) {
        this.seen('dmesg-iso');
        const { ms, exact } = parseIso(iso[1]);
        return { text: iso[2], seq: null, monotonicUs: null, wallMs: ms, wallExact: exact };
      }
    }
    this.seen('plain');
    return { text: line, seq: null, monotonicUs: null, wallMs: null };
  }

  private seen(f: LogFormat): void {
    this.prevFormat = f;
    this.count(f);
  }
}

/**
 * Whether the first bytes of a file are not a text log: a NUL byte (journal files, gzip, core dumps), or more than
 * 10 % control bytes other than tab, newline, carriage return, form feed and escape.
 */
export function looksBinary(head: Uint8Array): boolean {
  let control = 0;
  for (const b of head) {
    if (b === 0) return true;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) || b === 0x7f) control++;
  }
  return head.length > 0 && control * 10 > head.length;
}

/**
 * The time of a syslog line: an ISO stamp (RFC 5424, rsyslog's high-precision format), exact when it has a zone; or
 * "Aug 12 03:54:03" without year or zone, read as UTC in the year of `nowMs` (or the one before, when that would put
 * it more than a day in the future) and inexact.
 */
export function syslogTime(
  iso: string | undefined,
  monthName: string,
  day: string,
  hh: string,
  mm: string,
  ss: string,
  nowMs: number,
): { wallMs: number | null; exact: boolean } {
  if (iso) {
    const p = parseIso(iso);
    return { wallMs: p.ms, exact: p.exact };
  }
  const month = monthIndex(monthName);
  if (month === null) return { wallMs: null, exact: false };
  const year = new Date(nowMs).getUTCFullYear();
  let wallMs = Date.UTC(year, month, Number(day), Number(hh), Number(mm), Number(ss));
  if (nowMs > 0 && wallMs > nowMs + 86_400_000) wallMs = Date.UTC(year - 1, month, Number(day), Number(hh), Number(mm), Number(ss));
  return { wallMs, exact: false };
}

function syslogRecord(m: RegExpExecArray, nowMs: number): KernelRecord {
  const { wallMs, exact } = syslogTime(m[6], m[1], m[2], m[3], m[4], m[5], nowMs);
  // rsyslog escapes control characters as #ooo (octal); #012 is the newline of a multi-line record.
  let text = m[8];
  let monotonicUs: number | null = null;
  const inner = INNER_TS_RE.exec(text);
  if (inner) {
    monotonicUs = toUs(inner[1], inner[2]);
    text = inner[3];
  }
  text = text.replace(/#012/g, '\n');
  return { text, seq: null, monotonicUs, wallMs, wallExact: exact, hostname: m[7] };
}

/**
 * One journal export line (journalctl -o json). Returns undefined when the line is not JSON at all,
 * null for a JSON entry that is not a kernel message.
 */
function parseJournalJson(line: string): KernelRecord | null | undefined {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined; // not JSON: let the other formats try
  }
  if (!o || typeof o !== 'object' || !('MESSAGE' in o)) return undefined;
  if (typeof o._TRANSPORT === 'string' && o._TRANSPORT !== 'kernel') return null;
  const msg = o.MESSAGE;
  // journald stores a message that is not valid UTF-8 as an array of bytes.
  const text = typeof msg === 'string' ? msg : Array.isArray(msg) ? Buffer.from(msg as number[]).toString('utf8') : null;
  if (text === null) return null;
  const us = (k: string): number | null => (typeof o[k] === 'string' && /^\d+$/.test(o[k]) ? Number(o[k]) : null);
  const realtimeUs = us('__REALTIME_TIMESTAMP');
  return {
    text,
    seq: null,
    monotonicUs: us('_SOURCE_MONOTONIC_TIMESTAMP') ?? us('__MONOTONIC_TIMESTAMP'),
    wallMs: realtimeUs === null ? null : Math.floor(realtimeUs / 1000),
    wallExact: realtimeUs !== null,
    bootId: typeof o._BOOT_ID === 'string' ? o._BOOT_ID : null,
    hostname: typeof o._HOSTNAME === 'string' ? o._HOSTNAME : null,
  };
}
