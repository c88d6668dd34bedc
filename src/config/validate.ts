import { ConfigSchema, type Config } from './schema.js';
import { crossChecks } from './cross-checks.js';
import { describeIssue } from './issue-message.js';
import { resolveRuleList, type RuleOrigins } from './rule-list.js';

export type ConfigResult =
  { ok: true; config: Config; warnings: string[]; ruleOrigins: RuleOrigins } | { ok: false; errors: string[]; warnings: string[] };

/**
 * Pure: raw YAML value → validated, normalised config, or errors that name the key, the value and the fix.
 * Sections go through the schema; `rules:` is merged with the default rules (config/rule-list.ts); then
 * the named cross-checks run on the whole.
 */
export function validateConfig(raw: unknown): ConfigResult {
  const parsed = ConfigSchema.safeParse(raw ?? {});
  const rules = resolveRuleList(raw !== null && typeof raw === 'object' ? (raw as { rules?: unknown }).rules : undefined);
  const schemaErrors = parsed.success ? [] : parsed.error.issues.map((i) => describeIssue(i, raw));
  if (!parsed.success || rules.errors.length) return { ok: false, warnings: rules.warnings, errors: [...schemaErrors, ...rules.errors] };
  // Sections in schema order (rules included even when the file has no rules: key).
  const config = Object.fromEntries(
    Object.keys(ConfigSchema.shape).map((k) => [k, k === 'rules' ? rules.rules : parsed.data[k as keyof typeof parsed.data]]),
  ) as Config;
  const ruleOrigins: RuleOrigins = { replaceDefaults: rules.replaceDefaults, sources: rules.sources, disabled: rules.disabled };
  const errors: string[] = [];
  const warnings: string[] = [...rules.warnings];
  for (const check of crossChecks) check({ config, errors, warnings, ruleSources: ruleOrigins.sources });
  return errors.length ? { ok: false, errors, warnings } : { ok: true, config, warnings, ruleOrigins };
}
