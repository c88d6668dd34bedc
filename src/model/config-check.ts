/**
 * The contract of a named config cross-check: each module owns the checks of its own section (in its
 * `config.ts`) and declares only the part of the config it reads; config/cross-checks.ts runs them all on the
 * validated whole. Also where each effective alert rule came from (config/rule-list.ts), so a message can name
 * the entry in the file. Plain types: this folder imports nothing.
 */

/** Where an effective rule came from. */
export type RuleOrigin = 'default' | 'changed' | 'replaced' | 'added';

export interface RuleSource {
  id: string;
  origin: RuleOrigin;
  /** Dot-path of the config entry that changed, replaced or added the rule (`rules.2`); absent for an untouched default. */
  path?: string;
}

/** What a check reads (`C`: the sections it needs) and where it writes its messages (dot-path first, then the fix). */
export interface CrossCheckContext<C> {
  config: C;
  errors: string[];
  warnings: string[];
  /** Where each of config.rules came from (same order), so a message can name the entry in the file. */
  ruleSources: readonly RuleSource[];
}

export type CrossCheck<C> = (ctx: CrossCheckContext<C>) => void;
