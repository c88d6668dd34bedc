import { cgroupWithin } from '../../sample/match.js';
import type { CgroupMemory, HostSnapshot, ProcessSample } from '../../model/snapshot.js';
import { hostShare, type RuleHistory, type TickIndex } from '../history.js';
import type { InstanceState, Observation } from '../../model/rule-state.js';

/** What every kind evaluator sees for one tick. */
export interface KindContext {
  host: string;
  snapshot: HostSnapshot;
  index: TickIndex;
  history: RuleHistory;
  isProtected: (p: ProcessSample) => boolean;
  nowMs: number;
  /** This rule's current instances by subject. */
  existing: ReadonlyMap<string, InstanceState>;
}

/** raise at/above `raise`, clear below `clear`, hold in between (hysteresis). */
export function levelAbove(value: number, raise: number, clear: number): Observation['level'] {
  return value >= raise ? 'raise' : value < clear ? 'clear' : 'hold';
}

/** The mirror image, for "below" thresholds: raise at/below `raise`, clear above `clear`. */
export function levelBelow(value: number, raise: number, clear: number): Observation['level'] {
  return value <= raise ? 'raise' : value > clear ? 'clear' : 'hold';
}

export const processSubject = (bootId: string, p: { pid: number; startTimeTicks: number }): string =>
  `proc:${bootId}:${p.pid}:${p.startTimeTicks}`;

export function processRef(p: ProcessSample): NonNullable<Observation['process']> {
  return { pid: p.pid, startTimeTicks: p.startTimeTicks, comm: p.comm, cmdline: p.cmdline, uid: p.uid, unit: p.unit, cgroup: p.cgroup };
}

export function processLabels(p: Pick<ProcessSample, 'comm' | 'unit' | 'cgroup'>): Record<string, string> {
  const labels: Record<string, string> = { scope: 'process', comm: p.comm, cgroup: p.cgroup };
  if (p.unit) labels.unit = p.unit;
  return labels;
}

/** `postgres (pid 812)`; untrusted text, escaped by each renderer. */
export const nameOf = (p: { comm: string; pid: number }): string => `${p.comm} (pid ${p.pid})`;

export const permille = (v: number): string => `${Math.round(v)} ‰`;

export const hostLabels = { scope: 'host' };
export const cgroupLabels = (path: string) => ({ scope: 'cgroup', cgroup: path });

/** v1 reports "no limit" as a huge page-rounded number (9223372036854771712); anything past 2^60 is no limit. */
export const hasLimit = (c: CgroupMemory): boolean => Number.isFinite(c.limitBytes) && c.limitBytes > 0 && c.limitBytes < 2 ** 60;

/** Whether a cgroup kind's rule looks at this cgroup (scope.cgroup is a path prefix). */
export function inScope(rule: { scope?: { cgroup?: string } }, path: string): boolean {
  return !rule.scope?.cgroup || cgroupWithin(path, rule.scope.cgroup);
}

/** The room left before the cgroup's OOM: its limit plus its swap limit, minus what it uses of both. */
export const cgroupHeadroomBytes = (c: CgroupMemory): number =>
  c.limitBytes + (c.swapLimitBytes ?? 0) - c.usageBytes - (c.swapUsageBytes ?? 0);

/** Where a process's own share is largest: its memory-limited cgroup or the host. */
export function tightestDomain(p: ProcessSample, ctx: KindContext): { kind: 'host' } | { kind: 'cgroup'; path: string } {
  const c = ctx.index.cgroupShareByPid.get(p.pid);
  return c !== undefined && c.share > hostShare(p, ctx.index) ? { kind: 'cgroup', path: c.domain } : { kind: 'host' };
}

export const domainText = (d: ReturnType<typeof tightestDomain>): string => (d.kind === 'host' ? 'the host' : `cgroup ${d.path}`);

/** `12.5 %` */
export const pct = (v: number): string => `${v.toFixed(1)} %`;
