/**
 * The effective configuration as `oomwatch config show` prints it: after defaults, the rule merge and
 * normalisation, with every secret hidden. Pure: a loaded config in, a JSON-ready document out.
 */
import type { LoadedConfig } from './load.js';
import type { RuleOrigins } from './rule-list.js';
import { redactSecrets } from '../util/secrets.js';

export const CONFIG_SCHEMA = 'oomwatch.config/v1';

export interface EffectiveConfigDocument {
  schema: typeof CONFIG_SCHEMA;
  /** The file the config came from, or 'embedded default'. */
  source: string;
  warnings: string[];
  /** Where each of config.rules came from, and the default rules turned off. */
  ruleOrigins: RuleOrigins;
  /** Durations in milliseconds, sizes in bytes; secrets as their {file:}/{env:} reference or "[redacted]". */
  config: Record<string, unknown>;
}

export function effectiveConfigDocument(loaded: LoadedConfig): EffectiveConfigDocument {
  return {
    schema: CONFIG_SCHEMA,
    source: loaded.source,
    warnings: [...loaded.warnings],
    ruleOrigins: loaded.ruleOrigins,
    config: withRuleIdsFirst(redactSecrets(loaded.config) as Record<string, unknown>),
  };
}

/** A rule reads best with its id and kind on top. */
function withRuleIdsFirst(config: Record<string, unknown>): Record<string, unknown> {
  const rules = config.rules as Record<string, unknown>[];
  return { ...config, rules: rules.map(({ id, kind, ...rest }) => ({ id, kind, ...rest })) };
}

/** One line about the rules: how many defaults run as they are, changed, replaced, added, and which are off. */
export function describeRuleOrigins(o: RuleOrigins): string {
  if (o.replaceDefaults) return `${o.sources.length} rules, all from the config's list (replaceDefaults: true, so no default rules).`;
  const count = (origin: string) => o.sources.filter((s) => s.origin === origin).length;
  const parts = [
    `${count('default')} default as built in`,
    `${count('changed')} default changed`,
    ...(count('replaced') ? [`${count('replaced')} default replaced`] : []),
    `${count('added')} added`,
  ];
  const off = o.disabled.length ? `; default turned off: ${o.disabled.map((d) => `${d.id} (${d.path})`).join(', ')}` : '';
  return `${o.sources.length} rules: ${parts.join(', ')}${off}.`;
}
