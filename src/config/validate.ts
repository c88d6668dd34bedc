import type { z } from 'zod';
import { ConfigSchema, type Config } from './schema.js';
import { crossChecks } from './cross-checks.js';

export type ConfigResult =
  | { ok: true; config: Config; warnings: string[] }
  | { ok: false; errors: string[]; warnings: string[] };

/** Pure: raw YAML value → validated, normalised config, or errors that name the key, the value and the fix. */
export function validateConfig(raw: unknown): ConfigResult {
  const parsed = ConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    return { ok: false, warnings: [], errors: parsed.error.issues.map((i) => describeIssue(i, raw)) };
  }
  const config = parsed.data;
  const errors: string[] = [];
  const warnings: string[] = [];
  for (const check of crossChecks) check({ config, errors, warnings });
  return errors.length ? { ok: false, errors, warnings } : { ok: true, config, warnings };
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k as string];
  }
  return v;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string {
  const path = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => (issue.path.length ? `${path}.${k}` : k));
    return `${keys.join(', ')}: unknown key${keys.length > 1 ? 's' : ''}. Remove ${keys.length > 1 ? 'them' : 'it'} or check the spelling against config/oomwatch.example.yaml.`;
  }
  const value = valueAt(raw, issue.path);
  const got = value === undefined ? 'nothing' : JSON.stringify(value);
  if (issue.code === 'custom') return `${path}: ${issue.message}`;
  return `${path}: ${issue.message} (got ${got}).`;
}
