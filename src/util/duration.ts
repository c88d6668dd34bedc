const UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Parses a duration such as `10s`, `1m30s`, `2h`, `7d`, `500ms` into milliseconds.
 * Returns null when the text is not a duration (callers build the error message, naming the key).
 * @example parseDurationMs('1m30s') // 90000
 */
export function parseDurationMs(text: string): number | null {
  const s = text.trim();
  if (!s) return null;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * UNITS_MS[m[2]];
    matched = re.lastIndex;
  }
  if (matched !== s.length) return null;
  return Math.round(total);
}

/** Formats milliseconds compactly: 90000 → "1m30s". */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join('');
}

/**
 * Parses a point in time for the CLI: an ISO date/time, `now`, or a duration ago (`15m`, `2h`).
 * Returns epoch ms, or null when the text is neither.
 */
export function parseTimeMs(text: string, nowMs: number, timeZone = 'UTC'): number | null {
  if (text === 'now') return nowMs;
  const ago = parseDurationMs(text);
  if (ago !== null) return nowMs - ago;
  // A date and time without an offset is a wall-clock time in `timeZone` (the zone reports are shown in),
  // never in whatever zone this process happens to run with.
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?$/.exec(text.trim());
  if (local) {
    const [y, mo, d, h = '0', mi = '0', sec = '0', frac = '0'] = local.slice(1);
    const wall = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec, +frac.slice(0, 3).padEnd(3, '0'));
    // Date.UTC rolls 25:00 or month 13 over into the next day or year: refuse instead.
    const back = new Date(wall);
    if (
      Number.isNaN(wall) ||
      back.getUTCMonth() !== +mo - 1 ||
      back.getUTCDate() !== +d ||
      back.getUTCHours() !== +h ||
      back.getUTCMinutes() !== +mi ||
      back.getUTCSeconds() !== +sec
    )
      return null;
    // The zone's offset at that instant; recomputed once so a DST change between the two is honoured.
    const first = wall - zoneOffsetMs(timeZone, wall);
    return wall - zoneOffsetMs(timeZone, first);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

/** How far `timeZone`'s wall clock is ahead of UTC at instant `atMs` (ms). */
export function zoneOffsetMs(timeZone: string, atMs: number): number {
  const parts = zoneFormatter(timeZone).formatToParts(atMs);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(atMs / 1000) * 1000;
}

/** Building an Intl.DateTimeFormat costs far more than using one: one per zone (a handful in any config). */
const zoneFormatters = new Map<string, Intl.DateTimeFormat>();
function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = zoneFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    zoneFormatters.set(timeZone, f);
  }
  return f;
}
