import { ParseError } from '../../errors.js';
import type { HostMemory } from '../../model/snapshot.js';

/** Parses /proc/meminfo into bytes. MemAvailable exists since 3.14; older kernels get an estimate (Free + Buffers + Cached). */
export function parseMeminfo(text: string): HostMemory {
  const kv = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (m) kv.set(m[1], Number(m[2]) * (line.includes('kB') ? 1024 : 1));
  }
  const total = kv.get('MemTotal');
  if (total === undefined) throw new ParseError('/proc/meminfo', text, 'no MemTotal');
  const free = kv.get('MemFree') ?? 0;
  return {
    memTotalBytes: total,
    memAvailableBytes: kv.get('MemAvailable') ?? free + (kv.get('Buffers') ?? 0) + (kv.get('Cached') ?? 0),
    memFreeBytes: free,
    swapTotalBytes: kv.get('SwapTotal') ?? 0,
    swapFreeBytes: kv.get('SwapFree') ?? 0,
  };
}
