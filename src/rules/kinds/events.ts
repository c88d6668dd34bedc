/**
 * Kinds that do not depend on a fresh sample: oom-kill (an incident recorded by the kernel module,
 * with or without the kernel's report) and agent-health (the agent's own facts). They are evaluated
 * on every call, stale data included: a stalled sampler is exactly when agent-health must speak.
 */
import type { ProcessSample } from '../../sample/types.js';
import type { RuleHistory } from '../history.js';
import type { CompiledRule, HealthFacts, Incident, Observation } from '../types.js';
import { nameOf, processLabels, processRef } from './context.js';

type Of<K extends CompiledRule['kind']> = Extract<CompiledRule, { kind: K }>;
export type EventRule = Of<'oom-kill' | 'agent-health'>;
export const isEventRule = (r: CompiledRule): r is EventRule => r.kind === 'oom-kill' || r.kind === 'agent-health';

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

function observeKill(rule: Of<'oom-kill'>, inc: Incident, history: RuleHistory): Observation | null {
  const victim = findVictim(inc, history);
  const probe = victim ?? { comm: inc.victim?.comm ?? '', exe: null, cmdline: '', uid: null, cgroup: inc.cgroup ?? '/', unit: null, unitScope: null };
  if (rule.scopeMatcher && !rule.scopeMatcher(probe)) return null;
  const where = inc.cgroup && inc.cgroup !== '/' ? ` in cgroup ${inc.cgroup}` : '';
  const summary =
    inc.source === 'counter'
      ? `OOM kill counted${where || ' on the host'} with no kernel report (the log line was lost or /dev/kmsg is unreadable)`
      : inc.victim
        ? `OOM kill: ${nameOf(inc.victim)} killed by the kernel (${inc.constraint})${where}`
        : `OOM kill (${inc.constraint})${where}`;
  const details = [
    { label: 'constraint', value: inc.constraint },
    { label: 'evidence', value: inc.source === 'kernel' ? 'kernel report' : 'kill counter only' },
  ];
  if (inc.cgroup) details.push({ label: 'cgroup', value: inc.cgroup });
  const labels: Record<string, string> = victim ? processLabels(victim) : { scope: 'incident', ...(inc.victim ? { comm: inc.victim.comm } : {}) };
  if (inc.cgroup) labels.cgroup = inc.cgroup;
  labels.scope = 'incident';
  return {
    subject: `incident:${inc.id}`,
    level: 'raise',
    value: 1,
    summary,
    details,
    labels,
    process: victim ? processRef(victim) : inc.victim ? { pid: inc.victim.pid, startTimeTicks: inc.victim.startTimeTicks ?? 0, comm: inc.victim.comm, cmdline: '', uid: null, unit: null, cgroup: inc.cgroup ?? '' } : undefined,
    cgroup: inc.cgroup,
    incidentId: inc.id,
    isEvent: true,
    // A kill read from the ring buffer's backlog at start happened before now: the alert starts at the kill.
    eventAtMs: inc.atMs,
  };
}

function observeHealth(rule: Of<'agent-health'>, h: HealthFacts): Observation[] {
  const out: Observation[] = [];
  const add = (subject: string, summary: string, labels: Record<string, string> = {}) =>
    out.push({ subject, level: 'raise', value: 1, summary, details: [], labels: { scope: 'agent', check: subject.split(':')[1], ...labels } });
  const checks = new Set(rule.checks);
  if (checks.has('sampler-stalled') && h.samplerStalled)
    add('health:sampler-stalled', 'sampler stalled: no fresh sample, memory alerts are on hold until sampling resumes');
  if (checks.has('kmsg') && h.kmsgProblem) add('health:kmsg', `kernel log unreadable: ${h.kmsgProblem}`);
  // 'store' is not observed here: a database that cannot be written cannot carry its own alert through the
  // outbox. The store alarm tells it straight through the channels (rules/store-fault.ts).
  if (checks.has('channel'))
    for (const ch of h.brokenChannels)
      add(`health:channel:${ch}`, `channel ${ch} is broken: its deliveries fail permanently. Fix its settings, then run oomwatch test-notify ${ch}`, { channel: ch });
  if (checks.has('protection') && h.unprotected?.length)
    add('health:protection', `protection not applied to ${h.unprotected.length} process(es): ${h.unprotected.slice(0, 5).join(', ')}${h.unprotected.length > 5 ? ', …' : ''}`);
  return out;
}

export function observeEvents(rule: EventRule, incidents: readonly Incident[], health: HealthFacts, history: RuleHistory): Observation[] {
  if (rule.kind === 'agent-health') return observeHealth(rule, health);
  const out: Observation[] = [];
  for (const inc of incidents) {
    const o = observeKill(rule, inc, history);
    if (o) out.push(o);
  }
  return out;
}
