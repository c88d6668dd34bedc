import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/policy/compile.js';
import { planAdjustments, unmatchedRules, unreadableExe } from '../../src/policy/plan.js';
import { ordinal } from '../../src/policy/effect.js';
import { GIB, policyOf, proc } from './factories.js';
import { loadConfigFile } from '../../src/config/load.js';
import { packageRoot } from '../../src/util/package-root.js';
import type { HostSnapshot } from '../../src/model/snapshot.js';

const host = { memory: { memTotalBytes: 24 * GIB, swapTotalBytes: 0 } };
const uidOf = (name: string) => ({ mysql: 27 })[name];

/** java 12 GiB, mysqld 8 GiB, twelve 100 MiB processes. */
function busyHost() {
  return [
    proc({ pid: 20, comm: 'java', rssBytes: 12 * GIB }),
    proc({ pid: 10, comm: 'mysqld', exe: '/usr/sbin/mysqld', uid: 27, rssBytes: 8 * GIB }),
    ...Array.from({ length: 12 }, (_, i) => proc({ pid: 30 + i })),
  ];
}

describe('planAdjustments', () => {
  it('says what the value means on this host and how the ranking changes', () => {
    const policy = compilePolicy(
      policyOf({ rules: [{ id: 'databases', match: { name: 'mysqld', user: 'mysql' }, level: 'prefer-keep' }] }),
      uidOf,
    );
    const plan = planAdjustments(busyHost(), policy, host);
    expect(plan).toHaveLength(1);
    const [e] = plan;
    expect(e.process).toEqual({
      bootId: 'boot-1',
      pid: 10,
      startTimeTicks: 1010,
      ppid: 1,
      comm: 'mysqld',
      exe: '/usr/sbin/mysqld',
      uid: 27,
      unit: 'p.service',
    });
    expect(e.rule).toEqual({ id: 'databases', index: 0, level: 'prefer-keep', why: null });
    expect([e.currentAdj, e.targetAdj, e.action, e.mayNeedCapability]).toEqual([0, -500, 'set', true]);
    expect(e.effect).toMatchObject({
      adjustmentBytes: -12 * GIB,
      totalBytes: 24 * GIB,
      usageBytes: 8 * GIB,
      rankBefore: 2,
      rankAfter: 14,
      killableAfter: 14,
    });
    expect(e.effect.text).toBe(
      '-500: the kernel discounts 50 % of RAM+swap from this process, about 12 GiB here; it would now rank 14th of 14 instead of 2nd',
    );
  });

  it('first match wins', () => {
    const policy = compilePolicy(
      policyOf({
        rules: [
          { id: 'mysql-user', match: { user: 'mysql' }, level: 'protect' },
          { id: 'by-name', match: { name: 'mysqld' }, level: 'kill-first' },
        ],
      }),
      uidOf,
    );
    const plan = planAdjustments(busyHost(), policy, host);
    expect(plan.map((e) => [e.process.pid, e.rule.id, e.targetAdj])).toEqual([[10, 'mysql-user', -900]]);
    expect(unmatchedRules(policy, plan)).toEqual(['by-name']);
  });

  it('ranks after the whole plan: a preferred victim moves everyone else down', () => {
    const processes = [...busyHost(), proc({ pid: 50, comm: 'chrome', rssBytes: 1 * GIB })];
    const policy = compilePolicy(
      policyOf({
        rules: [
          { id: 'browsers', match: { name: 'chrome' }, level: 'kill-first' },
          { id: 'java', match: { name: 'java' }, level: 'neutral' },
        ],
      }),
    );
    const plan = planAdjustments(processes, policy, host);
    const chrome = plan.find((e) => e.rule.id === 'browsers')!;
    const java = plan.find((e) => e.rule.id === 'java')!;
    expect(chrome.effect.text).toBe(
      '1000: the kernel adds 100 % of RAM+swap to this process, about 24 GiB here; it would now rank 1st of 15 instead of 3rd',
    );
    expect(java.action).toBe('keep');
    expect(java.mayNeedCapability).toBe(false);
    expect(java.effect.text).toBe(
      '0: neutral: the kernel ranks this process by its own memory use; it would now rank 2nd of 15 instead of 1st',
    );
  });

  it('a unit match selects the system unit, never a user unit of the same name, unless the rule asks for user units', () => {
    // uid 1001 ran `systemd-run --user --unit=postgresql`: the same unit name, under its own service manager
    const userUnit = '/user.slice/user-1001.slice/user@1001.service/app.slice/postgresql.service';
    const processes = [
      proc({
        pid: 10,
        comm: 'postgres',
        uid: 70,
        cgroup: '/system.slice/postgresql.service',
        unit: 'postgresql.service',
        unitScope: 'system',
      }),
      proc({ pid: 20, comm: 'postgres', uid: 1001, cgroup: userUnit, unit: 'postgresql.service', unitScope: 'user' }),
    ];
    const system = compilePolicy(policyOf({ rules: [{ id: 'pg', match: { unit: 'postgresql.service' }, level: 'immune' }] }));
    expect(planAdjustments(processes, system, host).map((e) => [e.process.pid, e.targetAdj])).toEqual([[10, -1000]]);
    const user = compilePolicy(
      policyOf({ rules: [{ id: 'pg-1001', match: { unit: 'postgresql.service', user: 1001 }, scope: 'user', level: 'prefer-keep' }] }),
    );
    expect(planAdjustments(processes, user, host).map((e) => [e.process.pid, e.targetAdj])).toEqual([[20, -500]]);
  });

  it('immune leaves the ranking; init and immune processes are never ranked', () => {
    const processes = [
      proc({ pid: 1, comm: 'systemd', rssBytes: 20 * GIB }),
      proc({ pid: 2, comm: 'sshd', exe: '/usr/sbin/sshd', rssBytes: 1 * GIB }),
      proc({ pid: 3, oomScoreAdj: -1000, rssBytes: 5 * GIB }),
      proc({ pid: 4, rssBytes: 2 * GIB }),
    ];
    const policy = compilePolicy(policyOf({ rules: [{ id: 'sshd', match: { exe: '/usr/sbin/sshd' }, level: 'immune' }] }));
    const [e] = planAdjustments(processes, policy, host);
    expect(e.effect.rankBefore).toBe(2);
    expect(e.effect.rankAfter).toBeNull();
    expect(e.effect.text).toBe(
      '-1000: immune: the kernel never chooses this process, however much memory it uses; it would never be chosen (it ranks 2nd now)',
    );
  });

  it('says that later children inherit, and which existing children match on their own', () => {
    const processes = [
      proc({ pid: 100, comm: 'postgres', uid: 70, cmdline: '/usr/lib/postgresql/16/bin/postgres -D /var/lib/pg' }),
      proc({ pid: 101, ppid: 100, comm: 'postgres', uid: 70, cmdline: 'postgres: checkpointer' }),
      proc({ pid: 102, ppid: 100, comm: 'postgres', uid: 70, cmdline: 'postgres: app db [local] idle' }),
      proc({ pid: 103, ppid: 100, comm: 'sh', uid: 70, cmdline: 'sh -c archive' }),
    ];
    const policy = compilePolicy(
      policyOf({
        rules: [
          { id: 'postmaster', match: { name: 'postgres', user: 70, cmdline: '^/\\S+/postgres( |$)' }, level: 'immune' },
          { id: 'backends', match: { name: 'postgres', user: 70 }, level: 'neutral' },
        ],
      }),
    );
    const plan = planAdjustments(processes, policy, host);
    expect(plan.map((e) => `${e.process.pid}:${e.rule.id}`)).toEqual(['100:postmaster', '101:backends', '102:backends']);
    expect(plan[0].children.existing.map((c) => [c.pid, c.ruleId])).toEqual([
      [101, 'backends'],
      [102, 'backends'],
      [103, null],
    ]);
    expect(plan[0].children.text).toBe(
      'children forked after the write inherit -1000 (copied at fork), so this rule also covers them until they change it; ' +
        'existing children: postgres (pid 101) follows rule backends, postgres (pid 102) follows rule backends; ' +
        'sh (pid 103) keeps 0 (forked before, no rule selects them)',
    );
    expect(plan[1].children.text).toBe(
      'children forked after the write inherit 0 (copied at fork), so this rule also covers them until they change it; no existing children',
    );
  });

  it('escapes untrusted names inside its sentences', () => {
    const processes = [proc({ pid: 5, comm: 'db' }), proc({ pid: 6, ppid: 5, comm: 'evil\u202e\nname' })];
    const [e] = planAdjustments(
      processes,
      compilePolicy(policyOf({ rules: [{ id: 'db', match: { name: 'db' }, level: 'prefer-kill' }] })),
      host,
    );
    expect(e.children.text).toContain('evil\uFFFD\uFFFDname (pid 6) keeps 0');
  });

  it('writes ordinals', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '101st',
      '111th',
    ]);
  });
});

