import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfigText } from '../../src/config/load.js';
import { mergeRuleFields } from '../../src/config/rule-list.js';
import type { RuleConfig } from '../../src/rules/config.js';
import { validateConfig, type ConfigResult } from '../../src/config/validate.js';
import { ConfigError } from '../../src/errors.js';
import { DEFAULT_RULES } from '../../src/rules/defaults.js';
import { packageRoot } from '../../src/util/package-root.js';

const DEFAULT_IDS = DEFAULT_RULES.map((r) => String(r.id));

function ok(r: ConfigResult): Extract<ConfigResult, { ok: true }> {
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r;
}

/** The default rules as the agent runs them with no rules: key (whatever their parameters are today). */
const defaults = (): RuleConfig[] => ok(validateConfig({})).config.rules;
const byId = (rules: readonly RuleConfig[]) => new Map(rules.map((r) => [r.id, r]));

// Two default ids whose kinds take a raise and a clear threshold, picked by kind so the test does not
// depend on the defaults' parameters.
const riskId = DEFAULT_RULES.find((r) => r.kind === 'process-risk')!.id as string;
const memId = DEFAULT_RULES.find((r) => r.kind === 'host-memory-available')!.id as string;

describe('rules: a list merges with the default rules by id', () => {
  it('2 overrides + 1 new rule give every default (2 of them changed) plus the new one', () => {
    const r = ok(
      validateConfig({
        rules: [
          { id: riskId, above: 900, clearBelow: 850 },
          { id: memId, for: '5m', channels: ['console'] },
          { id: 'db-leak', kind: 'rss-growth', bytesPerSecond: '4MiB', scope: { unit: 'postgresql.service' } },
        ],
      }),
    );
    const base = defaults();
    expect(r.config.rules.map((x) => x.id)).toEqual([...DEFAULT_IDS, 'db-leak']);
    expect(r.config.rules).toHaveLength(DEFAULT_RULES.length + 1);
    const got = byId(r.config.rules);
    const want = byId(base);
    // Changed: the given fields, everything else as the default has it.
    expect(got.get(riskId)).toEqual({ ...want.get(riskId), above: 900, clearBelow: 850 });
    expect(got.get(memId)).toEqual({ ...want.get(memId), for: 300_000, channels: ['console'] });
    // Untouched defaults are exactly the defaults.
    for (const id of DEFAULT_IDS.filter((x) => x !== riskId && x !== memId)) expect(got.get(id)).toEqual(want.get(id));
    expect(got.get('db-leak')).toMatchObject({
      kind: 'rss-growth',
      bytesPerSecond: 4 * 1024 * 1024,
      scope: { unit: 'postgresql.service' },
    });
    expect(r.warnings).toEqual([]);
    expect(r.ruleOrigins.sources.filter((s) => s.origin !== 'default')).toEqual([
      { id: riskId, origin: 'changed', path: 'rules.0' },
      { id: memId, origin: 'changed', path: 'rules.1' },
      { id: 'db-leak', origin: 'added', path: 'rules.2' },
    ]);
  });

  it('enabled: false removes a default rule; a misspelt id is a warning that lists the real ones', () => {
    const r = ok(
      validateConfig({
        rules: [
          { id: memId, enabled: false },
          { id: 'swap-usedd', enabled: false },
        ],
      }),
    );
    expect(r.config.rules.map((x) => x.id)).toEqual(DEFAULT_IDS.filter((x) => x !== memId));
    expect(r.ruleOrigins.disabled).toEqual([{ id: memId, path: 'rules.0' }]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      /^rules\.1\.enabled: rule "swap-usedd" is not a default rule, so enabled: false turns nothing off\. Check the id against the default rules: /,
    );
    expect(r.warnings[0]).toContain(memId);
  });

  it('replaceDefaults: true runs the list alone; an empty list under it means no rules', () => {
    const r = ok(
      validateConfig({
        rules: {
          replaceDefaults: true,
          list: [
            { id: 'kill', kind: 'oom-kill' },
            { id: riskId, kind: 'process-risk', above: 700 },
          ],
        },
      }),
    );
    expect(r.config.rules.map((x) => x.id)).toEqual(['kill', riskId]);
    // Not merged with the default of that id: clearBelow is the kind's own default (unset), not the default rule's.
    expect(r.config.rules[1]).not.toHaveProperty('clearBelow');
    expect(r.ruleOrigins).toEqual({
      replaceDefaults: true,
      disabled: [],
      sources: [
        { id: 'kill', origin: 'added', path: 'rules.list.0' },
        { id: riskId, origin: 'added', path: 'rules.list.1' },
      ],
    });
    expect(ok(validateConfig({ rules: { replaceDefaults: true, list: [] } })).config.rules).toEqual([]);
    // The mapping form without replaceDefaults merges like the plain list.
    expect(ok(validateConfig({ rules: { list: [{ id: 'kill', kind: 'oom-kill' }] } })).config.rules).toHaveLength(DEFAULT_RULES.length + 1);
  });

  it('an empty plain list keeps the defaults and says how to run without rules', () => {
    const r = ok(validateConfig({ rules: [] }));
    expect(r.config.rules).toEqual(defaults());
    expect(r.warnings).toEqual([
      `rules: an empty list changes nothing, so the ${DEFAULT_RULES.length} default rules apply. To run without alert rules write rules: {replaceDefaults: true, list: []}; otherwise remove the key.`,
    ]);
  });

  it('an override of another kind replaces the default whole, with a warning', () => {
    const r = ok(validateConfig({ rules: [{ id: memId, kind: 'psi', above: 20 }] }));
    const rule = byId(r.config.rules).get(memId)!;
    expect(rule).toMatchObject({ kind: 'psi', above: 20 });
    expect(rule).not.toHaveProperty('belowPercent');
    expect(r.ruleOrigins.sources.find((s) => s.id === memId)).toEqual({ id: memId, origin: 'replaced', path: 'rules.0' });
    expect(r.warnings).toEqual([
      `rules.0.kind: rule "${memId}": the default rule with this id is a host-memory-available rule; this psi rule replaces it whole, none of its settings are kept. Give the rule another id to keep the default rule as well.`,
    ]);
  });

  it('null removes a default key; mappings merge key by key and lists replace', () => {
    expect(
      mergeRuleFields(
        { a: 1, b: 2, scope: { unit: 'x.service', user: ['root'] }, channels: ['a', 'b'] },
        { b: null, scope: { user: ['postgres'], cgroup: '/db' }, channels: ['c'] },
      ),
    ).toEqual({
      a: 1,
      scope: { unit: 'x.service', user: ['postgres'], cgroup: '/db' },
      channels: ['c'],
    });
    const r = ok(validateConfig({ rules: [{ id: memId, belowPercent: null, clearAbovePercent: null, belowBytes: '512MiB' }] }));
    const rule = byId(r.config.rules).get(memId)!;
    expect(rule).toMatchObject({ kind: 'host-memory-available', belowBytes: 512 * 1024 * 1024 });
    expect(rule).not.toHaveProperty('belowPercent');
  });
});

