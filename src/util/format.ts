const KIB = 1024;

/** 1536 → "1.5 KiB"; binary units, as free(1) -h and the kernel's own reports use. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= KIB && i < units.length - 1) {
    v /= KIB;
    i++;
  }
  const sign = bytes < 0 ? '-' : '';
  return `${sign}${i === 0 ? v : v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

export function formatPercent(fraction: number | null | undefined, digits = 0): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '-';
  return `${(fraction * 100).toFixed(digits)} %`;
}

export function formatIso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Formats epoch ms in an IANA time zone as "2026-11-26 06:00:55 UTC" style text. */
export function formatInZone(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
    timeZoneName: 'short',
  }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}:${get('second')} ${get('timeZoneName')}`;
}

const SPARK = '▁▂▃▄▅▆▇█';

/** A one-line sparkline of a series (nulls are gaps). */
export function sparkline(values: readonly (number | null)[], min?: number, max?: number): string {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return '';
  const lo = min ?? Math.min(...finite);
  const hi = max ?? Math.max(...finite);
  const span = hi - lo || 1;
  return values
    .map((v) => (v === null || !Number.isFinite(v) ? ' ' : SPARK[Math.max(0, Math.min(7, Math.floor(((v - lo) / span) * 7.999)))]))
    .join('');
}
