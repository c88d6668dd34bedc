/**
 * Host and cgroup kinds: host-memory-available, swap-used, psi, cgroup-usage, time-to-oom.
 * Each returns an observation per subject that exists this tick ('host', or 'cgroup:<path>'); a subject
 * that is absent (swap switched off, PSI unavailable, cgroup removed) is handled by the lifecycle.
 */
import { formatBytes } from '../../util/format.js';
import type { CompiledRule, Observation } from '../types.js';
import { cgroupLabels, hasLimit, hostLabels, inScope, type KindContext, levelAbove } from './context.js';
import { timeToOom } from './time-to-oom.js';

export { formatEta } from './time-to-oom.js';

type Of<K extends CompiledRule['kind']> = Extract<CompiledRule, { kind: K }>;
export type HostRule = Of<'host-memory-available' | 'swap-used' | 'psi' | 'cgroup-usage' | 'time-to-oom'>;
const HOST_KINDS = new Set(['host-memory-available', 'swap-used', 'psi', 'cgroup-usage', 'time-to-oom']);
export const isHostRule = (r: CompiledRule): r is HostRule => HOST_KINDS.has(r.kind);

const pct = (v: number): string => `${v.toFixed(1)} %`;

function hostMemory(rule: Of<'host-memory-available'>, ctx: KindContext): Observation[] {
  const m = ctx.snapshot.memory;
  if (m.memTotalBytes <= 0) return [];
  const availPct = (m.memAvailableBytes / m.memTotalBytes) * 100;
  const bytes = m.memAvailableBytes;
  const raisePct = rule.belowPercent !== undefined && availPct <= rule.belowPercent;
  const raiseBytes = rule.belowBytes !== undefined && bytes <= rule.belowBytes;
  const clearPct = rule.belowPercent === undefined || availPct > (rule.clearAbovePercent ?? rule.belowPercent + 5);
  const clearBytes = rule.belowBytes === undefined || bytes > (rule.clearAboveBytes ?? rule.belowBytes * 1.25);
  const level = raisePct || raiseBytes ? 'raise' : clearPct && clearBytes ? 'clear' : 'hold';
  const limit = [rule.belowPercent !== undefined ? pct(rule.belowPercent) : null, rule.belowBytes !== undefined ? formatBytes(rule.belowBytes) : null]
    .filter(Boolean)
    .join(' or ');
  return [
    {
      subject: 'host',
      level,
      value: availPct,
      summary: `MemAvailable ${pct(availPct)} (${formatBytes(bytes)} of ${formatBytes(m.memTotalBytes)}), limit ${limit}`,
      details: [
        { label: 'MemAvailable', value: formatBytes(bytes) },
        { label: 'MemTotal', value: formatBytes(m.memTotalBytes) },
        { label: 'swap free', value: formatBytes(m.swapFreeBytes) },
      ],
      labels: hostLabels,
    },
  ];
}

function swapUsed(rule: Of<'swap-used'>, ctx: KindContext): Observation[] {
  const m = ctx.snapshot.memory;
  if (m.swapTotalBytes <= 0) return [];
  const usedPct = ((m.swapTotalBytes - m.swapFreeBytes) / m.swapTotalBytes) * 100;
  return [
    {
      subject: 'host',
      level: levelAbove(usedPct, rule.abovePercent, rule.clearBelowPercent ?? rule.abovePercent - 10),
      value: usedPct,
      summary: `swap ${pct(usedPct)} used (${formatBytes(m.swapTotalBytes - m.swapFreeBytes)} of ${formatBytes(m.swapTotalBytes)}) ≥ ${pct(rule.abovePercent)}`,
      details: [{ label: 'swap used', value: formatBytes(m.swapTotalBytes - m.swapFreeBytes) }],
      labels: hostLabels,
    },
  ];
}

/** null when this tick has no PSI reading (a failed read, or a kernel without PSI): the state is held, not cleared. */
function psi(rule: Of<'psi'>, ctx: KindContext): Observation[] | null {
  const line = ctx.snapshot.psi?.[rule.line];
  if (!line) return null;
  const v = line[rule.window];
  return [
    {
      subject: 'host',
      level: levelAbove(v, rule.above, rule.clearBelow ?? rule.above / 2),
      value: v,
      summary: `memory pressure ${rule.line} ${rule.window} ${v.toFixed(1)} % ≥ ${rule.above} %`,
      details: [
        { label: `${rule.line} avg10`, value: `${line.avg10.toFixed(1)} %` },
        { label: `${rule.line} avg60`, value: `${line.avg60.toFixed(1)} %` },
        { label: `${rule.line} avg300`, value: `${line.avg300.toFixed(1)} %` },
      ],
      labels: hostLabels,
    },
  ];
}


function cgroupUsage(rule: Of<'cgroup-usage'>, ctx: KindContext): Observation[] {
  const out: Observation[] = [];
  for (const c of ctx.snapshot.cgroups) {
    if (!hasLimit(c) || !inScope(rule, c.path)) continue;
    const usedPct = (c.usageBytes / c.limitBytes) * 100;
    const level = levelAbove(usedPct, rule.abovePercent, rule.clearBelowPercent ?? rule.abovePercent - 5);
    if (level !== 'raise' && !ctx.existing.has(`cgroup:${c.path}`)) continue;
    out.push({
      subject: `cgroup:${c.path}`,
      level,
      value: usedPct,
      summary: `cgroup ${c.path} at ${pct(usedPct)} of its ${formatBytes(c.limitBytes)} limit (≥ ${pct(rule.abovePercent)})`,
      details: [
        { label: 'usage', value: formatBytes(c.usageBytes) },
        { label: 'limit', value: formatBytes(c.limitBytes) },
        { label: 'OOM kills so far', value: c.oomKillCount === null ? 'unknown' : String(c.oomKillCount) },
      ],
      labels: cgroupLabels(c.path),
      cgroup: c.path,
    });
  }
  return out;
}

/** The host rule's observations; null when the tick lacks the data the rule reads (its instances are carried). */
export function observeHost(rule: HostRule, ctx: KindContext): Observation[] | null {
  switch (rule.kind) {
    case 'host-memory-available':
      return hostMemory(rule, ctx);
    case 'swap-used':
      return swapUsed(rule, ctx);
    case 'psi':
      return psi(rule, ctx);
    case 'cgroup-usage':
      return cgroupUsage(rule, ctx);
    case 'time-to-oom':
      return timeToOom(rule, ctx);
  }
}
