/**
 * A zod issue as a config message: the dot-path first, what is wrong, the value found, and the fix. The one
 * describer of schema issues, for the sections (config/validate.ts) and for each entry of `rules:`
 * (config/rule-list.ts), whose messages also name the rule and end with what to fix. Pure.
 */
import type { z } from 'zod';

export interface IssueWhere {
  /** The dot-path of the value at `keys` (relative to the `raw` given to describeIssue). */
  pathOf: (keys: readonly PropertyKey[]) => string;
  /** The rule the message is about (`rule "a"`, `rule without an id`), for an entry of `rules:`. */
  rule?: string;
}

/** A path in the whole file: `sample.interval`, or `(top level)`. */
export const filePath = (keys: readonly PropertyKey[]): string => keys.map(String).join('.') || '(top level)';

export function valueAt(raw: unknown, keys: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const k of keys) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k as string];
  }
  return v;
}

/**
 * The message for one issue of `raw`. A section's custom issue (a refinement) says the value itself when it should,
 * and must not when it may be a secret (channels:), so it gets no "(got …)"; a rule's message gets one unless it
 * already quotes the value (durations, sizes).
 */
export function describeIssue(issue: z.core.$ZodIssue, raw: unknown, where: IssueWhere = { pathOf: filePath }): string {
  if (issue.code === 'unrecognized_keys') {
    const many = issue.keys.length > 1;
    const removeIt = `Remove ${many ? 'them' : 'it'} or check the spelling`;
    if (where.rule !== undefined) {
      const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
      return `${where.pathOf(issue.path)}: ${where.rule}: unknown key${many ? 's' : ''} ${keys}. ${removeIt} (docs/rules.md lists the keys of each kind).`;
    }
    const keys = issue.keys.map((k) => where.pathOf([...issue.path, k]));
    return `${keys.join(', ')}: unknown key${many ? 's' : ''}. ${removeIt} against config/oomwatch.example.yaml.`;
  }
  const path = where.pathOf(issue.path);
  const value = valueAt(raw, issue.path);
  const got = value === undefined ? 'nothing' : JSON.stringify(value);
  if (where.rule === undefined) return issue.code === 'custom' ? `${path}: ${issue.message}` : `${path}: ${issue.message} (got ${got}).`;
  const message = issue.message.replace(/\.$/, '');
  return `${path}: ${where.rule}: ${message}${/\bgot\b/.test(message) ? '' : ` (got ${got})`}. Fix the value${issue.path.length ? '' : ' or the rule kind'}.`;
}
