import { describe, expect, it } from 'vitest';
import { LEVELS, describeAdj, legacyValueMessage, looksLegacy, translateLegacyOomAdj } from '../../src/policy/levels.js';
import { CAP_SYS_RESOURCE, hasCapability, parseCapEff } from '../../src/policy/capability.js';
import { checkProtection } from '../../src/policy/health.js';
import { policyOf } from './factories.js';
import { parsePasswd } from '../../src/policy/users.js';

describe('legacy oom_adj scale', () => {
  it.each([
    [-17, -1000],
    [-16, -941],
    [-1, -58],
    [0, 0],
    [1, 58],
    [15, 882],
  ])('translates oom_adj %i to oom_score_adj %i as fs/proc/base.c does', (legacy, adj) => {
    expect(translateLegacyOomAdj(legacy)).toBe(adj);
  });

  it('treats every non-zero value in -17..15 as legacy, and nothing outside', () => {
    expect([-17, -16, -1, 1, 15].every(looksLegacy)).toBe(true);
    expect([-1000, -18, 0, 16, 500].some(looksLegacy)).toBe(false);
  });

  it('explains -17: nearly no protection, translation to -1000, the fix', () => {
    expect(legacyValueMessage(-17, 'oomScoreAdj')).toBe(
      '-17 looks like a legacy oom_adj value (-17..15); on the oom_score_adj scale (-1000..1000) it would discount only 1.7 % of RAM+swap, ' +
        'which is nearly no protection. On the legacy scale -17 translates to -1000 (adj * 1000 / 17, -17 → -1000). ' +
        'Write oomScoreAdj: -1000 (or level: immune) instead; for a small nudge use a value outside -17..15.',
    );
  });
});

describe('levels', () => {
  it('has the documented values', () => {
    expect(LEVELS).toEqual({ immune: -1000, protect: -900, 'prefer-keep': -500, neutral: 0, 'prefer-kill': 500, 'kill-first': 1000 });
  });
  it('describes values in plain words', () => {
    expect(describeAdj(-1000)).toBe('immune: the kernel never chooses it');
    expect(describeAdj(-17)).toBe('the kernel discounts 1.7 % of RAM+swap from it');
    expect(describeAdj(500)).toBe('the kernel adds 50 % of RAM+swap to it');
  });
});

describe('capabilities', () => {
  it('reads CAP_SYS_RESOURCE (bit 24) from CapEff', () => {
    const without = parseCapEff('Name:\tx\nCapEff:\t000001fffeffffff\n');
    const withIt = parseCapEff('CapEff:\t000001ffffffffff\n');
    expect(without).not.toBeNull();
    expect(hasCapability(without!, CAP_SYS_RESOURCE)).toBe(false);
    expect(hasCapability(withIt!, CAP_SYS_RESOURCE)).toBe(true);
    expect(parseCapEff('Name:\tx\n')).toBeNull();
  });
});

describe('checkProtection (doctor)', () => {
  it('needs the capability only for values below 0', () => {
    const victimsOnly = policyOf({ agentOomScoreAdj: null, rules: [{ match: { name: 'chrome' }, level: 'prefer-kill' }] });
    expect(checkProtection(victimsOnly, false)).toMatchObject({ ok: true, needing: [] });
    const protective = policyOf({ rules: [{ id: 'sshd', match: { exe: '/usr/sbin/sshd' }, level: 'immune' }] });
    expect(checkProtection(protective, true)).toMatchObject({ ok: true, needing: ['sshd', 'agent-self'] });
    const r = checkProtection(protective, false);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(
      /^oomwatch lacks CAP_SYS_RESOURCE: sshd, agent-self ask for oom_score_adj below 0 and will stay unprotected\. Grant it: AmbientCapabilities=CAP_SYS_RESOURCE/,
    );
    expect(
      checkProtection(
        policyOf({ enforce: false, rules: protective.rules.map((x) => ({ id: x.id, match: x.match, level: 'immune' })) }),
        false,
      ).needing,
    ).toEqual(['agent-self']);
  });
});

describe('parsePasswd', () => {
  it('maps user names to uids, skipping comments and malformed lines; the first entry wins', () => {
    const users = parsePasswd(
      'root:x:0:0:root:/root:/bin/bash\n# comment\npostgres:x:70:70::/var/lib/pgsql:/bin/sh\nbroken\nbad:x:notanumber:1::/:/bin/false\nroot:x:99:99::/:/bin/false\n',
    );
    expect([...users]).toEqual([
      ['root', 0],
      ['postgres', 70],
    ]);
  });

  it('a legacy value for the agent itself says to use -900 (protect), never immune', () => {
    const m = legacyValueMessage(-17, 'agentOomScoreAdj');
    expect(m).toMatch(/Write agentOomScoreAdj: -900 \(level: protect\) instead, or null/);
    expect(m).not.toMatch(/immune|oomScoreAdj: -1000/);
  });
});
