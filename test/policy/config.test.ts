import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { validateConfig } from '../../src/config/validate.js';
import { loadConfigFile } from '../../src/config/load.js';
import { packageRoot } from '../../src/util/package-root.js';

const errorsOf = (policy: unknown): string[] => {
  const r = validateConfig({ policy });
  return r.ok ? [] : r.errors;
};

describe('policy config', () => {
  it('defaults: enforce, agent at -900, no rules', () => {
    const r = validateConfig({});
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.policy).toEqual({ enforce: true, agentOomScoreAdj: -900, rules: [] });
  });

  it('resolves levels, keeps numbers, and names rules by id or position', () => {
    const r = validateConfig({
      policy: {
        agentOomScoreAdj: 'protect',
        rules: [
          { id: 'sshd', match: { exe: '/usr/sbin/sshd' }, level: 'immune' },
          { match: { name: 'chrome' }, oomScoreAdj: 300, why: 'tabs come back' },
        ],
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.policy.agentOomScoreAdj).toBe(-900);
    expect(r.config.policy.rules).toEqual([
      { id: 'sshd', index: 0, match: { exe: '/usr/sbin/sshd' }, level: 'immune', oomScoreAdj: -1000, why: null },
      { id: 'rules[1]', index: 1, match: { name: 'chrome' }, level: null, oomScoreAdj: 300, why: 'tabs come back' },
    ]);
  });

  it('refuses an oomScoreAdj on the legacy scale, with the translation and the reason', () => {
    expect(errorsOf({ rules: [{ id: 'sshd', match: { exe: '/usr/sbin/sshd' }, oomScoreAdj: -17 }] })).toEqual([
      'policy.rules.0.oomScoreAdj: -17 looks like a legacy oom_adj value (-17..15); on the oom_score_adj scale (-1000..1000) it would discount ' +
        'only 1.7 % of RAM+swap, which is nearly no protection. On the legacy scale -17 translates to -1000 (adj * 1000 / 17, -17 → -1000). ' +
        'Write oomScoreAdj: -1000 (or level: immune) instead; for a small nudge use a value outside -17..15.',
    ]);
  });

  it('refuses oomAdj always, translating it', () => {
    const errors = errorsOf({ rules: [{ match: { exe: '/usr/sbin/sshd' }, oomAdj: 15 }] });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^policy\.rules\.0\.oomAdj: oomAdj is the legacy oom_adj scale \(-17\.\.15\), deprecated since Linux 2\.6\.36\. On the legacy scale 15 translates to 882/);
    expect(errors[0]).toMatch(/Write oomScoreAdj: 882 instead/);
  });

  it('refuses a legacy agentOomScoreAdj', () => {
    expect(errorsOf({ agentOomScoreAdj: -17 })[0]).toMatch(/^policy\.agentOomScoreAdj: -17 looks like a legacy oom_adj value/);
  });

  it('needs exactly one of level and oomScoreAdj, a non-empty match, and a known level', () => {
    expect(errorsOf({ rules: [{ match: { name: 'a' } }] })).toEqual([
      'policy.rules.0: give exactly one of level (immune, protect, prefer-keep, neutral, prefer-kill, kill-first) or oomScoreAdj (-1000..1000), found neither.',
    ]);
    expect(errorsOf({ rules: [{ match: { name: 'a' }, level: 'protect', oomScoreAdj: -900 }] })[0]).toMatch(/found both\.$/);
    expect(errorsOf({ rules: [{ match: {}, level: 'protect' }] })).toEqual([
      'policy.rules.0.match: an empty match selects every process. Name at least one of name, exe, cmdline, user, cgroup, unit.',
    ]);
    expect(errorsOf({ rules: [{ match: { name: 'a' }, level: 'safe' }] })[0]).toMatch(
      /^policy\.rules\.0\.level: expected one of the levels immune, protect, prefer-keep, neutral, prefer-kill, kill-first/,
    );
    expect(errorsOf({ rules: [{ match: { name: 'a' }, oomScoreAdj: -1001 }] })[0]).toMatch(/^policy\.rules\.0\.oomScoreAdj: oom_score_adj is at least -1000/);
  });

  it('cross-checks: duplicate ids are errors; protection by name alone is a warning', () => {
    expect(errorsOf({ rules: [{ id: 'x', match: { name: 'a' }, level: 'neutral' }, { id: 'x', match: { name: 'b' }, level: 'neutral' }] })).toEqual([
      'policy.rules[1].id: "x" is already the id of policy.rules[0]. Give each rule its own id: audits and plans name rules by id.',
    ]);
    const r = validateConfig({ policy: { rules: [{ id: 'sshd', match: { name: 'sshd' }, level: 'immune' }, { id: 'chrome', match: { name: 'chrome' }, level: 'prefer-kill' }] } });
    expect(r.warnings).toEqual([
      'policy.rules[0] (sshd): protects (-1000) by name or command line only; any local user can start a process with that name and gain the protection. ' +
        'Add unit (e.g. ssh.service), cgroup or user to its match (exe works only where the agent may read /proc/PID/exe).',
    ]);
  });

  it('loads config/policy.example.yaml without errors or warnings', () => {
    const loaded = loadConfigFile(join(packageRoot(), 'config/policy.example.yaml'));
    expect(loaded.warnings).toEqual([]);
    const ids = loaded.config.policy.rules.map((r) => `${r.id}=${r.oomScoreAdj}`);
    expect(ids).toEqual([
      'sshd=-1000',
      'postgres-postmaster=-1000',
      'postgres-backends=0',
      'databases=-800',
      'web-masters=-900',
      'web-workers=0',
      'browsers=500',
      'ides=500',
      'ides-java=500',
    ]);
  });
});
