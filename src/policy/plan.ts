import type { CgroupMemory, HostMemory, HostSnapshot, ProcessKey, ProcessSample } from '../model/snapshot.js';
import { cgroupEffects, type CgroupEffect } from './cgroup-effect.js';
import type { CompiledPolicy, CompiledRule } from './compile.js';
import { ruleFor } from './compile.js';
import { usageBytes } from '../sample/risk.js';
import { describeEffect, hostTotalBytes, rankHost, type Effect } from './effect.js';
import { sanitizeTerminal, capLength } from '../util/escape.js';

/**
 * planAdjustments: which processes the policy selects, the value each should get, and what that means here. Pure:
 * no clock, no /proc; the caller passes the processes of one snapshot and the host's memory totals.
 */

/** The planned process's identity and facts (no cmdline: it may hold secrets and is not needed to apply). */
export interface PlannedProcess extends ProcessKey {
  ppid: number;
  comm: string;
  exe: string | null;
  uid: number | null;
  unit: string | null;
}

export interface ExistingChild {
  pid: number;
  comm: string;
  oomScoreAdj: number;
  /** The rule that decides the child's value (its own match), or null when no rule selects it. */
  ruleId: string | null;
}

export interface ChildrenNote {
  /** oom_score_adj is copied to a child at fork (kernel/fork.c copy_signal()), so later children start with the target. */
  coversLaterChildren: true;
  existing: ExistingChild[];
  text: string;
}

export interface PlanEntry {
  process: PlannedProcess;
  rule: { id: string; index: number; level: string | null; why: string | null };
  currentAdj: number;
  targetAdj: number;
  /** 'set': the value differs and would be written; 'keep': already at the target. */
  action: 'set' | 'keep';
  /**
   * Lowering below the floor set by the last privileged writer (0 unless one set it lower) needs CAP_SYS_RESOURCE
   * (fs/proc/base.c __set_oom_adj()). The floor cannot be read, so this predicts from the current value.
   */
  mayNeedCapability: boolean;
  children: ChildrenNote;
  /** Host-wide (global) OOM: the value against RAM+swap and the host ranking. */
  effect: Effect;
  /** Memory-cgroup OOM: the value against the innermost limited cgroup's limit, when the process is in one. */
  cgroupEffect: CgroupEffect | null;
}

export interface PlanHostFacts {
  memory: Pick<HostMemory, 'memTotalBytes' | 'swapTotalBytes'>;
  /** Memory-limited cgroups (HostSnapshot.cgroups); absent or empty: host effect only. */
  cgroups?: readonly CgroupMemory[];
}

/** Shows untrusted names safely inside our own sentences (each output format still escapes its own way). */
const safeName = (s: string): string => capLength(sanitizeTerminal(s), 40);

/**
 * Plans the policy against the processes of one snapshot. Entries are ordered by rule, then pid.
 * Rankings are computed after the whole plan (every selected process at its target), against RAM+swap.
 */
