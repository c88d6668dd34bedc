/**
 * One alert instance's lifecycle: inactive → pending (`for`) → firing → resolved, with hysteresis
 * (a firing instance holds between the clear and the raise threshold), keep_firing_for, and the
 * vanished-subject wait: a process (or cgroup) that disappears while firing is resolved as
 * 'oom-killed' when an incident names it, else as 'exited' after `vanishWaitTicks` ticks
 * (DESIGN.md "Alert semantics"). Pure.
 */
import type { AlertView, Resolution } from '../model/alert.js';
import { cgroupWithin } from '../sample/match.js';
import type { CompiledRule } from './types.js';
import type { Incident } from '../model/incident.js';
import type { InstanceState, Observation, Transition } from '../model/rule-state.js';

export interface StepResult {
  /** The instance after this tick; undefined when it ended (resolved or cancelled). */
  next?: InstanceState;
  transition?: Transition;
}

export const fingerprintOf = (ruleId: string, host: string, subject: string): string => `${ruleId}|${host}|${subject}`;

function viewOf(rule: CompiledRule, host: string, fingerprint: string, o: Observation, startsAtMs: number): AlertView {
  const view: AlertView = {
    fingerprint,
    ruleId: rule.id,
    ruleKind: rule.kind,
    severity: rule.severity,
    host,
    state: 'firing',
    startsAtMs,
    summary: o.summary,
    details: o.details,
    labels: { ...o.labels, alertname: rule.id, host, severity: rule.severity, kind: rule.kind },
  };
  if (o.process) view.process = o.process;
  if (o.cgroup !== undefined) view.cgroup = o.cgroup;
  if (o.incidentId !== undefined) view.incidentId = o.incidentId;
  if (o.etaMs !== undefined) view.etaMs = o.etaMs;
  return view;
}

function transition(kind: Transition['kind'], inst: InstanceState, atMs: number, alert = inst.alert): Transition {
  return { kind, fingerprint: inst.fingerprint, ruleId: inst.ruleId, atMs, alert };
}

function resolve(inst: InstanceState, nowMs: number, resolution: Resolution, extra: Partial<AlertView> = {}): StepResult {
  const alert: AlertView = { ...inst.alert, ...extra, state: 'resolved', resolution, endsAtMs: nowMs };
  return { transition: transition('resolved', inst, nowMs, alert) };
}

/** The step for an instance whose subject was observed this tick. */
export function stepObserved(rule: CompiledRule, host: string, prev: InstanceState | undefined, o: Observation, nowMs: number): StepResult {
  const fingerprint = prev?.fingerprint ?? fingerprintOf(rule.id, host, o.subject);
  const forMs = o.forMs !== undefined ? Math.min(o.forMs, rule.for) : rule.for;
  if (!prev) {
    if (o.level !== 'raise') return {};
    // Events (OOM kills) fire at once: `for` would only delay a page about something already over.
    const fires = forMs <= 0 || o.isEvent === true;
    const startsAtMs = o.isEvent && o.eventAtMs !== undefined ? Math.min(o.eventAtMs, nowMs) : nowMs;
    const inst: InstanceState = {
      fingerprint,
      ruleId: rule.id,
      subject: o.subject,
      status: fires ? 'firing' : 'pending',
      activeSinceMs: nowMs,
      firedAtMs: fires ? nowMs : undefined,
      value: o.value,
      alert: viewOf(rule, host, fingerprint, o, startsAtMs),
    };
    return { next: inst, transition: transition(fires ? 'firing' : 'pending', inst, nowMs) };
  }
  if (prev.status === 'pending') {
    // Pending needs the raise condition throughout `for`; hysteresis only protects a firing alert.
    if (o.level !== 'raise') return { transition: transition('cancelled', prev, nowMs) };
    if (nowMs - prev.activeSinceMs >= forMs) {
      const inst: InstanceState = {
        ...prev,
        status: 'firing',
        firedAtMs: nowMs,
        value: o.value,
        alert: viewOf(rule, host, fingerprint, o, nowMs),
      };
      return { next: inst, transition: transition('firing', inst, nowMs) };
    }
    return { next: { ...prev, value: o.value, alert: viewOf(rule, host, fingerprint, o, prev.activeSinceMs) } };
  }
  const startsAtMs = prev.alert.startsAtMs;
  // Unchanged (same text, not clearing, not vanished): keep the same object, so a storm of firing alerts costs little.
  if (o.level !== 'clear' && o.summary === prev.alert.summary && prev.clearingSinceMs === undefined && prev.vanishedAtMs === undefined)
    return { next: prev };
  if (o.level !== 'clear') {
    return {
      next: {
        ...prev,
        value: o.value,
        clearingSinceMs: undefined,
        vanishedAtMs: undefined,
        vanishedTicks: undefined,
        alert: viewOf(rule, host, fingerprint, o, startsAtMs),
      },
    };
  }
  return stepClearing(rule, { ...prev, value: o.value, alert: viewOf(rule, host, fingerprint, o, startsAtMs) }, nowMs);
}

