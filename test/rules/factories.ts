/**
 * Typed factories for rule tests on a manual clock: the fixed instant T0 and what defaults to it (snapshots,
 * incidents, the tick driver). The clock-free parts live in ./world.ts, re-exported here.
 */
import { ruleSchema, type RuleConfig } from '../../src/rules/config.js';
import { compileRules, evaluateRules, historyWindows } from '../../src/rules/evaluate.js';
import { createHistory, updateHistory, type RuleHistory } from '../../src/rules/history.js';
import type { CompiledRule } from '../../src/rules/types.js';
import type { Incident } from '../../src/model/incident.js';
import type { HealthFacts, RuleState, Transition } from '../../src/model/rule-state.js';
import { emptyRuleState } from '../../src/rules/types.js';
import type { HostSnapshot, ProcessSample } from '../../src/model/snapshot.js';
import { HOST, snapshotAt } from './world.js';

export { alertsContext, BOOT, cgroup, GiB, hostDomain, HOST, MiB, proc, snapshotAt } from './world.js';

export const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

/** A host domain ranking the given processes by risk, highest first (as the sampler ranks them). */

export function snapshot(overrides: Partial<HostSnapshot> & { atMs?: number } = {}): HostSnapshot {
  const { atMs, ...rest } = overrides;
  return snapshotAt(atMs ?? T0, rest);
}

export function incident(overrides: Partial<Incident> = {}): Incident {
  return { id: 1, atMs: T0, constraint: 'CONSTRAINT_NONE', source: 'kernel', ...overrides };
}

export const healthy = (): HealthFacts => ({ samplerStalled: false, brokenChannels: [] });

export function rule(raw: Record<string, unknown>): CompiledRule {
  return compileRules([ruleSchema.parse(raw) as RuleConfig])[0];
}

/**
 * Drives the evaluator tick by tick the way the engine does (history, then evaluate), collecting
 * transitions. `at(seconds)` gives the time of each step relative to T0.
 */
export function driver(rules: CompiledRule[], opts: { vanishWaitTicks?: number; isProtected?: (p: ProcessSample) => boolean } = {}) {
  let state: RuleState = emptyRuleState();
  const history: RuleHistory = createHistory(historyWindows(rules));
  const all: Transition[] = [];
  return {
    get state() {
      return state;
    },
    history,
    tick(
      snap: HostSnapshot | null,
      extra: { nowMs?: number; incidents?: Incident[]; health?: HealthFacts; dataFresh?: boolean } = {},
    ): Transition[] {
      const dataFresh = extra.dataFresh ?? true;
      updateHistory(history, snap, dataFresh);
      const nowMs = extra.nowMs ?? snap?.takenAtMs ?? T0;
      const r = evaluateRules(
        rules,
        {
          snapshot: snap,
          history,
          incidents: extra.incidents ?? [],
          health: extra.health ?? healthy(),
          dataFresh,
          isProtected: opts.isProtected ?? (() => false),
        },
        state,
        nowMs,
        { host: HOST, vanishWaitTicks: opts.vanishWaitTicks ?? 2 },
      );
      state = r.next;
      all.push(...r.transitions);
      return r.transitions;
    },
    all,
  };
}

export const at = (seconds: number): number => T0 + seconds * 1000;

/** Compact view of transitions for table assertions: "firing:rule|subject". */
export const compact = (ts: Transition[]): string[] =>
  ts.map((t) => `${t.kind}${t.alert.resolution ? `(${t.alert.resolution})` : ''}:${t.fingerprint.replace(`|${HOST}|`, '|')}`);
