/**
 * `rules:` → the rules the agent runs. The built-in rules (rules/defaults.ts) are the base, and the
 * config changes them by id:
 *
 * - an entry whose id is a default rule's changes that rule: its fields are merged onto the default's
 *   (mappings such as `scope` merge key by key, lists and values replace, `null` removes a key), then the
 *   result is validated like any rule. An entry of another kind replaces the default whole (with a warning).
 * - `enabled: false` on a default rule's id removes it.
 * - any other id adds a rule.
 * - `rules: {replaceDefaults: true, list: [...]}` starts from no rules at all: only the list runs.
 *
 * Pure: the raw YAML value in; rules, where each came from, and messages (dot-path first) out.
 */
import { DEFAULT_RULES } from '../rules/defaults.js';
import { ruleProblems } from '../rules/kinds/index.js';
import type { RuleSource } from '../model/config-check.js';
import { ruleSchema, type RuleConfig } from '../rules/config.js';
import { describeIssue, type IssueWhere } from './issue-message.js';

export interface RuleOrigins {
  /** The config asked for its list alone (`rules: {replaceDefaults: true, …}`). */
  replaceDefaults: boolean;
  /** One per effective rule, in the same order. */
  sources: RuleSource[];
  /** Default rules the config turned off with `enabled: false`. */
  disabled: { id: string; path: string }[];
}

export interface RuleListResult extends RuleOrigins {
  rules: RuleConfig[];
  errors: string[];
  warnings: string[];
}

type Raw = Record<string, unknown>;

const isMapping = (v: unknown): v is Raw => v !== null && typeof v === 'object' && !Array.isArray(v);
const SHAPE_HINT =
  'Write rules: as a list of rules (merged with the default rules by id), or as {replaceDefaults: true, list: [...]} to run only your list (docs/rules.md).';

/** A rule in the making: the merged raw fields, and the config entry (if any) they came from. */
interface Slot {
  item: Raw;
  source: RuleSource;
  /** The config entry's own fields, to tell a value the user wrote from one inherited from the default. */
  entry?: Raw;
  defaultItem?: Raw;
  /** The entry's index in the list (messages come out in file order). */
  index?: number;
}

/** Merges a config entry onto a default rule: mappings merge by key, lists and values replace, `null` removes the key. */
export function mergeRuleFields(base: Raw, patch: Raw): Raw {
  const out: Raw = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (isMapping(value)) out[key] = mergeRuleFields(isMapping(out[key]) ? out[key] : {}, value);
    else out[key] = value;
  }
  return out;
}

export function resolveRuleList(raw: unknown, defaults: readonly Raw[] = DEFAULT_RULES): RuleListResult {
  const result: RuleListResult = { rules: [], sources: [], disabled: [], replaceDefaults: false, errors: [], warnings: [] };
  const shape = readShape(raw, defaults.length, result);
  if (!shape) return result;
  result.replaceDefaults = shape.replaceDefaults;

  const slots: Slot[] = shape.replaceDefaults ? [] : defaults.map((d) => ({ item: d, source: { id: String(d.id), origin: 'default' } }));
  const defaultIds = shape.replaceDefaults ? [] : defaults.map((d) => String(d.id));
  const seen = new Map<string, string>();
  const errors: { index: number; text: string }[] = [];

  shape.list.forEach((entry, i) => {
    const path = `${shape.base}.${i}`;
    const fail = (text: string) => errors.push({ index: i, text });
    if (!isMapping(entry)) {
      fail(`${path}: expected a rule, a mapping with id and kind (got ${JSON.stringify(entry) ?? 'nothing'}). ${SHAPE_HINT}`);
      return;
    }
    const id = typeof entry.id === 'string' ? entry.id : undefined;
    const where = id !== undefined ? `rule ${JSON.stringify(id)}` : 'rule without an id';
    if (id !== undefined) {
      const prev = seen.get(id);
      if (prev !== undefined) {
        fail(`${path}.id: ${where}: the id is already used by ${prev}. Give each rule its own id, or put both changes in one entry.`);
        return;
      }
      seen.set(id, path);
    }
    const { enabled, ...fields } = entry;
    if (enabled !== undefined && typeof enabled !== 'boolean') {
      fail(`${path}.enabled: ${where}: expected true or false (got ${JSON.stringify(enabled)}). Fix the value.`);
      return;
    }
    const at = id !== undefined ? slots.findIndex((s) => s.source.origin === 'default' && s.source.id === id) : -1;
    if (enabled === false) {
      if (at >= 0) {
        slots.splice(at, 1);
        result.disabled.push({ id: id!, path });
      } else if (fields.kind === undefined) {
        // `{id: x, enabled: false}` that matches nothing is most likely a misspelt default id.
        result.warnings.push(
          `${path}.enabled: ${where} is not a default rule${shape.replaceDefaults ? ' (with replaceDefaults: true there are none)' : ''}, so enabled: false turns nothing off. ` +
            (shape.replaceDefaults ? 'Remove the entry.' : `Check the id against the default rules: ${defaultIds.join(', ')}.`),
        );
      }
      return;
    }
    if (at < 0) {
      slots.push({ item: mergeRuleFields({}, fields), source: { id: id ?? `#${i}`, origin: 'added', path }, entry: fields, index: i });
      return;
    }
    const defaultItem = slots[at].item;
    if (fields.kind !== undefined && fields.kind !== defaultItem.kind) {
      result.warnings.push(
        `${path}.kind: ${where}: the default rule with this id is a ${String(defaultItem.kind)} rule; this ${typeof fields.kind === 'string' ? fields.kind : JSON.stringify(fields.kind)} rule replaces it whole, none of its settings are kept. ` +
          'Give the rule another id to keep the default rule as well.',
      );
      slots[at] = { item: mergeRuleFields({}, fields), source: { id: id!, origin: 'replaced', path }, entry: fields, index: i };
      return;
    }
    slots[at] = {
      item: mergeRuleFields(defaultItem, fields),
      source: { id: id!, origin: 'changed', path },
      entry: fields,
      defaultItem,
      index: i,
    };
  });

  for (const slot of slots) {
    const problems: string[] = [];
    const rule = validateRule(slot, defaultIds, problems);
    for (const text of problems) errors.push({ index: slot.index ?? -1, text });
    if (!rule) continue;
    result.rules.push(rule);
    result.sources.push(slot.source);
  }
  result.errors = errors.sort((a, b) => a.index - b.index).map((e) => e.text);
  return result;
}