/** Below the clear threshold (or an event/health subject no longer reported): resolve now or after keep_firing_for. */
function stepClearing(rule: CompiledRule, inst: InstanceState, nowMs: number): StepResult {
  if (inst.status === 'pending') return { transition: transition('cancelled', inst, nowMs) };
  const since = inst.clearingSinceMs ?? nowMs;
  if (nowMs - since >= rule.keepFiringFor) return resolve(inst, nowMs, 'cleared');
  return { next: { ...inst, clearingSinceMs: since } };
}

/**
 * Kill evidence for a vanished subject: an incident naming the process (by pid and start time, or pid
 * and comm when the report has no start time), or an OOM kill inside the cgroup. Incidents from before
 * the alert started belong to an earlier holder of the pid.
 */
export function findKillEvidence(inst: InstanceState, incidents: readonly Incident[]): Incident | undefined {
  const since = inst.activeSinceMs - 60_000;
  const p = inst.subject.startsWith('proc:') ? inst.alert.process : undefined;
  if (p) {
    return incidents.find(
      (i) =>
        i.atMs >= since &&
        i.victim !== undefined &&
        i.victim.pid === p.pid &&
        (i.victim.startTimeTicks !== undefined ? i.victim.startTimeTicks === p.startTimeTicks : i.victim.comm === p.comm),
    );
  }
  if (inst.subject.startsWith('cgroup:')) {
    const path = inst.subject.slice('cgroup:'.length);
    return incidents.find((i) => i.atMs >= since && i.cgroup !== undefined && cgroupWithin(i.cgroup, path));
  }
  return undefined;
}

/** The step for an instance whose subject was not observed in an evaluation of its rule. */
export function stepAbsent(
  rule: CompiledRule,
  prev: InstanceState,
  nowMs: number,
  ctx: { incidents: readonly Incident[]; vanishWaitTicks: number },
): StepResult {
  const vanishable = prev.subject.startsWith('proc:') || prev.subject.startsWith('cgroup:');
  if (!vanishable) return stepClearing(rule, prev, nowMs);
  if (prev.status === 'pending') return { transition: transition('cancelled', prev, nowMs) };
  const kill = findKillEvidence(prev, ctx.incidents);
  if (kill) return resolve(prev, nowMs, 'oom-killed', { incidentId: kill.id });
  const vanishedTicks = (prev.vanishedTicks ?? 0) + 1;
  if (vanishedTicks > ctx.vanishWaitTicks) return resolve(prev, nowMs, prev.subject.startsWith('proc:') ? 'exited' : 'cleared');
  return { next: { ...prev, vanishedAtMs: prev.vanishedAtMs ?? nowMs, vanishedTicks } };
}

/**
 * For a rule not evaluated this time (stale data, missing data, or a call between ticks without a
 * snapshot): nothing moves, except that a vanished subject is resolved as soon as kill evidence names
 * it. `unwatched` (stale or missing data, not a call between ticks) restarts a pending `for`: it means
 * the condition held that long, watched, and time without data does not count towards it.
 */
export function stepCarried(prev: InstanceState, nowMs: number, incidents: readonly Incident[], unwatched = false): StepResult {
  if (unwatched && prev.status === 'pending') return { next: prev.activeSinceMs >= nowMs ? prev : { ...prev, activeSinceMs: nowMs } };
  if (prev.vanishedAtMs === undefined) return { next: prev };
  const kill = findKillEvidence(prev, incidents);
  return kill ? resolve(prev, nowMs, 'oom-killed', { incidentId: kill.id }) : { next: prev };
}
