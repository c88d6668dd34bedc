/** Reads the oom_kill counter from /proc/vmstat (Linux 4.13+); null when the kernel lacks it. */
export function parseVmstatOomKill(text: string): number | null {
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : null;
}

/** Parses a flat "key value" file (vmstat, memory.events, memory.oom_control, memory.stat). */
export function parseKeyValues(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const n = Number(line.slice(sp + 1));
    if (Number.isFinite(n)) out.set(line.slice(0, sp), n);
  }
  return out;
}
