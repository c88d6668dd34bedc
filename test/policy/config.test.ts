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
          { id: 'sshd', match: { exe: '/usr/sbin/sshd', user: 'root' }, level: 'immune' },
          { match: { name: 'chrome' }, oomScoreAdj: 300, why: 'tabs come back' },
        ],
      },
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.policy.agentOomScoreAdj).toBe(-900);
    expect(r.config.policy.rules).toEqual([
      {
        id: 'sshd',
        index: 0,
        match: { exe: '/usr/sbin/sshd', user: 'root' },
        scope: 'system',
        level: 'immune',
        oomScoreAdj: -1000,
        why: null,
      },
      { id: 'rules[1]', index: 1, match: { name: 'chrome' }, scope: 'system', level: null, oomScoreAdj: 300, why: 'tabs come back' },
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
    expect(errors[0]).toMatch(
      /^policy\.rules\.0\.oomAdj: oomAdj is the legacy oom_adj scale \(-17\.\.15\), deprecated since Linux 2\.6\.36\. On the legacy scale 15 translates to 882/,
    );
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
    expect(errorsOf({ rules: [{ match: { name: 'a' }, oomScoreAdj: -1001 }] })[0]).toMatch(
      /^policy\.rules\.0\.oomScoreAdj: oom_score_adj is at least -1000/,
    );
  });

  it('cross-checks: duplicate ids are errors', () => {
    expect(
      errorsOf({
        rules: [
          { id: 'x', match: { name: 'a' }, level: 'neutral' },
          { id: 'x', match: { name: 'b' }, level: 'neutral' },
        ],
      }),
    ).toEqual([
      'policy.rules[1].id: "x" is already the id of policy.rules[0]. Give each rule its own id: audits and plans name rules by id.',
    ]);
  });

  it('refuses protection any local user can claim: by name, cmdline, exe, a user unit or a user-slice cgroup', () => {
    const fix =
      'so any local user can start a process it selects and make that process (and everything it forks) hard to kill. Pin the owner in its match: ' +
      'user (e.g. user: root, or the service account) or a system unit (e.g. unit: ssh.service); or drop the protection (oomScoreAdj >= 0).';
    expect(errorsOf({ rules: [{ id: 'sshd', match: { name: 'sshd', cmdline: '^/usr/sbin/sshd' }, level: 'immune' }] })).toEqual([
      `policy.rules[0] (sshd): protects (-1000) but matches only on name (comm, which any process can give itself), cmdline (argv, chosen by whoever starts the process), ${fix}`,
    ]);
    expect(errorsOf({ rules: [{ id: 'sshd', match: { exe: '/usr/sbin/sshd' }, level: 'protect' }] })).toEqual([
      `policy.rules[0] (sshd): protects (-900) but matches only on exe (any user can run any program, or a copy of it), ${fix}`,
    ]);
    expect(errorsOf({ rules: [{ id: 'pg', match: { unit: 'postgresql.service' }, scope: 'user', level: 'immune' }] })).toEqual([
      `policy.rules[0] (pg): protects (-1000) but matches only on unit with scope: user (a user names their own units), ${fix}`,
    ]);
    expect(errorsOf({ rules: [{ id: 'app', match: { cgroup: '/user.slice/user-1001.slice' }, oomScoreAdj: -500 }] })).toEqual([
      `policy.rules[0] (app): protects (-500) but matches only on cgroup /user.slice/user-1001.slice (a user slice, where the user creates cgroups), ${fix}`,
    ]);
    expect(errorsOf({ rules: [{ id: 'all', match: { cgroup: '/', name: 'x' }, oomScoreAdj: -500 }] })[0]).toMatch(
      /matches only on name .*, cgroup \/ \(every process is under \/\)/,
    );
  });

  it('accepts protection pinned to a user, a system unit or a system cgroup, and raising by name', () => {
    const ok = (rules: unknown[]) => {
      const r = validateConfig({ policy: { rules } });
      return [r.ok, r.ok ? [] : r.errors, r.warnings];
    };
    expect(ok([{ id: 'a', match: { name: 'sshd', user: 'root' }, level: 'immune' }])).toEqual([true, [], []]);
    expect(ok([{ id: 'b', match: { unit: 'ssh.service' }, level: 'immune' }])).toEqual([true, [], []]);
    expect(ok([{ id: 'c', match: { cgroup: '/system.slice/postgresql.service' }, level: 'protect' }])).toEqual([true, [], []]);
    expect(ok([{ id: 'd', match: { unit: 'app.service' }, scope: 'user', level: 'prefer-kill' }])).toEqual([true, [], []]);
    expect(ok([{ id: 'e', match: { unit: 'app.service', user: 1001 }, scope: 'user', level: 'protect' }])).toEqual([true, [], []]);
    expect(ok([{ id: 'f', match: { name: 'chrome' }, level: 'kill-first' }])).toEqual([true, [], []]);
  });

  it('scope needs a unit to apply to, and is system or user', () => {
    expect(errorsOf({ rules: [{ id: 'x', match: { name: 'a', user: 'root' }, scope: 'user', level: 'neutral' }] })).toEqual([
      'policy.rules.0.scope: scope says whose units match.unit names; add unit to the match or remove scope.',
    ]);
    expect(errorsOf({ rules: [{ id: 'x', match: { unit: 'a.service' }, scope: 'session', level: 'neutral' }] })[0]).toMatch(
      /^policy\.rules\.0\.scope: expected system \(units of the system manager\) or user \(units in user slices\)/,
    );
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
