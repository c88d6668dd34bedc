import { describe, expect, it } from 'vitest';
import type { ProcessSample } from '../../src/model/snapshot.js';
import { formatEta } from '../../src/rules/kinds/time-to-oom.js';
import { at, BOOT, compact, cgroup, driver, GiB, hostDomain, incident, MiB, proc, rule, snapshot } from './factories.js';

const subj = (p: { pid: number; startTimeTicks: number }) => `proc:${BOOT}:${p.pid}:${p.startTimeTicks}`;

describe('process kinds', () => {
  it('process-risk uses the normalised risk, never the raw oom_score, and the cgroup domain when asked', () => {
    // Raw oom_score 1333 (new scale, adj 1000) but little real usage: risk is what counts.
    const noisy = proc({ pid: 1, comm: 'idle', oomScore: 1333, risk: 40 });
    const heavy = proc({ pid: 2, comm: 'java', oomScore: 900, risk: 300, cgroup: '/ctr' });
    const dom = {
      kind: 'cgroup' as const,
      id: '/ctr',
      totalBytes: GiB,
      ranking: [{ pid: 2, startTimeTicks: heavy.startTimeTicks, comm: 'java', risk: 950, badnessBytes: 0, oomScoreAdj: 0 }],
    };
    const snap = snapshot({ processes: [noisy, heavy], domains: [hostDomain([noisy, heavy]), dom] });
    const table: [string, string[]][] = [
      ['host', []],
      ['cgroup', [`firing:r|${subj(heavy)}`]],
      ['max', [`firing:r|${subj(heavy)}`]],
    ];
    for (const [domain, expected] of table) {
      const d = driver([rule({ id: 'r', kind: 'process-risk', above: 600, domain })]);
      expect(compact(d.tick(snap)), domain).toEqual(expected);
    }
    const d = driver([rule({ id: 'r', kind: 'process-risk', above: 600 })]);
    const [t] = d.tick(snap);
    expect(t.alert.summary).toBe('java (pid 2) risk 950 ‰ ≥ 600 ‰');
    expect(t.alert.details).toContainEqual({ label: 'oom_score', value: '900' });
  });

  it('process-risk finds a process ranked after one with a slightly lower oom_score-derived risk (bytes order the ranking)', () => {
    const a = proc({ pid: 1, comm: 'a', risk: 599 });
    const b = proc({ pid: 2, comm: 'b', risk: 601 }); // ranked after a (more bytes), its score reads higher
    const ranking = [a, b].map((p, i) => ({
      pid: p.pid,
      startTimeTicks: p.startTimeTicks,
      comm: p.comm,
      risk: p.risk,
      badnessBytes: 2000 - i,
      oomScoreAdj: 0,
    }));
    const d = driver([rule({ id: 'r', kind: 'process-risk', above: 600, domain: 'host' })]);
    expect(
      compact(d.tick(snapshot({ processes: [a, b], domains: [{ kind: 'host', id: 'host', totalBytes: 16 * GiB, ranking }] }))),
    ).toEqual([`firing:r|${subj(b)}`]);
  });

  it('process-risk honours scope (name, cmdline regex, unit, cgroup)', () => {
    const a = proc({ pid: 1, comm: 'postgres', risk: 700, unit: 'postgresql.service', cgroup: '/system.slice/postgresql.service' });
    const b = proc({ pid: 2, comm: 'python3', risk: 700, cmdline: 'python3 train.py --big', unit: null, cgroup: '/user.slice' });
    const snap = snapshot({ processes: [a, b] });
    const table: [Record<string, unknown>, number[]][] = [
      [{ name: 'postgres' }, [1]],
      [{ cmdline: 'train\\.py' }, [2]],
      [{ unit: 'postgresql.service' }, [1]],
      [{ cgroup: '/user.slice' }, [2]],
      [{ name: ['postgres', 'python3'] }, [1, 2]],
    ];
    for (const [scope, pids] of table) {
      const d = driver([rule({ id: 'r', kind: 'process-risk', above: 600, scope })]);
      expect(
        d
          .tick(snap)
          .map((t) => t.alert.process?.pid)
          .sort(),
        JSON.stringify(scope),
      ).toEqual(pids);
    }
  });

  it('risk-rising fires when the own memory share rises within the window, not on a high but steady one, nor on an adj change', () => {
    const d = driver([rule({ id: 'up', kind: 'risk-rising', increase: 200, clearIncrease: 50, within: '5m' })]);
    // 16 GiB host: 1 ‰ is about 16.4 MiB. The steady process flips between adj 300 and 1000 (a browser's background tab): its risk jumps, its memory does not.
    const steady = (s: number) =>
      proc({ pid: 1, comm: 'steady', rssBytes: 14 * GiB, oomScoreAdj: s % 120 === 0 ? 300 : 1000, risk: s % 120 === 0 ? 1175 : 1875 });
    const climbing = (permille: number) => proc({ pid: 2, comm: 'climber', rssBytes: (permille * 16 * GiB) / 1000, pageTablesBytes: 0 });
    const series: [number, number, string[]][] = [
      [0, 100, []],
      [60, 150, []],
      [120, 250, []],
      [180, 310, ['firing:up|' + subj(climbing(0))]],
      [240, 320, []],
      // more than 5 min after the low point, the rise inside the window is small: it resolves
      [540, 330, ['resolved(cleared):up|' + subj(climbing(0))]],
      [600, 330, []],
    ];
    for (const [s, share, expected] of series) {
      expect(
        compact(
          d.tick(
            snapshot({
              atMs: at(s),
              memory: { memTotalBytes: 16 * GiB, memAvailableBytes: 1 * GiB, memFreeBytes: GiB, swapTotalBytes: 0, swapFreeBytes: 0 },
              processes: [steady(s), climbing(share)],
            }),
          ),
        ),
        `t=${s}`,
      ).toEqual(expected);
    }
    // 210 ‰ of 16 GiB in 180 s is 19 MiB/s; 1 GiB available lasts about 54 s at that rate
    expect(d.all.find((t) => t.kind === 'firing')?.alert.summary).toBe(
      'climber (pid 2) memory share rose 210 ‰ within 5m (now 310 ‰ of the host); the host full in about 54 s at this rate',
    );
    expect(d.all.find((t) => t.kind === 'firing')?.alert.etaMs).toBeCloseTo((GiB / ((210 * 16 * GiB) / 1000 / 180)) * 1000, -2);
  });

  it('rss-growth fires on a steady leak once the window is half covered, not on a new process', () => {
    const d = driver([rule({ id: 'leak', kind: 'rss-growth', bytesPerSecond: '1MiB', over: '10m', minRssBytes: '100MiB' })]);
    const leaker = (s: number) => proc({ pid: 3, comm: 'leaky', rssBytes: 200 * MiB + s * 2 * MiB });
    const fired: number[] = [];
    for (let s = 0; s <= 600; s += 30) {
      if (d.tick(snapshot({ atMs: at(s), processes: [leaker(s)] })).some((t) => t.kind === 'firing')) fired.push(s);
    }
    expect(fired).toEqual([300]); // needs 5 of the 10 minutes before it trusts the slope
    const inst = [...d.state.instances.values()][0];
    expect(inst.alert.summary).toMatch(/^leaky \(pid 3\) RSS growing 2\.0 MiB\/s over 10m \(now 1\.4 GiB\)$/);
  });

  it('rss-growth ignores processes under minRssBytes', () => {
    const d = driver([rule({ id: 'leak', kind: 'rss-growth', bytesPerSecond: '100KiB', over: '1m', minRssBytes: '1GiB' })]);
    for (let s = 0; s <= 120; s += 10) d.tick(snapshot({ atMs: at(s), processes: [proc({ pid: 3, rssBytes: 10 * MiB + s * MiB })] }));
    expect(d.all).toEqual([]);
  });

  it('protected-next-victim: a protected process first in its domain, from the rule list or the policy', () => {
    const sshd = proc({ pid: 10, comm: 'sshd', risk: 300 });
    const other = proc({ pid: 11, comm: 'worker', risk: 200 });
    const first = snapshot({ processes: [sshd, other] });
    const second = snapshot({
      atMs: at(10),
      processes: [
        { ...sshd, risk: 100 },
        { ...other, risk: 400 },
      ],
    });
    const fromList = driver([rule({ id: 'pv', kind: 'protected-next-victim', protect: [{ name: 'sshd' }], minRisk: 100 })]);
    expect(compact(fromList.tick(first))).toEqual([`firing:pv|${subj(sshd)}`]);
    expect(fromList.all[0].alert.summary).toBe('protected sshd (pid 10) is the next OOM victim in the host (risk 300 ‰)');
    expect(compact(fromList.tick(second))).toEqual([`resolved(cleared):pv|${subj(sshd)}`]);

    const isProtected = (p: ProcessSample) => p.comm === 'sshd';
    const fromPolicy = driver([rule({ id: 'pv', kind: 'protected-next-victim', fromPolicy: true })], { isProtected });
    expect(compact(fromPolicy.tick(first))).toEqual([`firing:pv|${subj(sshd)}`]);
    const notProtected = driver([rule({ id: 'pv', kind: 'protected-next-victim', fromPolicy: true })], { isProtected: () => false });
    expect(notProtected.tick(first)).toEqual([]);
  });

  it('protected-next-victim stays quiet when the leader counts for little (idle host)', () => {
    const d = driver([rule({ id: 'pv', kind: 'protected-next-victim', protect: [{ name: 'sshd' }], minRisk: 100 })]);
    expect(d.tick(snapshot({ processes: [proc({ pid: 10, comm: 'sshd', risk: 20 })] }))).toEqual([]);
  });
});

