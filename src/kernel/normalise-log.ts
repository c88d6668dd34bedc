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
import type { KernelRecord } from './types.js';

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

const DMESG_RE = /^\[\s*(\d+)\.(\d+)\] ?(.*)$/;
const DMESG_T_RE = /^\[(\S+)\s+(\S+)\s+(\d{1,2}) (\d\d):(\d\d):(\d\d) (\d{4})\] ?(.*)$/;
const ISO = String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?`;
const DMESG_ISO_RE = new RegExp(`^(${ISO}) (.*)$`);
const SYSLOG_RE = new RegExp(`^(?:([A-Z][a-z]{2}) +(\\d{1,2}) (\\d\\d):(\\d\\d):(\\d\\d)(?:\\.\\d+)?|(${ISO})) (\\S+) kernel: ?(.*)$`);
// A syslog/journal line of another program (journalctl without -k, a whole /var/log/syslog).
const SYSLOG_OTHER_RE = new RegExp(`^(?:[A-Z][a-z]{2} +\\d{1,2} \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?|${ISO}) \\S+ [^\\s:]+: `);
const INNER_TS_RE = /^\[\s*(\d+)\.(\d+)\] ?(.*)$/;

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
  const nowMs = opts.nowMs ?? 0;
  const records: KernelRecord[] = [];
  const formats: Partial<Record<LogFormat, number>> = {};
  const count = (f: LogFormat) => (formats[f] = (formats[f] ?? 0) + 1);
  let prevFormat: LogFormat | null = null;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') {
      prevFormat = null;
      continue;
    }
    const first = line.charCodeAt(0);
    // Continuation: an indented line after a dmesg-style record belongs to it (dmesg prints the
    // record's embedded newlines that way); after a kmsg record it is the record's dictionary.
    if (first === 0x20 && prevFormat !== null) {
      if (prevFormat === 'kmsg') continue;
      if (prevFormat === 'dmesg' || prevFormat === 'dmesg-T' || prevFormat === 'dmesg-iso') {
        const last = records[records.length - 1];
        last.text += `\n${line.trim()}`;
        continue;
      }
    }
    if (first === 0x7b /* { */) {
      const rec = parseJournalJson(line);
      if (rec !== undefined) {
        prevFormat = 'journal-json';
        count('journal-json');
        if (rec) records.push(rec);
        continue;
      }
    }
    if (first >= 0x30 && first <= 0x39) {
      const k = parseKmsgRecord(line);
      if (k) {
        prevFormat = 'kmsg';
        count('kmsg');
        records.push({ text: k.text, seq: k.seq, monotonicUs: k.tsUsec, wallMs: null });
        continue;
      }
    }
    const sys = SYSLOG_RE.exec(line);
    if (sys) {
      prevFormat = 'syslog';
      count('syslog');
      records.push(syslogRecord(sys, nowMs));
      continue;
    }
    if (SYSLOG_OTHER_RE.test(line)) {
      prevFormat = 'syslog';
      count('other');
      continue;
    }
    if (first === 0x5b /* [ */) {
      const d = DMESG_RE.exec(line);
      if (d) {
        prevFormat = 'dmesg';
        count('dmesg');
        records.push({ text: d[3], seq: null, monotonicUs: toUs(d[1], d[2]), wallMs: null });
        continue;
      }
      const t = DMESG_T_RE.exec(line);
      if (t) {
        prevFormat = 'dmesg-T';
        count('dmesg-T');
        const month = monthIndex(t[2]);
        const wallMs = month === null ? null : Date.UTC(Number(t[7]), month, Number(t[3]), Number(t[4]), Number(t[5]), Number(t[6]));
        records.push({ text: t[8], seq: null, monotonicUs: null, wallMs, wallExact: false });
        continue;
      }
    }
    if (first >= 0x30 && first <= 0x39) {
      const iso = DMESG_ISO_RE.exec(line);
      if (iso) {
        prevFormat = 'dmesg-iso';
        count('dmesg-iso');
        const { ms, exact } = parseIso(iso[1]);
        records.push({ text: iso[2], seq: null, monotonicUs: null, wallMs: ms, wallExact: exact });
        continue;
      }
    }
    prevFormat = 'plain';
    count('plain');
    records.push({ text: line, seq: null, monotonicUs: null, wallMs: null });
  }
  return { records, formats };
}

function syslogRecord(m: RegExpExecArray, nowMs: number): KernelRecord {
  let wallMs: number | null = null;
  let exact = false;
  if (m[6]) {
    const p = parseIso(m[6]);
    wallMs = p.ms;
    exact = p.exact;
  } else {
    const month = monthIndex(m[1]);
    if (month !== null) {
      const year = new Date(nowMs).getUTCFullYear();
      wallMs = Date.UTC(year, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
      // No year in the line: a date more than a day ahead of "now" belongs to last year.
      if (nowMs > 0 && wallMs > nowMs + 86_400_000) wallMs = Date.UTC(year - 1, month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
    }
  }
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
  const us = (k: string): number | null => (typeof o[k] === 'string' && /^\d+$/.test(o[k] as string) ? Number(o[k]) : null);
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
