/**
 * evaluateRules: one tick's facts + the previous state → transitions + the next state. Pure: time, host
 * name and the protection predicate come in as arguments (STYLE.md §3.6, §3.7).
 */
import { compileMatcher } from '../sample/match.js';
import { type KindContext } from './kinds/context.js';
import { kindSpecOf, trendWindowOf, type RuleConfig } from './kinds/index.js';
import { stepAbsent, stepCarried, stepObserved, type StepResult } from './lifecycle.js';
import type { CompiledRule, EvaluateOptions, Evaluation, TickInput } from './types.js';
import type { Incident } from '../model/incident.js';
import type { InstanceState, Observation, RuleState, Transition } from '../model/rule-state.js';

/** How long incidents are kept for late kill evidence (a process seen gone a few ticks after its report). */
export const RECENT_INCIDENTS_MS = 10 * 60_000;
const RECENT_INCIDENTS_MAX = 256;

/** Compiles scopes and protect lists once (regular expressions included). `uidOf` resolves user names. */
export function compileRules(rules: readonly RuleConfig[], uidOf?: (name: string) => number | undefined): CompiledRule[] {
  return rules.map((r) => ({
    ...r,
    scopeMatcher: r.scope ? compileMatcher(r.scope, uidOf) : null,
    protectMatchers: r.kind === 'protected-next-victim' ? (r.protect ?? []).map((m) => compileMatcher(m, uidOf)) : [],
  }));
}

/** The history windows the rules need (so the engine keeps no more than that). */
export function historyWindows(rules: readonly RuleConfig[]): { processWindowMs: number; hostWindowMs: number } {
  let processWindowMs = 0;
  let hostWindowMs = 0;
  for (const r of rules) {
    const w = trendWindowOf(r);
    if (w?.keeps.includes('process')) processWindowMs = Math.max(processWindowMs, w.ms);
    if (w?.keeps.includes('host')) hostWindowMs = Math.max(hostWindowMs, w.ms);
  }
  return { processWindowMs, hostWindowMs };
}

function mergeIncidents(prev: readonly Incident[], fresh: readonly Incident[], nowMs: number): Incident[] {
  const byId = new Map<number, Incident>();
  for (const i of [...prev, ...fresh]) if (i.atMs >= nowMs - RECENT_INCIDENTS_MS) byId.set(i.id, i);
  return [...byId.values()].sort((a, b) => a.atMs - b.atMs).slice(-RECENT_INCIDENTS_MAX);
}

/**
 * Evaluates every rule once. Rules on samples are skipped when there is no fresh snapshot (their
 * instances are carried over unchanged: nothing fires or resolves on stale data); oom-kill and
 * agent-health are evaluated on every call.
 *
 * @example
 * const { transitions, next } = evaluateRules(rules, { snapshot, history, incidents: [], health, dataFresh: true, isProtected }, state, nowMs, { host: 'db1', vanishWaitTicks: 3 });
 */
export function evaluateRules(
  rules: readonly CompiledRule[],
  input: TickInput,
  state: RuleState,
  nowMs: number,
  options: Partial<EvaluateOptions> = {},
): Evaluation {
  const opts: EvaluateOptions = {
    host: options.host ?? input.snapshot?.hostname ?? 'localhost',
    vanishWaitTicks: options.vanishWaitTicks ?? 3,
  };
  const recentIncidents = mergeIncidents(state.recentIncidents, input.incidents, nowMs);
  // An incident handed over twice (a replay after a restart) must not page twice.
  const seenIds = new Set(state.recentIncidents.map((i) => i.id));
  const newIncidents = input.incidents.filter((i) => !seenIds.has(i.id));
  const byRule = new Map<string, Map<string, InstanceState>>();
  for (const inst of state.instances.values()) {
    let m = byRule.get(inst.ruleId);
    if (!m) byRule.set(inst.ruleId, (m = new Map()));
    m.set(inst.subject, inst);
  }
  const instances = new Map<string, InstanceState>();
  const transitions: Transition[] = [];
  const apply = (r: StepResult) => {
    if (r.next) instances.set(r.next.fingerprint, r.next);
    if (r.transition) transitions.push(r.transition);
  };
  const fresh = input.snapshot !== null && input.dataFresh;

  for (const rule of rules) {
    const existing = byRule.get(rule.id) ?? new Map<string, InstanceState>();
    byRule.delete(rule.id);
    const evaluator = kindSpecOf(rule)?.evaluate;
    let observations: Observation[] | null;
    if (evaluator?.reads === 'events') {
      observations = evaluator.observe(rule, { incidents: newIncidents, health: input.health, history: input.history });
    } else if (fresh && input.snapshot) {
      // A kind the registry does not know can only come from a config that skipped the schema.
      if (!evaluator) throw new Error(`rules: no evaluator for kind ${rule.kind}`);
      const ctx: KindContext = {
        host: opts.host,
        snapshot: input.snapshot,
        index: input.history.current,
        history: input.history,
        isProtected: input.isProtected,
        nowMs,
        existing,
      };
      observations = evaluator.observe(rule, ctx);
    } else observations = null;
    if (observations === null) {
      // Stale data, or this tick lacks what the rule reads: nothing fires or resolves. A call between
      // ticks (no snapshot, data fresh) is not a gap in watching.
      const unwatched = !input.dataFresh || input.snapshot !== null;
      for (const inst of existing.values()) apply(stepCarried(inst, nowMs, recentIncidents, unwatched));
      continue;
    }
    const seen = new Set<string>();
    for (const o of observations) {
      if (seen.has(o.subject)) continue;
      seen.add(o.subject);
      apply(stepObserved(rule, opts.host, existing.get(o.subject), o, nowMs));
    }
    for (const [subject, inst] of existing) {
      if (!seen.has(subject)) apply(stepAbsent(rule, inst, nowMs, { incidents: recentIncidents, vanishWaitTicks: opts.vanishWaitTicks }));
    }
  }
  // Instances of rules removed from the config end without a message.
  for (const m of byRule.values())
    for (const inst of m.values())
      transitions.push({ kind: 'cancelled', fingerprint: inst.fingerprint, ruleId: inst.ruleId, atMs: nowMs, alert: inst.alert });

  return { transitions, next: { instances, recentIncidents } };
}