describe('planAdjustments inside a memory cgroup', () => {
  it("scales the value by the cgroup limit and ranks only the cgroup's processes", () => {
    const cg = '/system.slice/mysql.service';
    const processes = [
      proc({ pid: 10, comm: 'mysqld', cgroup: cg, rssBytes: 2.5 * GIB }),
      proc({ pid: 11, comm: 'backup', cgroup: `${cg}/backup`, rssBytes: 1 * GIB }),
      proc({ pid: 20, comm: 'java', cgroup: '/user.slice', rssBytes: 12 * GIB }),
    ];
    const cgroups = [
      {
        path: cg,
        version: 2 as const,
        usageBytes: 4 * GIB,
        limitBytes: 4 * GIB,
        swapUsageBytes: 0,
        swapLimitBytes: 0,
        oomKillCount: 0,
        oomCount: 0,
      },
    ];
    const policy = compilePolicy(policyOf({ rules: [{ id: 'databases', match: { name: 'mysqld' }, level: 'prefer-keep' }] }));
    const [e] = planAdjustments(processes, policy, { ...host, cgroups });
    expect(e.cgroupEffect).toEqual({
      path: cg,
      totalBytes: 4 * GIB,
      adjustmentBytes: -2 * GIB,
      rankBefore: 1,
      rankAfter: 2,
      members: 2,
      text: 'inside its memory cgroup /system.slice/mysql.service (limit+swap 4 GiB): discounts 50 % of that, about 2 GiB; it would rank 2nd of 2 there instead of 1st',
    });
    expect(
      planAdjustments(processes.slice(2), compilePolicy(policyOf({ rules: [{ match: { name: 'java' }, level: 'neutral' }] })), {
        ...host,
        cgroups,
      })[0].cgroupEffect,
    ).toBeNull();
  });
});

