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

/** A long id inside a cgroup path segment: a pod UID (with - or _) or a container id, after "pod", "-", "_" or the segment start. */
const LONG_ID = /(?<=^|pod|[-_])[0-9a-f]{8}[0-9a-f_-]{16,}(?=$|\.)/gi;

/**
 * A cgroup path cut to `max` characters keeping what tells it apart: its END. A segment holding a long
 * id (a pod UID, a container id) becomes that id's first 8 characters ("kubepods-burstable-pod0f3c….slice"
 * → "pod0f3c1a2b…", "cri-containerd-3f5e….scope" → "3f5e8c1d…"), then leading segments give way to "…".
 * @example shortenCgroupPath('/kubepods/burstable/pod0f3c1a2b-7d1e-4c9a-9f0e-2b6d8a7c5e41/3f5e8c1d' + 'a'.repeat(56), 40)
 * // '…/burstable/pod0f3c1a2b…/3f5e8c1d…'
 */
export function shortenCgroupPath(path: string, max: number): string {
  if (path.length <= max) return path;
  const parts = path.split('/').map((seg) => {
    const m = seg.match(LONG_ID);
    if (!m) return seg;
    const pod = seg.slice(0, seg.indexOf(m[0])).endsWith('pod') ? 'pod' : '';
    return `${pod}${m[0].slice(0, 8)}…`;
  });
  let out = parts.join('/');
  for (let i = 1; out.length > max && i < parts.length - 1; i++) out = `…/${parts.slice(i + 1).join('/')}`;
  return out.length > max ? `…${out.slice(out.length - max + 1)}` : out;
}