describe('rules: messages after merging name the entry, the file and the fix', () => {
  it('validates the merged rule and says when the value at fault came from the default', () => {
    const clearBelow = (byId(defaults()).get(riskId) as { clearBelow?: number }).clearBelow;
    expect(clearBelow).toBeGreaterThan(1); // the default process-risk rule sets a clear threshold
    try {
      parseConfigText(
        `rules:\n  - id: ${riskId}\n    above: 1\n  - id: ${memId}\n    belowPercent: 150\n  - id: typo-rule\n    above: 3\n`,
        '/etc/oomwatch/config.yaml',
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const msg = (err as Error).message;
      expect(msg).toContain('Invalid configuration in /etc/oomwatch/config.yaml');
      expect(msg).toContain(
        `rules.0.clearBelow: rule "${riskId}": clearBelow (${clearBelow}) must not be above the raise threshold (1); set it lower (hysteresis). (clearBelow: ${clearBelow} comes from the default rule; set clearBelow in this entry too.)`,
      );
      expect(msg).toContain(`rules.1.belowPercent: rule "${memId}": belowPercent expects a percentage (0..100) (got 150). Fix the value.`);
      expect(msg).toMatch(
        /rules\.2\.kind: rule "typo-rule": unknown or missing rule kind; .* No default rule has this id, so there is nothing to change; the default rules are /,
      );
    }
  });

  it('refuses a rules: value of the wrong shape, with the two shapes it accepts', () => {
    const r = validateConfig({ rules: { replace: true, list: 3 } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      'rules.replace: unknown key. Write rules: as a list of rules (merged with the default rules by id), or as {replaceDefaults: true, list: [...]} to run only your list (docs/rules.md).',
      'rules.list: expected a list of rules (got 3). Fix the value.',
    ]);
    expect(validateConfig({ rules: [{ id: memId, enabled: 'no' }] })).toMatchObject({
      ok: false,
      errors: [`rules.0.enabled: rule "${memId}": expected true or false (got "no"). Fix the value.`],
    });
  });

  it('cross-check messages name a changed rule by its entry and an untouched default by its id', () => {
    const r = ok(validateConfig({ sample: { interval: '1m' }, rules: [{ id: memId, scope: { name: 'x' } }] }));
    expect(r.warnings).toContain(
      `rules.0 (rule "${memId}").scope: a host-memory-available rule watches the host, so its scope is ignored. Remove scope.`,
    );
    // A default trend window shorter than 4 intervals of a slow sampler is named by the default's id.
    const slow = ok(validateConfig({ sample: { interval: '1h', keyframeEvery: '2h' } }));
    expect(slow.warnings.length).toBeGreaterThan(0);
    for (const w of slow.warnings) expect(w).toMatch(/^rules \(default rule "[a-z-]+"\)\.(within|over|window): /);
  });
});

describe('the shipped example config', () => {
  it('keeps every default rule, changing only what it says it changes', () => {
    const loaded = loadConfigFile(join(packageRoot(), 'config/oomwatch.example.yaml'));
    const ids = loaded.config.rules.map((r) => r.id);
    for (const id of DEFAULT_IDS) expect(ids).toContain(id);
    expect(loaded.ruleOrigins.disabled).toEqual([]);
    expect(loaded.ruleOrigins.sources.filter((s) => s.origin === 'replaced')).toEqual([]);
    expect(loaded.warnings).toEqual([]);
  });
});
