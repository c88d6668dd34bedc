import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';
import { DEFAULT_RULES } from '../../src/rules/defaults.js';

const errorsOf = (raw: Record<string, unknown>) => {
  const r = validateConfig(raw);
  return r.ok ? [] : r.errors;
};

describe('rules config', () => {
  it('without a rules key the default rules apply, all valid, routed to every channel (the console by default)', () => {
    const r = validateConfig({});
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.rules.map((x) => x.id)).toEqual(DEFAULT_RULES.map((x) => x.id));
    expect(r.config.rules.every((x) => x.channels === undefined)).toBe(true);
    expect(r.warnings).toEqual([]);
    expect(new Set(r.config.rules.map((x) => x.kind)).size).toBe(11);
    expect(validateConfig({ rules: { replaceDefaults: true, list: [] } })).toMatchObject({ ok: true, config: { rules: [] } });
  });

  it('names the rule by index and id, and the fix', () => {
    expect(
      errorsOf({
        rules: [
          { id: 'a', kind: 'nope' },
          { id: 'b', kind: 'process-risk', above: 2000 },
          { id: 'c', kind: 'process-risk', above: 500, clearBelow: 600 },
          { id: 'c', kind: 'swap-used', abovePercent: 50 },
          { id: 'd', kind: 'host-memory-available' },
          { id: 'e', kind: 'psi', above: 10, colour: 'red' },
          { id: 'f', kind: 'protected-next-victim' },
          { id: 'g', kind: 'time-to-oom', horizon: 'soon' },
          { kind: 'oom-kill' },
        ],
      }),
    ).toEqual([
      'rules.0.kind: rule "a": unknown or missing rule kind; expected one of process-risk, risk-rising, rss-growth, protected-next-victim, host-memory-available, swap-used, psi, cgroup-usage, cgroup-memory-events, time-to-oom, oom-kill, agent-health (got "nope"). Fix the value.',
      'rules.1.above: rule "b": above expects a number of per mille (0..1000) (got 2000). Fix the value.',
      'rules.2.clearBelow: rule "c": clearBelow (600) must not be above the raise threshold (500); set it lower (hysteresis).',
      'rules.3.id: rule "c": the id is already used by rules.2. Give each rule its own id, or put both changes in one entry.',
      'rules.4.belowPercent: rule "d": set belowPercent (e.g. 10) or belowBytes (e.g. "1GiB"), or both.',
      'rules.5: rule "e": unknown key "colour". Remove it or check the spelling (docs/rules.md lists the keys of each kind).',
      'rules.6.protect: rule "f": list the protected processes under protect:, or set fromPolicy: true or negativeAdj: true.',
      'rules.7.horizon: rule "g": expected a duration such as 10s, 5m, 2h or 14d, got "soon". Fix the value.',
      'rules.8.id: rule without an id: every rule needs an id (e.g. id: host-memory-low), used in alerts and silences (got nothing). Fix the value.',
    ]);
  });

  it('cross-checks: unknown routing channel, unknown labels, trend windows too short for the sample interval', () => {
    const r = validateConfig({
      sample: { interval: '1m' },
      channels: { ops: { type: 'console' } },
      alerting: { groupBy: ['host', 'team'] },
      rules: [
        { id: 'leak', kind: 'rss-growth', bytesPerSecond: '1MiB', over: '2m', channels: ['ops-slack'] },
        { id: 'quiet', kind: 'oom-kill', channels: [] },
        { id: 'mem', kind: 'host-memory-available', belowPercent: 5, scope: { name: 'x' } },
        { id: 'cg', kind: 'cgroup-usage', abovePercent: 90, scope: { cgroup: '/a', name: 'x' } },
      ],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      'rules.0.channels: no channel named "ops-slack" under channels: (configured: ops). Fix the name or add the channel.',
    ]);
    expect(r.warnings).toEqual([
      'alerting.groupBy: alerts have no label "team", so it groups nothing apart. Use labels from: alertname, host, severity, kind, scope, comm, unit, cgroup, check, channel, fingerprint.',
      'rules.0 (rule "leak").over: 2m holds too few samples at sample.interval 1m for a trend. Set it to at least 4m, or sample more often; until then the rule never fires.',
      'rules.2 (rule "mem").scope: a host-memory-available rule watches the host, so its scope is ignored. Remove scope.',
      'rules.3 (rule "cg").scope: a cgroup-usage rule watches cgroups, so only scope.cgroup applies (name ignored).',
      'rules.1 (rule "quiet").channels: an empty list sends this rule\'s alerts nowhere (they are still recorded). Remove the key to use every channel.',
    ]);
  });
});

describe('config/rules.example.yaml', () => {
  it('loads without errors or warnings, adds a rule of every kind, and changes and disables defaults', async () => {
    const { loadConfigFile } = await import('../../src/config/load.js');
    const { packageRoot } = await import('../../src/util/package-root.js');
    const loaded = loadConfigFile(`${packageRoot()}/config/rules.example.yaml`);
    expect(loaded.warnings).toEqual([]);
    const added = new Set(loaded.ruleOrigins.sources.filter((s) => s.origin === 'added').map((s) => s.id));
    const { RULE_KINDS } = await import('../../src/rules/kinds/index.js');
    expect(new Set(loaded.config.rules.filter((r) => added.has(r.id)).map((r) => r.kind)).size).toBe(RULE_KINDS.length);
    expect(loaded.ruleOrigins.sources.some((s) => s.origin === 'changed')).toBe(true);
    expect(loaded.ruleOrigins.disabled.length).toBeGreaterThan(0);
  });
});