describe('the example policy', () => {
  it('selects main browser and editor processes, not the child processes that manage their own values', () => {
    const example = loadConfigFile(`${packageRoot()}/config/policy.example.yaml`).config.policy;
    const processes = [
      proc({ pid: 10, comm: 'chrome', cmdline: '/opt/google/chrome/chrome' }),
      proc({ pid: 11, ppid: 10, comm: 'chrome', cmdline: '/opt/google/chrome/chrome --type=renderer --lang=en-US' }),
      proc({ pid: 20, comm: 'firefox', cmdline: '/usr/lib/firefox/firefox' }),
      proc({ pid: 21, ppid: 20, comm: 'firefox', cmdline: '/usr/lib/firefox/firefox -contentproc -isForBrowser' }),
      proc({ pid: 30, comm: 'code', cmdline: '/usr/share/code/code --unity-launch' }),
      proc({ pid: 31, ppid: 30, comm: 'code', cmdline: '/usr/share/code/code --type=zygote' }),
      proc({ pid: 40, comm: 'java', cmdline: 'java -cp idea.jar com.intellij.idea.Main' }),
      proc({ pid: 50, comm: 'sshd', uid: 1000, exe: '/tmp/sshd', cmdline: '/usr/sbin/sshd -D' }),
    ];
    const plan = planAdjustments(
      processes,
      compilePolicy(example, (n) => ({ root: 0 })[n]),
      host,
    );
    expect(plan.map((e) => [e.process.pid, e.rule.id, e.targetAdj])).toEqual([
      [10, 'browsers', 500],
      [20, 'browsers', 500],
      [30, 'ides', 500],
      [40, 'ides-java', 500],
    ]);
  });
});

describe('rules on exe where /proc/PID/exe is unreadable', () => {
  it('the plan says they cannot select those processes and to match on unit or cgroup', () => {
    const policy = compilePolicy(
      policyOf({
        rules: [
          { id: 'ssh', match: { exe: '/usr/sbin/sshd', user: 0 }, level: 'immune' },
          { id: 'web', match: { name: 'nginx' }, level: 'protect' },
        ],
      }),
    );
    const snap = (exes: (string | null)[]) => ({ processes: exes.map((exe, i) => proc({ pid: 100 + i, exe })) }) as unknown as HostSnapshot;
    expect(unreadableExe(policy, snap(['/usr/sbin/sshd', null, null]))).toMatch(
      /^The executable path of 2 processes could not be read, so rule ssh \(exe\) cannot select them: .*CAP_SYS_PTRACE\. Match those rules on unit or cgroup instead\.$/,
    );
    expect(unreadableExe(policy, snap(['/usr/sbin/sshd']))).toBeNull();
    expect(
      unreadableExe(compilePolicy(policyOf({ rules: [{ id: 'web', match: { name: 'nginx' }, level: 'protect' }] })), snap([null])),
    ).toBeNull();
  });
});
