import { compileMatcher, type Matchable, type ProcessMatcher } from '../sample/match.js';
import type { PolicyConfig, PolicyRule } from './config.js';

export interface CompiledRule extends PolicyRule {
  matches: ProcessMatcher;
}

export interface CompiledPolicy {
  enforce: boolean;
  agentOomScoreAdj: number | null;
  rules: CompiledRule[];
}

/**
 * Compiles the policy's matchers. Pure: user names are resolved by `uidOf` (users.ts reads /etc/passwd);
 * a user name that does not exist matches nothing (cross-checks cannot see /etc/passwd, the plan shows it).
 */
export function compilePolicy(cfg: PolicyConfig, uidOf: (name: string) => number | undefined = () => undefined): CompiledPolicy {
  return {
    enforce: cfg.enforce,
    agentOomScoreAdj: cfg.agentOomScoreAdj,
    rules: cfg.rules.map((r) => ({ ...r, matches: compileMatcher(r.match, uidOf, r.scope) })),
  };
}

/** The rule deciding a process's value: the first whose match selects it, or null. */
export function ruleFor(policy: CompiledPolicy, p: Matchable): CompiledRule | null {
  for (const r of policy.rules) if (r.matches(p)) return r;
  return null;
}
