/**
 * Types of the rules engine (pure). The engine evaluates rules against one tick's facts and its own
 * state, and returns transitions plus the next state; src/alerts/engine.ts persists both. The state,
 * transitions and observations themselves are plain types in model/rule-state.ts.
 */
import type { Incident } from '../model/incident.js';
import type { RuleState, HealthFacts, Transition } from '../model/rule-state.js';
import type { HostSnapshot, ProcessSample } from '../model/snapshot.js';
import type { RuleHistory } from './history.js';
import type { RuleConfig } from './kinds/index.js';
import type { CompiledParts } from './kinds/spec.js';

export interface TickInput {
  /** The tick's snapshot; null for an evaluation between ticks (a fresh incident or health fact). */
  snapshot: HostSnapshot | null;
  /** Recent series kept by the engine (updateHistory). */
  history: RuleHistory;
  incidents: readonly Incident[];
  health: HealthFacts;
  /** False after a clock jump or a stalled sampler: sample-based rules neither fire nor resolve. */
  dataFresh: boolean;
  /** Whether the protection policy protects this process. */
  isProtected: (p: ProcessSample) => boolean;
}

/** A rule from the config with its matchers compiled once. */
export type CompiledRule = RuleConfig & CompiledParts;

export interface Evaluation {
  transitions: Transition[];
  next: RuleState;
}

export interface EvaluateOptions {
  /** Host name used in fingerprints and labels. */
  host: string;
  /** Ticks to wait for kill evidence after a firing subject disappears (alerting.vanishWaitTicks). */
  vanishWaitTicks: number;
}

export const emptyRuleState = (): RuleState => ({ instances: new Map(), recentIncidents: [] });
