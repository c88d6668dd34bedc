/**
 * The rule kinds: one file per kind, each a KindSpec (schema, checks, windows, scope, evaluate). The
 * registry below is the list of kinds: rules/config.ts builds the `rules:` schema from it,
 * config checks and the engine's history windows read it, and evaluateRules dispatches through it.
 * Adding a kind is a new file plus one line here; a spec filed under a name other than its schema's
 * `kind`, or missing a part, fails the build. docs/rules.md "Adding a rule kind".
 */
import type { z } from 'zod';
import { agentHealthKind } from './agent-health.js';
import { cgroupMemoryEventsKind } from './cgroup-memory-events.js';
import { cgroupUsageKind } from './cgroup-usage.js';
import { hostMemoryAvailableKind } from './host-memory-available.js';
import { oomKillKind } from './oom-kill.js';
import { processRiskKind } from './process-risk.js';
import { protectedNextVictimKind } from './protected-next-victim.js';
import { psiKind } from './psi.js';
import { riskRisingKind } from './risk-rising.js';
import { rssGrowthKind } from './rss-growth.js';
import type { KindSchema, KindSpec, RuleProblem, TrendWindow } from './spec.js';
import { swapUsedKind } from './swap-used.js';
import { timeToOomKind } from './time-to-oom.js';

// In this order in messages ("expected one of …") and in docs/rules.md.
const specs = {
  'process-risk': processRiskKind,
  'risk-rising': riskRisingKind,
  'rss-growth': rssGrowthKind,
  'protected-next-victim': protectedNextVictimKind,
  'host-memory-available': hostMemoryAvailableKind,
  'swap-used': swapUsedKind,
  psi: psiKind,
  'cgroup-usage': cgroupUsageKind,
  'cgroup-memory-events': cgroupMemoryEventsKind,
  'time-to-oom': timeToOomKind,
  'oom-kill': oomKillKind,
  'agent-health': agentHealthKind,
};

export type RuleKind = keyof typeof specs;

/** Each key's spec has a schema whose `kind` is that key (else the entry's type is `never` and the build fails). */
export type KeyedByKind<T> = {
  readonly [K in keyof T]: T[K] extends KindSpec<infer S> ? (z.output<S> extends { kind: K } ? T[K] : never) : never;
};

/** Every kind's spec, by kind. */
export const RULE_KIND_SPECS: KeyedByKind<typeof specs> = specs;

export const RULE_KINDS = Object.keys(specs) as RuleKind[];

/** The schema of any kind (their union); rules/config.ts composes them into the `rules:` schema. */
export type RuleKindSchema = (typeof specs)[RuleKind]['schema'];

/** A rule from the config, validated and normalised: one of the kinds' outputs. */
export type RuleConfig = { [K in RuleKind]: z.output<(typeof specs)[K]['schema']> }[RuleKind];

/** The spec of a rule's kind, typed for any rule (one cast here instead of one per caller, as notify/registry.ts does). */
export function kindSpecOf(rule: { kind: string }): KindSpec<RuleKindSchema> | undefined {
  return (RULE_KIND_SPECS as Record<string, KindSpec<KindSchema>>)[rule.kind] as KindSpec<RuleKindSchema> | undefined;
}

/** Checks across one rule's fields; [] when fine. */
export function ruleProblems(rule: RuleConfig): RuleProblem[] {
  return kindSpecOf(rule)?.checks(rule) ?? [];
}

/** The trend window the rule reads, or null. */
export function trendWindowOf(rule: RuleConfig): TrendWindow | null {
  return kindSpecOf(rule)?.windows(rule) ?? null;
}

export type { Compiled, CompiledParts, EventContext, KindSpec, RuleProblem, ScopeUse, TrendWindow } from './spec.js';
export { HEALTH_CHECKS, type HealthCheck } from './agent-health.js';
export { formatEta } from './time-to-oom.js';