describe('host and cgroup kinds', () => {
  const mem = (availGiB: number, swap: { total?: number; free?: number } = {}) => ({
    memTotalBytes: 16 * GiB,
    memAvailableBytes: availGiB * GiB,
    memFreeBytes: 0,
    swapTotalBytes: (swap.total ?? 0) * GiB,
    swapFreeBytes: (swap.free ?? 0) * GiB,
  });

  it('host-memory-available: percent and size thresholds, each with its clear level', () => {
    const table: [Record<string, unknown>, number[], string[]][] = [
      // rule, MemAvailable GiB per tick, transitions in order
      [{ belowPercent: 10, clearAbovePercent: 20 }, [8, 1.5, 2.5, 3.3], ['firing', 'resolved']],
      [{ belowBytes: '2GiB' }, [4, 2, 2.4, 2.6], ['firing', 'resolved']], // clears above 2.5 GiB (×1.25)
      [{ belowPercent: 50, belowBytes: '1GiB' }, [9, 7], ['firing']],
    ];
    for (const [extra, series, expected] of table) {
      const d = driver([rule({ id: 'mem', kind: 'host-memory-available', ...extra })]);
      series.forEach((g, i) => d.tick(snapshot({ atMs: at(i * 10), memory: mem(g) })));
      expect(
        d.all.map((t) => t.kind),
        JSON.stringify(extra),
      ).toEqual(expected);
    }
  });

  it('host-memory-available says how much is left', () => {
    const d = driver([rule({ id: 'mem', kind: 'host-memory-available', belowPercent: 10 })]);
    const [t] = d.tick(snapshot({ memory: mem(1) }));
    expect(t.alert.summary).toBe('MemAvailable 6.3 % (1.0 GiB of 16.0 GiB), limit 10.0 %');
    expect(t.fingerprint).toBe('mem|db1|host');
  });

  it('swap-used fires above its percentage and is silent on a host without swap', () => {
    const d = driver([rule({ id: 'swap', kind: 'swap-used', abovePercent: 80, clearBelowPercent: 50 })]);
    const table: [{ total: number; free: number }, string[]][] = [
      [{ total: 0, free: 0 }, []],
      [{ total: 4, free: 0.5 }, ['firing:swap|host']],
      [{ total: 4, free: 1.5 }, []],
      [{ total: 4, free: 2.5 }, ['resolved(cleared):swap|host']],
    ];
    table.forEach(([swap, expected], i) =>
      expect(compact(d.tick(snapshot({ atMs: at(i * 10), memory: mem(8, swap) }))), JSON.stringify(swap)).toEqual(expected),
    );
  });

  it('psi: the configured line and window, with hysteresis', () => {
    const d = driver([rule({ id: 'psi', kind: 'psi', line: 'some', window: 'avg60', above: 20, clearBelow: 10 })]);
    const psi = (avg60: number) => ({ some: { avg10: 99, avg60, avg300: 0, totalUs: 0 }, full: null });
    const table: [number, string[]][] = [
      [5, []],
      [25, ['firing:psi|host']],
      [15, []],
      [-1, []], // a tick without a PSI reading holds the state: no "resolved", then no second "firing"
      [25, []],
      [9, ['resolved(cleared):psi|host']],
    ];
    table.forEach(([v, expected], i) =>
      expect(compact(d.tick(snapshot({ atMs: at(i * 10), psi: v < 0 ? null : psi(v) }))), String(v)).toEqual(expected),
    );
    const full = driver([rule({ id: 'psi', kind: 'psi', line: 'full', above: 1 })]);
    expect(full.tick(snapshot({ psi: psi(50) }))).toEqual([]); // no "full" line on this kernel
  });

  it('cgroup-usage: per cgroup, scoped by path prefix, and a removed cgroup with a kill resolves as oom-killed', () => {
    const d = driver([rule({ id: 'cg', kind: 'cgroup-usage', abovePercent: 90, scope: { cgroup: '/system.slice' } })], {
      vanishWaitTicks: 1,
    });
    const a = cgroup({ path: '/system.slice/a.service', usageBytes: 0.95 * GiB });
    const b = cgroup({ path: '/user.slice/b', usageBytes: 0.99 * GiB });
    const unlimited = cgroup({ path: '/system.slice/c.service', usageBytes: 5 * GiB, limitBytes: 9223372036854771712 });
    expect(compact(d.tick(snapshot({ cgroups: [a, b, unlimited] })))).toEqual(['firing:cg|cgroup:/system.slice/a.service']);
    expect(d.all[0].alert.summary).toBe('cgroup /system.slice/a.service at 95.0 % of its 1.0 GiB limit (≥ 90.0 %)');
    const kill = incident({ id: 5, atMs: at(5), cgroup: '/system.slice/a.service', constraint: 'CONSTRAINT_MEMCG' });
    const ts = d.tick(snapshot({ atMs: at(10), cgroups: [b] }), { incidents: [kill] });
    expect(compact(ts)).toEqual(['resolved(oom-killed):cg|cgroup:/system.slice/a.service']);
    expect(ts[0].alert.incidentId).toBe(5);
  });

  it('time-to-oom predicts from the MemAvailable trend and says "OOM in about N min"', () => {
    const d = driver([rule({ id: 'ttoom', kind: 'time-to-oom', horizon: '10m', window: '2m', target: 'host' })]);
    // falling 10 MiB/s from 8 GiB
    const at_ = (s: number) => snapshot({ atMs: at(s), memory: { ...mem(0), memAvailableBytes: 8 * GiB - s * 10 * MiB } });
    const fired: number[] = [];
    for (let s = 0; s <= 600; s += 10) if (d.tick(at_(s)).some((t) => t.kind === 'firing')) fired.push(s);
    // 8 GiB at 10 MiB/s lasts 819 s; the prediction drops under 600 s at t=220 s
    expect(fired).toEqual([220]);
    const inst = [...d.state.instances.values()][0];
    expect(inst.alert.summary).toMatch(
      /^OOM in about (3|4) min at the current rate \(host: [\d.]+ (GiB|MiB) left, falling 10\.0 MiB\/s\)$/,
    );
    // memory stops falling: the prediction goes beyond the clear horizon and it resolves
    const flat = 8 * GiB - 600 * 10 * MiB;
    let resolved = false;
    for (let s = 610; s <= 800; s += 10) {
      const ts = d.tick(snapshot({ atMs: at(s), memory: { ...mem(0), memAvailableBytes: flat } }));
      resolved ||= ts.some((t) => t.kind === 'resolved');
    }
    expect(resolved).toBe(true);
  });

  it('time-to-oom for a cgroup, from its usage trend against its limit', () => {
    const d = driver([rule({ id: 'ttoom', kind: 'time-to-oom', horizon: '5m', window: '1m', target: 'cgroups' })]);
    let fired = '';
    for (let s = 0; s <= 120; s += 10) {
      const c = cgroup({ path: '/ctr', usageBytes: 600 * MiB + s * 2 * MiB, limitBytes: GiB });
      for (const t of d.tick(snapshot({ atMs: at(s), cgroups: [c] }))) if (t.kind === 'firing') fired = `${s}:${t.fingerprint}`;
    }
    // the line needs 5 points over at least 5 s: at 10 s sampling, t=40 s
    expect(fired).toBe('40:ttoom|db1|cgroup:/ctr');
  });

  it('formatEta rounds to what a human says', () => {
    expect([formatEta(30_000), formatEta(240_000), formatEta(7_200_000)]).toEqual(['about 30 s', 'about 4 min', 'about 2 h']);
  });
});