function readShape(
  raw: unknown,
  defaultCount: number,
  result: RuleListResult,
): { list: unknown[]; base: string; replaceDefaults: boolean } | null {
  if (raw === undefined || raw === null) return { list: [], base: 'rules', replaceDefaults: false };
  if (Array.isArray(raw)) {
    if (raw.length === 0) {
      result.warnings.push(
        `rules: an empty list changes nothing, so the ${defaultCount} default rules apply. To run without alert rules write rules: {replaceDefaults: true, list: []}; otherwise remove the key.`,
      );
    }
    return { list: raw, base: 'rules', replaceDefaults: false };
  }
  if (!isMapping(raw)) {
    result.errors.push(`rules: expected a list of rules or a mapping (got ${JSON.stringify(raw)}). ${SHAPE_HINT}`);
    return null;
  }
  const unknown = Object.keys(raw).filter((k) => k !== 'replaceDefaults' && k !== 'list');
  if (unknown.length)
    result.errors.push(`${unknown.map((k) => `rules.${k}`).join(', ')}: unknown key${unknown.length > 1 ? 's' : ''}. ${SHAPE_HINT}`);
  const { replaceDefaults = false, list = [] } = raw;
  if (typeof replaceDefaults !== 'boolean')
    result.errors.push(`rules.replaceDefaults: expected true or false (got ${JSON.stringify(replaceDefaults)}). Fix the value.`);
  if (list !== null && !Array.isArray(list))
    result.errors.push(`rules.list: expected a list of rules (got ${JSON.stringify(list)}). Fix the value.`);
  if (result.errors.length) return null;
  return { list: (list as unknown[] | null) ?? [], base: 'rules.list', replaceDefaults: replaceDefaults as boolean };
}

/** Parses one merged rule; each message names the entry's dot-path, the rule and the fix. */
function validateRule(slot: Slot, defaultIds: readonly string[], errors: string[]): RuleConfig | null {
  const { item, source } = slot;
  // An untouched default is named by id: it has no place in the file.
  const prefix = (key: string | undefined) =>
    source.path ? `${source.path}${key ? `.${key}` : ''}` : `rules (default rule ${JSON.stringify(source.id)})${key ? `.${key}` : ''}`;
  const where = typeof item.id === 'string' ? `rule ${JSON.stringify(item.id)}` : 'rule without an id';
  const parsed = ruleSchema.safeParse(item);
  if (!parsed.success) {
    const at: IssueWhere = { pathOf: (keys) => prefix(keys.map(String).join('.') || undefined), rule: where };
    for (const iss of parsed.error.issues) errors.push(`${describeIssue(iss, item, at)}${hint(slot, iss.path[0], defaultIds)}`);
    return null;
  }
  const problems = ruleProblems(parsed.data);
  for (const p of problems) errors.push(`${prefix(p.key)}: ${where}: ${p.message}${hint(slot, p.key, defaultIds)}`);
  return problems.length ? null : parsed.data;
}

/** Says when the value at fault was not written in the entry but inherited from the default rule. */
function hint(slot: Slot, key: PropertyKey | undefined, defaultIds: readonly string[]): string {
  if (typeof key !== 'string' || !slot.entry) return '';
  if (slot.defaultItem && !(key in slot.entry) && key in slot.defaultItem) {
    return ` (${key}: ${JSON.stringify(slot.defaultItem[key])} comes from the default rule; set ${key} in this entry too.)`;
  }
  if (key === 'kind' && slot.source.origin === 'added' && slot.entry.kind === undefined && defaultIds.length) {
    return ` No default rule has this id, so there is nothing to change; the default rules are ${defaultIds.join(', ')}.`;
  }
  return '';
}
