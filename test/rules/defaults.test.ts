/**
 * The default rules, as loaded from the embedded default config, over whole hosts tick after tick: quiet
 * where nothing is wrong (an idle desktop, a Kubernetes node, a database server sized to most of its
 * RAM), and speaking up for the real dangers. One clock: the fixed T0 of the factories, advanced by hand.
 */
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';
import { compilePolicy, ruleFor } from '../../src/policy/compile.js';
import { compileRules } from '../../src/rules/evaluate.js';
import type { CompiledRule } from '../../src/rules/types.js';
import { rankDomains } from '../../src/sample/rank.js';
import type { CgroupMemory, HostMemory, ProcessSample } from '../../src/model/snapshot.js';
import { at, cgroup, driver, GiB, MiB, snapshot } from './factories.js';
import { databaseServer, desktop, hostSnapshot, k8sNode, sampled, type HostSpec } from './host-fixtures.js';

function defaults(): { rules: CompiledRule[]; isProtected: (p: ProcessSample) => boolean } {
  const v = validateConfig({});
  if (!v.ok) throw new Error(v.errors.join('\n'));
  const policy = compilePolicy(v.config.policy);
  // what the policy enforcer answers (src/policy/enforcer.ts)
  const isProtected = (p: ProcessSample) => {
    const r = ruleFor(policy, p);
    return r !== null && r.oomScoreAdj < 0 && p.oomScoreAdj <= r.oomScoreAdj;
  };
  return { rules: compileRules(v.config.rules), isProtected };
}

/** Runs the default rules over `ticks` snapshots `everyS` seconds apart; returns what started (pending or firing). */
function run(host: (i: number) => HostSpec, ticks: number, everyS = 10): string[] {
  const { rules, isProtected } = defaults();
  const d = driver(rules, { isProtected });
  for (let i = 0; i < ticks; i++) d.tick(hostSnapshot(host(i), at(i * everyS)));
  return d.all.filter((t) => t.kind === 'pending' || t.kind === 'firing').map((t) => `${t.kind}:${t.ruleId}: ${t.alert.summary}`);
}

describe('default rules stay quiet where nothing is wrong', () => {
  it('an idle desktop whose browser renderers switch between adj 300 and 1000', () => {
    expect(run(desktop, 60)).toEqual([]);
  });

  it('a Kubernetes node with BestEffort pods at adj 1000, Burstable ones, a Guaranteed database and the node daemons below 0', () => {
    expect(run(k8sNode, 60)).toEqual([]);
  });

  it('a database server where one postgres process holds 60 % of RAM', () => {
    expect(run(databaseServer, 60)).toEqual([]);
  });

  it('sampled every second as well (trend rules see many close points)', () => {
    for (const host of [desktop, k8sNode, databaseServer]) expect(run(host, 180, 1), host.name).toEqual([]);
  });
});

describe('default rules speak up for the real dangers', () => {
  const fired = (host: (i: number) => HostSpec, ticks: number, everyS = 10) =>
    run(host, ticks, everyS).filter((s) => s.startsWith('firing:'));

  it('one process holding 85 % of the host', () => {
    const hog = (i: number): HostSpec => {
      const h = databaseServer(i);
      h.processes = h.processes.map((p) => (p.pid === 901 ? { ...p, rssBytes: 54.4 * GiB } : p));
      return h;
    };
    expect(fired(hog, 12).filter((s) => s.includes('process-risk-high'))).toEqual([
      expect.stringMatching(/^firing:process-risk-high: postgres \(pid 901\) holds 85\d ‰ of the host's memory ≥ 800 ‰ for 1m$/),
    ]);
  });

  it('a process someone protected (adj below 0) becoming the next victim while unprotected ones rank below it', () => {
    const protectedDb = (i: number): HostSpec => {
      const h = databaseServer(i);
      // OOMScoreAdjust=-500 on the unit, inherited by the backends; one backend grew to 88 % of RAM
      h.processes = h.processes.map((p) =>
        p.comm === 'postgres' && p.adj === 0 ? { ...p, adj: -500, rssBytes: p.pid === 901 ? 56 * GiB : p.rssBytes } : p,
      );
      return h;
    };
    expect(fired(protectedDb, 6).filter((s) => s.includes('protected-next-victim'))).toEqual([
      'firing:protected-next-victim: protected postgres (pid 901) is the next OOM victim in the host (risk 377 ‰)',
    ]);
  });

  it('a container at 95 % of its limit', () => {
    const full = (i: number): HostSpec => {
      const h = k8sNode(i);
      h.cgroups = h.cgroups.map((c) => (c.path.endsWith('cri-containerd-aaa1.scope') ? { ...c, usageBytes: 3.8 * GiB } : c));
      return h;
    };
    expect(fired(full, 12).map((s) => s.split(':')[1])).toEqual(['cgroup-near-limit']);
  });

  it('a steady leak in a container: time-to-oom names the leaker and its ETA long before the kill (8 MiB/s into 512 MiB, 1 s samples)', () => {
    const { rules, isProtected } = defaults();
    const d = driver(rules, { isProtected });
    const memory: HostMemory = {
      memTotalBytes: 16 * GiB,
      memAvailableBytes: 10 * GiB,
      memFreeBytes: 8 * GiB,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
    };
    const path = '/drill';
    const flat = { pid: 50, comm: 'flat', rssBytes: 100 * MiB, adj: 0, cgroup: path };
    let killAtS = -1;
    for (let s = 0; killAtS < 0; s++) {
      const leak = { pid: 51, comm: 'leaker', rssBytes: (10 + 8 * s) * MiB, adj: 0, cgroup: path };
      const procs = [sampled(flat, memory), sampled(leak, memory)];
      const usageBytes = procs.reduce((sum, p) => sum + p.rssBytes + p.pageTablesBytes, 0) + 5 * MiB;
      if (usageBytes >= 512 * MiB) killAtS = s;
      const cgroups: CgroupMemory[] = [
        cgroup({ path, usageBytes: Math.min(usageBytes, 512 * MiB), limitBytes: 512 * MiB, swapLimitBytes: 0 }),
      ];
      d.tick(snapshot({ atMs: at(s), memory, cgroups, processes: procs, domains: rankDomains(procs, cgroups, memory) }));
    }
    const ttoom = d.all.find((t) => t.kind === 'firing' && t.ruleId === 'time-to-oom');
    expect(ttoom?.alert.summary).toMatch(
      /^OOM in about \d+ s at the current rate \(cgroup \/drill: [\d.]+ MiB left, falling 8\.0 MiB\/s\); growing fastest: leaker \(pid 51\), \+[\d.]+ MiB\/s, now [\d.]+ MiB$/,
    );
    const firedAtS = (ttoom!.atMs - at(0)) / 1000;
    expect(killAtS - firedAtS).toBeGreaterThanOrEqual(30);
    // the ETA it states is the time that was really left, give or take a few seconds
    expect(Math.abs(ttoom!.alert.etaMs! / 1000 - (killAtS - firedAtS))).toBeLessThan(5);
  });
});
