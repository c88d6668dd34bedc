import { ParseError } from '../../errors.js';
import type { MemoryPsi, PsiLine } from '../../model/snapshot.js';

/** Parses /proc/pressure/memory (Linux 4.20+, CONFIG_PSI) or a cgroup v2 memory.pressure. */
export function parsePsi(text: string): MemoryPsi {
  let some: PsiLine | null = null;
  let full: PsiLine | null = null;
  for (const line of text.split('\n')) {
    const m = /^(some|full) avg10=([\d.]+) avg60=([\d.]+) avg300=([\d.]+) total=(\d+)/.exec(line.trim());
    if (!m) continue;
    const v = { avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), totalUs: Number(m[5]) };
    if (m[1] === 'some') some = v;
    else full = v;
  }
  if (!some) throw new ParseError('memory pressure (PSI)', text, 'no "some" line');
  return { some, full };
}
