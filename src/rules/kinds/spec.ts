/**
 * What a rule kind is: one file per kind (rules/kinds/<kind>.ts) exports a KindSpec, and
 * rules/kinds/index.ts collects them in a registry keyed by kind. The config schema for `rules:`, the
 * per-rule checks, the history windows, the scope cross-check and the evaluator all come from the
 * registry, so a kind cannot be added in one place and forgotten in another. Pure: nothing here touches
 * the store, /proc or the config module.
 */
import type { z } from 'zod';
import type { ProcessMatcher } from '../../sample/match.js';
import type { RuleHistory } from '../history.js';
import type { Incident } from '../../model/incident.js';
import type { HealthFacts, Observation } from '../../model/rule-state.js';
import type { KindContext } from './context.js';

/** A kind's config schema: a strict zod object whose `kind` is a literal. */
export type KindSchema = z.ZodObject<{ kind: z.ZodLiteral<string> } & z.ZodRawShape, z.core.$strict>;

/** What compileRules adds to a rule from the config (matchers compiled once). */
export interface CompiledParts {
  scopeMatcher: ProcessMatcher | null;
  protectMatchers: ProcessMatcher[];
}
export type Compiled<C> = C & CompiledParts;

/** A problem across one rule's fields; `key` is the field the message is about. */
export interface RuleProblem {
  key: string;
  message: string;
}

/** The trend window a kind reads: its key in the rule (for messages), its length, and which history series must keep it. */
export interface TrendWindow {
  key: string;
  ms: number;
  keeps: readonly ('process' | 'host')[];
}

/**
 * Which keys of the rule's `scope:` apply: 'process' all of them (the rule looks at processes, or at an
 * OOM kill's victim), 'cgroup' only scope.cgroup (the rule looks at cgroups), 'host' none (the rule
 * looks at the host or at the agent).
 */
export type ScopeUse = 'process' | 'cgroup' | 'host';

/** What an event kind sees: incidents new since the last call, the agent's health, the last two ticks' processes. */
export interface EventContext {
  incidents: readonly Incident[];
  health: HealthFacts;
  history: RuleHistory;
}

/**
 * 'sample' kinds read a fresh snapshot and are skipped on stale data (their instances carried over);
 * null means this tick lacks what the rule reads. 'events' kinds run on every call, stale data included.
 */
export type KindEvaluator<R> =
  | { reads: 'sample'; observe(rule: R, ctx: KindContext): Observation[] | null }
  | { reads: 'events'; observe(rule: R, ctx: EventContext): Observation[] };

export interface KindSpec<S extends KindSchema = KindSchema> {
  /** The rule's keys, the common ones (rules/kinds/fields.ts) included. */
  schema: S;
  /** Checks across the rule's fields (hysteresis on the right side, one of two keys given); [] when fine. */
  checks(rule: z.output<S>): RuleProblem[];
  /** The trend window the rule needs kept, or null. */
  windows(rule: z.output<S>): TrendWindow | null;
  scope: ScopeUse;
  evaluate: KindEvaluator<Compiled<z.output<S>>>;
}

/** Types a kind's spec from its schema (the evaluator's and the checks' rule parameter). */
export const defineKind = <S extends KindSchema>(spec: KindSpec<S>): KindSpec<S> => spec;

/** No problems: for kinds whose fields need no check across them. */
export const noChecks = (): RuleProblem[] => [];
/** No trend window. */
export const noWindows = (): TrendWindow | null => null;

/** A clear threshold for a rule raised *above* a value must not be above it (hysteresis). */
export function clearNotAbove(key: string, clear: number | undefined, raise: number): RuleProblem[] {
  return clear !== undefined && clear > raise
    ? [{ key, message: `${key} (${clear}) must not be above the raise threshold (${raise}); set it lower (hysteresis).` }]
    : [];
}

/** A clear threshold for a rule raised *below* a value must not be below it (hysteresis). */
export function clearNotBelow(key: string, clear: number | undefined, raise: number | undefined): RuleProblem[] {
  return clear !== undefined && raise !== undefined && clear < raise
    ? [{ key, message: `${key} (${clear}) must not be below the raise threshold (${raise}); set it higher (hysteresis).` }]
    : [];
}
