/**
 * oom-kill: an incident recorded by the kernel module, with or without the kernel's report. An event
 * kind: it does not depend on a fresh sample, so it is evaluated on every call, stale data included.
 */
import { z } from 'zod';
import type { ProcessSample } from '../../model/snapshot.js';
import { durationMs } from '../../util/schema-helpers.js';
import { describeWorkload, workloadAlertFacts, workloadLabels } from '../../workload/describe.js';
import type { RuleHistory } from '../history.js';
import type { Incident } from '../../model/incident.js';
import type { Observation } from '../../model/rule-state.js';
import { nameOf, processLabels, processRef } from './context.js';
import { commonFields } from './fields.js';
import { type Compiled, defineKind, noChecks, noWindows } from './spec.js';

const schema = z
  .object({
    ...commonFields,
    kind: z.literal('oom-kill'),
    /** A kill is an event: the alert stays listed as firing this long, then ends without a "resolved" message. */
    keepFiringFor: durationMs('keepFiringFor').default(600_000),
  })
  .strict();

type Rule = Compiled<z.output<typeof schema>>;

/** The victim as last sampled (this tick or the one before), when its identity matches the kernel's report. */
export function findVictim(inc: Incident, history: RuleHistory): ProcessSample | undefined {
  const v = inc.victim;
  if (!v) return undefined;
  for (const index of [history.current, history.previous]) {
    const p = index.byPid.get(v.pid);
    if (!p) continue;
    if (v.startTimeTicks !== undefined ? p.startTimeTicks === v.startTimeTicks : p.comm === v.comm) return p;
  }
  return undefined;
}

function observeKill(rule: Rule, inc: Incident, history: RuleHistory): Observation | null {
  const victim = findVictim(inc, history);
  const probe = victim ?? {
    comm: inc.victim?.comm ?? '',
    exe: null,
    cmdline: '',
    uid: null,
    cgroup: inc.cgroup ?? '/',
    unit: null,
    unitScope: null,
  };
  if (rule.scopeMatcher && !rule.scopeMatcher(probe)) return null;
  // The workload when the path names one (a pod, a container, a unit), else the cgroup path.
  const workload = inc.workload ? describeWorkload(inc.workload) : null;
  const where = workload ? ` in ${workload}` : inc.cgroup && inc.cgroup !== '/' ? ` in cgroup ${inc.cgroup}` : '';
  const others = inc.groupVictimCount ?? 0;
  // memory.oom.group: one incident, told once, with the count of the tasks killed with the victim.
  const group = inc.groupCgroup ? `, with ${others} other process${others === 1 ? '' : 'es'} of ${inc.groupCgroup} (memory.oom.group)` : '';
  const summary = inc.killer
    ? `OOM kill: ${inc.victim ? nameOf(inc.victim) : (inc.cgroup ?? 'a process')} killed by ${inc.killer}${inc.victim ? where : ''}${inc.reason ? ` (${inc.reason})` : ''}`
    : inc.source === 'counter'
      ? `OOM kill counted${where || ' on the host'} with no kernel report (the log line was lost or /dev/kmsg is unreadable)`
      : inc.victim
        ? `OOM kill: ${nameOf(inc.victim)} killed by the kernel (${inc.constraint})${where}${group}`
        : `OOM kill (${inc.constraint})${where}${group}`;
  const details = [
    { label: 'constraint', value: inc.constraint },
    { label: 'evidence', value: inc.killer ? `${inc.killer} log` : inc.source === 'kernel' ? 'kernel report' : 'kill counter only' },
  ];
  if (inc.workload) details.push(...workloadAlertFacts(inc.workload));
  if (inc.cgroup) details.push({ label: 'cgroup', value: inc.cgroup });
  if (inc.groupCgroup) details.push({ label: 'victims', value: String(1 + others) });
  if (inc.reason) details.push({ label: 'reason', value: inc.reason });
  const labels: Record<string, string> = victim
    ? processLabels(victim)
    : { scope: 'incident', ...(inc.victim ? { comm: inc.victim.comm } : {}) };
  // The sampled victim's own unit label stays; the workload adds what it knows besides.
  if (inc.workload) for (const [k, v] of Object.entries(workloadLabels(inc.workload))) labels[k] ??= v;
  if (inc.cgroup) labels.cgroup = inc.cgroup;
  labels.scope = 'incident';
  return {
    subject: `incident:${inc.id}`,
    level: 'raise',
    value: 1,
    summary,
    details,
    labels,
    process: victim
      ? processRef(victim)
      : inc.victim
        ? {
            pid: inc.victim.pid,
            startTimeTicks: inc.victim.startTimeTicks ?? 0,
            comm: inc.victim.comm,
            cmdline: '',
            uid: null,
            unit: null,
            cgroup: inc.cgroup ?? '',
          }
        : undefined,
    cgroup: inc.cgroup,
    incidentId: inc.id,
    isEvent: true,
    // A kill read from the ring buffer's backlog at start happened before now: the alert starts at the kill.
    eventAtMs: inc.atMs,
  };
}

export const oomKillKind = defineKind({
  schema,
  checks: noChecks,
  windows: noWindows,
  // The scope matches the victim.
  scope: 'process',
  evaluate: {
    reads: 'events',
    observe(rule, ctx) {
      const out: Observation[] = [];
      for (const inc of ctx.incidents) {
        const o = observeKill(rule, inc, ctx.history);
        if (o) out.push(o);
      }
      return out;
    },
  },
});
