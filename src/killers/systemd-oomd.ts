/**
 * systemd-oomd's kill lines (src/oom/oomd-manager.c, systemd v247+):
 *   "Killed %s due to memory pressure for %s being %lu.%02lu%% > %lu.%02lu%% for > %s with reclaim activity"
 *   "Killed %s due to swap used (%PRIu64) / total (%PRIu64) being more than %lu.%02lu%%"
 * (v247/248 print the pressure line without " with reclaim activity"). It kills a whole cgroup: the victim is that
 * cgroup, not one process. Pure.
 */
import type { KillerDraft } from './draft.js';

const PRESSURE_RE = /^Killed (\S+) due to memory pressure for (\S+) being ([\d.]+%) > ([\d.]+%) for > (\S+)( with reclaim activity)?\s*$/;
const SWAP_RE = /^Killed (\S+) due to swap used \((\d+)\) \/ total \((\d+)\) being more than ([\d.]+%)\s*$/;

export function parseSystemdOomd(text: string): KillerDraft | null {
  const p = PRESSURE_RE.exec(text);
  if (p)
    return {
      killer: 'systemd-oomd',
      cgroup: p[1],
      monitoredCgroup: p[2],
      reason: `memory pressure on ${p[2]} ${p[3]} > ${p[4]} for > ${p[5]}${p[6] ? ' with reclaim activity' : ''}`,
      victim: null,
      lines: [text],
    };
  const s = SWAP_RE.exec(text);
  if (s) {
    const pct = Number(s[3]) > 0 ? ` (${((Number(s[2]) / Number(s[3])) * 100).toFixed(2)}%)` : '';
    return {
      killer: 'systemd-oomd',
      cgroup: s[1],
      reason: `swap used ${s[2]} of ${s[3]} bytes${pct} > ${s[4]}`,
      victim: null,
      lines: [text],
    };
  }
  // A kill line of a version not seen yet: kept raw rather than dropped.
  if (/^Killed \//.test(text))
    return { killer: 'systemd-oomd', cgroup: /^Killed (\S+)/.exec(text)![1], reason: null, victim: null, lines: [text], unparsed: true };
  return null;
}
