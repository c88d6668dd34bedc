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
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
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
export function parseTimeMs(text: string, nowMs: number): number | null {
  if (text === 'now') return nowMs;
  const ago = parseDurationMs(text);
  if (ago !== null) return nowMs - ago;
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}
