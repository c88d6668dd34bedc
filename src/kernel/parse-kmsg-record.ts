/**
 * Pure parser for /dev/kmsg records (Documentation/ABI/testing/dev-kmsg):
 *
 *   "<prio>,<seq>,<ts_usec>,<flags>[,<more fields>];<message>\n"
 *   " KEY=value\n"            (optional continuation lines: the record's dictionary)
 *
 * prio = facility * 8 + level. The kernel escapes bytes < 0x20, >= 0x7f and the backslash as `\xHH`
 * (so an embedded newline arrives as `\x0a` and UTF-8 text byte by byte); unescapeKmsg() undoes it.
 */

export interface KmsgRecord {
  facility: number;
  level: number;
  seq: number;
  tsUsec: number;
  /** '-' (normal), 'c' (continuation start, pre-4.9) or '+' (continuation). */
  flags: string;
  text: string;
}

const HEADER_RE = /^(\d+),(\d+),(\d+),([^,;]*)(?:,[^;]*)?;/;

/**
 * Parses one record's first line. Returns null for a line that is not a record header
 * (a dictionary continuation line starts with a space and belongs to the previous record).
 * @example parseKmsgRecord('6,675,919230925,-;oom_reaper: reaped process 1 (a)').seq // 675
 */
export function parseKmsgRecord(line: string): KmsgRecord | null {
  const m = HEADER_RE.exec(line);
  if (!m) return null;
  const prio = Number(m[1]);
  let text = line.slice(m[0].length);
  if (text.endsWith('\n')) text = text.slice(0, -1);
  return {
    facility: prio >> 3,
    level: prio & 7,
    seq: Number(m[2]),
    tsUsec: Number(m[3]),
    flags: m[4],
    text: unescapeKmsg(text),
  };
}

/** True for a dictionary continuation line (" SUBSYSTEM=…") that follows a record. */
export function isKmsgContinuation(line: string): boolean {
  return line.startsWith(' ');
}

const BACKSLASH = 0x5c;
const LOWER_X = 0x78;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/**
 * Undoes the kernel's `\xHH` escaping byte by byte, then decodes UTF-8 (a comm such as "cafè" arrives
 * as "caf\xc3\xa8"). A backslash not followed by x and two hex digits is kept as is.
 * @example unescapeKmsg('a\\x0ab') // 'a\nb'
 */
export function unescapeKmsg(s: string): string {
  if (!s.includes('\\x')) return s;
  const src = Buffer.from(s, 'utf8');
  const out = Buffer.alloc(src.length);
  let o = 0;
  for (let i = 0; i < src.length; i++) {
    if (src[i] === BACKSLASH && src[i + 1] === LOWER_X && i + 3 < src.length) {
      const hi = hexValue(src[i + 2]);
      const lo = hexValue(src[i + 3]);
      if (hi >= 0 && lo >= 0) {
        out[o++] = hi * 16 + lo;
        i += 3;
        continue;
      }
    }
    out[o++] = src[i];
  }
  return out.subarray(0, o).toString('utf8');
}
