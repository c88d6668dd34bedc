/**
 * deploy/prometheus/oomwatch.rules.yml passes `promtool check rules`, its unit tests pass
 * `promtool test rules`, and every metric a rule names is one the agent exports (a renamed metric
 * would otherwise leave a rule that never fires).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findBinary, requireInCi } from '../metrics/daemon.js';
import { exportedMetricNames, metricNamesIn } from './exported-metrics.js';

const DIR = join(import.meta.dirname, '..', '..', 'deploy', 'prometheus');
const promtool = findBinary(['promtool']);
requireInCi(promtool, 'promtool (Debian package prometheus)');

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
}

function run(args: string[]) {
  const r = spawnSync(promtool!, args, { cwd: DIR, encoding: 'utf8' });
  return { status: r.status, output: r.stdout + r.stderr };
}

describe('deploy/prometheus/oomwatch.rules.yml', () => {
  it.skipIf(!promtool)('passes promtool check rules (skipped only where promtool is not installed)', () => {
    const r = run(['check', 'rules', 'oomwatch.rules.yml']);
    expect(r, r.output).toMatchObject({ status: 0 });
    expect(r.output).toMatch(/SUCCESS: \d+ rules found/);
  });

  it.skipIf(!promtool)('passes its unit tests with promtool test rules (skipped only where promtool is not installed)', () => {
    const r = run(['test', 'rules', 'oomwatch.rules.test.yml']);
    expect(r, r.output).toMatchObject({ status: 0 });
    expect(r.output).toContain('SUCCESS');
  });

  it('names only metrics the agent exports, and selects no rank label', async () => {
    const exported = await exportedMetricNames();
    exported.add('up');
    const rules = (parse(readFileSync(join(DIR, 'oomwatch.rules.yml'), 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(5);
    for (const rule of rules) {
      const names = metricNamesIn(rule.expr);
      expect(names.length, rule.alert).toBeGreaterThan(0);
      expect(
        names.filter((n) => !exported.has(n)),
        `${rule.alert}: ${rule.expr}`,
      ).toEqual([]);
      expect(rule.expr).not.toMatch(/\brank\s*=/);
    }
  });

  it('has a unit test for every alert', () => {
    const rules = (parse(readFileSync(join(DIR, 'oomwatch.rules.yml'), 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);
    const tests = parse(readFileSync(join(DIR, 'oomwatch.rules.test.yml'), 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string }[] }[];
    };
    const tested = new Set(tests.tests.flatMap((t) => (t.alert_rule_test ?? []).map((a) => a.alertname)));
    expect(rules.map((r) => r.alert).filter((a) => !tested.has(a!))).toEqual([]);
  });
});