describe('event kinds', () => {
  it('oom-kill fires at once for each incident (kernel or counter-only) and ends silently after keepFiringFor', () => {
    const d = driver([rule({ id: 'kill', kind: 'oom-kill', keepFiringFor: '1m', for: '5m' })]);
    const victim = proc({ pid: 77, comm: 'java', unit: 'app.service' });
    d.tick(snapshot({ atMs: at(0), processes: [victim] }));
    const k = incident({
      id: 1,
      atMs: at(5),
      constraint: 'CONSTRAINT_MEMCG',
      cgroup: '/system.slice/app.service',
      victim: { pid: 77, startTimeTicks: victim.startTimeTicks, comm: 'java' },
    });
    const c = incident({ id: 2, atMs: at(6), source: 'counter', constraint: 'unknown' });
    const ts = d.tick(null, { nowMs: at(6), incidents: [k, c] });
    expect(compact(ts)).toEqual(['firing:kill|incident:1', 'firing:kill|incident:2']);
    expect(ts[0].alert).toMatchObject({
      incidentId: 1,
      summary: 'OOM kill: java (pid 77) killed by the kernel (CONSTRAINT_MEMCG) in cgroup /system.slice/app.service',
    });
    expect(ts[0].alert.process).toMatchObject({ cmdline: '/usr/bin/proc77 --serve', unit: 'app.service' }); // named from the last sample
    expect(ts[1].alert.summary).toBe(
      'OOM kill counted on the host with no kernel report (the log line was lost or /dev/kmsg is unreadable)',
    );
    expect(d.tick(snapshot({ atMs: at(30), processes: [] }))).toEqual([]);
    expect(compact(d.tick(snapshot({ atMs: at(100), processes: [] })))).toEqual([
      'resolved(cleared):kill|incident:1',
      'resolved(cleared):kill|incident:2',
    ]);
  });

  it('cgroup-memory-events: fires on a rise of memory.events max since the tick before, clears on the next tick without one', () => {
    const d = driver([
      rule({ id: 'ev', kind: 'cgroup-memory-events' }),
      rule({ id: 'hi', kind: 'cgroup-memory-events', event: 'high', atLeast: 5 }),
    ]);
    const events = (max: number, high: number) => ({ high, max, oom: 0, oomKill: 0, oomGroupKill: 0 });
    const cg = (max: number, high: number) => ({ ...cgroup({ path: '/system.slice/app.service' }), events: events(max, high) });
    expect(d.tick(snapshot({ atMs: at(0), cgroups: [cg(3, 10)] }))).toEqual([]); // no tick before: no rise to tell
    const ts = d.tick(snapshot({ atMs: at(10), cgroups: [cg(5, 12)] }));
    expect(compact(ts)).toEqual(['firing:ev|cgroup:/system.slice/app.service']);
    expect(ts[0].alert.summary).toBe(
      'cgroup /system.slice/app.service reached its memory limit 2 times since the last sample: the kernel is reclaiming at the limit, an OOM kill may follow',
    );
    expect(compact(d.tick(snapshot({ atMs: at(20), cgroups: [cg(5, 30)] })))).toEqual([
      'resolved(cleared):ev|cgroup:/system.slice/app.service',
      'firing:hi|cgroup:/system.slice/app.service',
    ]);
  });

  it('oom-kill tells a memory.oom.group kill once, with its victim count, and a user-space killer with its reason', () => {
    const d = driver([rule({ id: 'kill', kind: 'oom-kill' })]);
    const group = incident({
      id: 3,
      constraint: 'CONSTRAINT_MEMCG',
      cgroup: '/kubepods/pod1',
      victim: { pid: 9, comm: 'stress' },
      groupVictimCount: 8,
      groupCgroup: '/kubepods/pod1/c1',
    });
    const oomd = incident({
      id: 4,
      constraint: 'unknown',
      cgroup: '/user.slice/user-1000.slice/user@1000.service/app.slice/app-x.scope',
      killer: 'systemd-oomd',
      reason: 'memory pressure 86.80% > 50.00% for > 20s',
    });
    const ts = d.tick(null, { incidents: [group, oomd] });
    expect(compact(ts)).toEqual(['firing:kill|incident:3', 'firing:kill|incident:4']);
    expect(ts[0].alert.summary).toBe(
      'OOM kill: stress (pid 9) killed by the kernel (CONSTRAINT_MEMCG) in cgroup /kubepods/pod1, with 8 other processes of /kubepods/pod1/c1 (memory.oom.group)',
    );
    expect(ts[0].alert.details).toContainEqual({ label: 'victims', value: '9' });
    expect(ts[1].alert.summary).toBe(
      'OOM kill: /user.slice/user-1000.slice/user@1000.service/app.slice/app-x.scope killed by systemd-oomd (memory pressure 86.80% > 50.00% for > 20s)',
    );
    expect(ts[1].alert.details).toContainEqual({ label: 'evidence', value: 'systemd-oomd log' });
  });

  it('oom-kill scope matches the victim', () => {
    const d = driver([rule({ id: 'kill', kind: 'oom-kill', scope: { name: 'postgres' } })]);
    const ts = d.tick(null, {
      incidents: [incident({ id: 1, victim: { pid: 1, comm: 'java' } }), incident({ id: 2, victim: { pid: 2, comm: 'postgres' } })],
    });
    expect(compact(ts)).toEqual(['firing:kill|incident:2']);
  });

  it('agent-health: one instance per failing check, one per broken channel', () => {
    const d = driver([rule({ id: 'h', kind: 'agent-health' })]);
    const ts = d.tick(snapshot(), {
      health: { samplerStalled: false, kmsgProblem: 'EACCES', brokenChannels: ['slack', 'mail'], unprotected: ['sshd (pid 1)'] },
    });
    expect(compact(ts)).toEqual([
      'firing:h|health:kmsg',
      'firing:h|health:channel:slack',
      'firing:h|health:channel:mail',
      'firing:h|health:protection',
    ]);
    expect(ts[1].alert.labels.channel).toBe('slack');
    expect(compact(d.tick(snapshot({ atMs: at(10) }), { health: { samplerStalled: false, brokenChannels: ['mail'] } }))).toEqual([
      'resolved(cleared):h|health:kmsg',
      'resolved(cleared):h|health:channel:slack',
      'resolved(cleared):h|health:protection',
    ]);
    const only = driver([rule({ id: 'h', kind: 'agent-health', checks: ['kmsg'] })]);
    expect(compact(only.tick(snapshot(), { health: { samplerStalled: true, kmsgProblem: 'x', brokenChannels: ['a'] } }))).toEqual([
      'firing:h|health:kmsg',
    ]);
  });
});

describe('incident replays', () => {
  it('the same incident handed over twice pages once', () => {
    const d = driver([rule({ id: 'kill', kind: 'oom-kill', keepFiringFor: '0s' })]);
    const k = incident({ id: 9, atMs: at(0), victim: { pid: 5, comm: 'x' } });
    expect(compact(d.tick(null, { nowMs: at(0), incidents: [k] }))).toEqual(['firing:kill|incident:9']);
    expect(compact(d.tick(null, { nowMs: at(10), incidents: [k] }))).toEqual(['resolved(cleared):kill|incident:9']);
    expect(d.tick(null, { nowMs: at(20), incidents: [k] })).toEqual([]);
  });
});
