import { ParseError } from '../../errors.js';

/** Parses a file holding one integer (oom_score, oom_score_adj, memory.max…). */
export function parseIntFile(text: string, what: string): number {
  const n = Number.parseInt(text.trim(), 10);
  if (!Number.isFinite(n)) throw new ParseError(what, text, 'expected an integer');
  return n;
}

/** /proc/<pid>/cmdline: NUL-separated arguments; empty for kernel threads and zombies. */
export function parseCmdline(raw: string): string[] {
  if (!raw) return [];
  const parts = raw.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** /proc/sys/kernel/random/boot_id: a UUID, new at each boot. */
export function parseBootId(text: string): string {
  const id = text.trim();
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new ParseError('boot_id', text, 'expected a UUID');
  return id.toLowerCase();
}

/** /proc/uptime: "<seconds since boot, suspend included> <idle seconds>"; the first field in ms. */
export function parseUptimeMs(text: string): number {
  const s = Number(text.split(' ')[0]);
  if (!Number.isFinite(s)) throw new ParseError('uptime', text, 'expected seconds since boot');
  return Math.round(s * 1000);
}