export function planAdjustments(processes: readonly ProcessSample[], policy: CompiledPolicy, host: PlanHostFacts): PlanEntry[] {
  const totalBytes = hostTotalBytes(host.memory);
  const ruleOf = new Map<number, CompiledRule | null>();
  for (const p of processes) ruleOf.set(p.pid, ruleFor(policy, p));
  const before = rankHost(processes, (p) => (p as ProcessSample).oomScoreAdj, totalBytes);
  const targetOf = (p: ProcessSample): number => ruleOf.get(p.pid)?.oomScoreAdj ?? p.oomScoreAdj;
  const after = rankHost(processes, (p) => targetOf(p as ProcessSample), totalBytes);
  const childrenOf = new Map<number, ProcessSample[]>();
  for (const p of processes) {
    const list = childrenOf.get(p.ppid);
    if (list) list.push(p);
    else childrenOf.set(p.ppid, [p]);
  }

  const planned = new Map<number, number>();
  for (const p of processes) {
    const r = ruleOf.get(p.pid);
    if (r) planned.set(p.pid, r.oomScoreAdj);
  }
  const inCgroup = cgroupEffects(processes, planned, host.cgroups ?? [], host.memory);

  const entries: PlanEntry[] = [];
  for (const p of processes) {
    const rule = ruleOf.get(p.pid);
    if (!rule) continue;
    const targetAdj = rule.oomScoreAdj;
    const rankBefore = before.rankOf.get(p.pid) ?? null;
    const rankAfter = after.rankOf.get(p.pid) ?? null;
    const existing = (childrenOf.get(p.pid) ?? []).map((c) => ({
      pid: c.pid,
      comm: c.comm,
      oomScoreAdj: c.oomScoreAdj,
      ruleId: ruleOf.get(c.pid)?.id ?? null,
    }));
    entries.push({
      process: {
        bootId: p.bootId,
        pid: p.pid,
        startTimeTicks: p.startTimeTicks,
        ppid: p.ppid,
        comm: p.comm,
        exe: p.exe,
        uid: p.uid,
        unit: p.unit,
      },
      rule: { id: rule.id, index: rule.index, level: rule.level, why: rule.why },
      currentAdj: p.oomScoreAdj,
      targetAdj,
      action: p.oomScoreAdj === targetAdj ? 'keep' : 'set',
      mayNeedCapability: targetAdj < 0 && targetAdj < p.oomScoreAdj,
      children: { coversLaterChildren: true, existing, text: describeChildren(targetAdj, rule.id, existing) },
      effect: {
        adjustmentBytes: Math.round((targetAdj * totalBytes) / 1000),
        totalBytes,
        usageBytes: usageBytes(p),
        rankBefore,
        rankAfter,
        killableAfter: after.killable,
        text: describeEffect(targetAdj, totalBytes, rankBefore, rankAfter, after.killable),
      },
      cgroupEffect: inCgroup.get(p.pid) ?? null,
    });
  }
  return entries.sort((a, b) => a.rule.index - b.rule.index || a.process.pid - b.process.pid);
}

/** "Children forked from now on inherit -900 …; existing children: 2 follow this rule, bash (pid 7) keeps 0." */
export function describeChildren(targetAdj: number, ruleId: string, existing: readonly ExistingChild[]): string {
  const later = `children forked after the write inherit ${targetAdj} (copied at fork), so this rule also covers them until they change it`;
  if (existing.length === 0) return `${later}; no existing children`;
  const same = existing.filter((c) => c.ruleId === ruleId);
  const other = existing.filter((c) => c.ruleId !== null && c.ruleId !== ruleId);
  const none = existing.filter((c) => c.ruleId === null);
  const parts: string[] = [];
  if (same.length) parts.push(`${same.length} match this rule themselves`);
  if (other.length) parts.push(other.map((c) => `${safeName(c.comm)} (pid ${c.pid}) follows rule ${c.ruleId}`).join(', '));
  if (none.length) {
    const shown = none.slice(0, 3).map((c) => `${safeName(c.comm)} (pid ${c.pid}) keeps ${c.oomScoreAdj}`);
    parts.push(
      `${shown.join(', ')}${none.length > 3 ? ` and ${none.length - 3} more keep their own values` : ''} (forked before, no rule selects them)`,
    );
  }
  return `${later}; existing children: ${parts.join('; ')}`;
}

/** Rules that selected nothing in this snapshot (a typo in a name, a user missing from /etc/passwd, a stopped service). */
export function unmatchedRules(policy: CompiledPolicy, plan: readonly PlanEntry[]): string[] {
  const used = new Set(plan.map((e) => e.rule.id));
  return policy.rules.filter((r) => !used.has(r.id)).map((r) => r.id);
}

/** Rules on `exe` cannot select processes whose /proc/PID/exe this run could not read: say so, with the way out. */
export function unreadableExe(policy: CompiledPolicy, snapshot: Pick<HostSnapshot, 'processes'>): string | null {
  const rules = policy.rules.filter((r) => r.match.exe !== undefined).map((r) => r.id);
  if (!rules.length) return null;
  const unread = snapshot.processes.filter((p) => p.exe === null && p.pid !== 2 && p.ppid !== 2).length;
  if (!unread) return null;
  return (
    `The executable path of ${unread} process${unread === 1 ? '' : 'es'} could not be read, so rule${rules.length === 1 ? '' : 's'} ${rules.join(', ')} (exe) cannot select ${unread === 1 ? 'it' : 'them'}: ` +
    'reading /proc/PID/exe of a process with more capabilities than oomwatch needs CAP_SYS_PTRACE. Match those rules on unit or cgroup instead.'
  );
}
