/**
 * Benchmark: rule evaluation per tick at 8,000 processes × 20 rules (goal: well under 10 % of a 10 s
 * tick; aim for a few ms). Runs the engine's pure path (history update + evaluateRules +
 * planNotifications) on synthetic snapshots whose processes grow, so trend rules have work to do and
 * a realistic share of processes (2 %) is firing.
 *
 *   npx tsc -p . && node --expose-gc dist/scripts/bench/rules.js [processes] [ticks]
 *
 * `benchRuleEvaluation` is exported for a combined bench script.
 */
import { pathToFileURL } from 'node:url';
import { alertingSection, ruleSchema } from '../../src/rules/config.js';
import { compileRules, evaluateRules, historyWindows } from '../../src/rules/evaluate.js';
import { createHistory, updateHistory } from '../../src/rules/history.js';
import { planNotifications } from '../../src/rules/plan.js';
import type { GroupState } from '../../src/model/notification.js';
import { emptyRuleState } from '../../src/rules/types.js';
import type { RuleState } from '../../src/model/rule-state.js';
import type { HostSnapshot, ProcessSample } from '../../src/model/snapshot.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** 20 rules covering every kind; several process rules with scopes (regular expressions included). */
export const BENCH_RULES: Record<string, unknown>[] = [
  { id: 'risk-600', kind: 'process-risk', above: 600 },
  { id: 'risk-300-warn', kind: 'process-risk', above: 300, for: '1m' },
  { id: 'risk-db', kind: 'process-risk', above: 100, scope: { name: ['postgres', 'mysqld'] } },
  { id: 'risk-java', kind: 'process-risk', above: 100, scope: { cmdline: '-Xmx\\d+g' } },
  { id: 'risk-slice', kind: 'process-risk', above: 50, scope: { cgroup: '/system.slice' }, domain: 'cgroup' },
  { id: 'risk-user', kind: 'process-risk', above: 50, scope: { user: 0 } },
  { id: 'rising', kind: 'risk-rising', increase: 100, within: '10m' },
  { id: 'rising-fast', kind: 'risk-rising', increase: 50, within: '1m' },
  { id: 'leak', kind: 'rss-growth', bytesPerSecond: '1MiB', over: '10m', minRssBytes: '64MiB' },
  { id: 'leak-small', kind: 'rss-growth', bytesPerSecond: '64KiB', over: '5m', minRssBytes: '1MiB' },
  { id: 'protected', kind: 'protected-next-victim', protect: [{ name: 'sshd' }], fromPolicy: true, minRisk: 10 },
  { id: 'mem-low', kind: 'host-memory-available', belowPercent: 15 },
  { id: 'mem-crit', kind: 'host-memory-available', belowPercent: 5, severity: 'critical' },
  { id: 'swap', kind: 'swap-used', abovePercent: 80 },
  { id: 'psi-some', kind: 'psi', line: 'some', above: 20 },
  { id: 'psi-full', kind: 'psi', line: 'full', above: 10 },
  { id: 'cgroup', kind: 'cgroup-usage', abovePercent: 90 },
  { id: 'ttoom', kind: 'time-to-oom', horizon: '10m', target: 'both' },
  { id: 'kill', kind: 'oom-kill' },
  { id: 'health', kind: 'agent-health' },
];

/** `growEvery`: one process in this many leaks and climbs in risk (50 = 2 %; 0 = none, a quiet host). */
export function benchSnapshot(n: number, tick: number, intervalMs: number, growEvery = 50): HostSnapshot {
  const processes: ProcessSample[] = [];
  for (let i = 0; i < n; i++) {
    const grows = growEvery > 0 && i % growEvery === 0;
    const rss = (16 + (i % 200)) * MiB + (grows ? tick * 2 * MiB * (intervalMs / 1000) : 0);
    processes.push({
      bootId: 'bench-boot',
      pid: 100 + i,
      startTimeTicks: 1000 + i,
      ppid: 1,
      uid: i % 7 === 0 ? 0 : 1000,
      comm: i % 97 === 0 ? 'postgres' : `worker-${i % 300}`,
      cmdline: i % 13 === 0 ? `java -Xmx4g -jar app-${i}.jar` : `/usr/bin/worker --id ${i}`,
      exe: '/usr/bin/worker',
      cgroup: i % 2 ? `/system.slice/svc-${i % 40}.service` : `/user.slice/user-1000.slice`,
      unit: i % 2 ? `svc-${i % 40}.service` : null,
      unitScope: i % 2 ? 'system' : null,
      state: 'S',
      rssBytes: rss,
      swapBytes: 0,
      pageTablesBytes: 64 * 1024,
      oomScore: 667,
      oomScoreAdj: 0,
      // Realistic: badness is the share of RAM+swap (a few ‰ each); the growing 2 % climb towards the thresholds.
      risk: Math.min(1000, Math.round((rss / (64 * GiB)) * 1000) + (grows ? tick * 3 : 0)),
      immune: false,
    });
  }
  const ranking = [...processes]
    .sort((a, b) => b.risk - a.risk)
    .map((p) => ({ pid: p.pid, startTimeTicks: p.startTimeTicks, comm: p.comm, risk: p.risk, badnessBytes: p.rssBytes, oomScoreAdj: 0 }));
  const cgroups = Array.from({ length: 40 }, (_, c) => ({
    path: `/system.slice/svc-${c}.service`,
    version: 2 as const,
    usageBytes: (0.5 + (c % 10) / 20) * 16 * GiB + tick * 16 * MiB,
    limitBytes: 16 * GiB,
    swapUsageBytes: 0,
    swapLimitBytes: 0,
    oomKillCount: 0,
    oomCount: 0,
  }));
  const byCgroup = new Map<string, typeof ranking>();
  for (const r of ranking) {
    const path = processes[r.pid - 100].cgroup;
    let list = byCgroup.get(path);
    if (!list) byCgroup.set(path, (list = []));
    list.push({ ...r, risk: Math.min(1000, Math.round((r.badnessBytes / (16 * GiB)) * 1000)) });
  }
  const domains = [
    { kind: 'host' as const, id: 'host', totalBytes: 64 * GiB, ranking },
    ...cgroups.map((c) => ({ kind: 'cgroup' as const, id: c.path, totalBytes: c.limitBytes, ranking: byCgroup.get(c.path) ?? [] })),
  ];
  return {
    takenAtMs: Date.UTC(2026, 0, 1) + tick * intervalMs,
    bootId: 'bench-boot',
    hostname: 'bench',
    kernelRelease: '6.18.0',
    scale: 'new',
    pageSizeBytes: 4096,
    clockTicksPerSecond: 100,
    memory: {
      memTotalBytes: 64 * GiB,
      memAvailableBytes: 20 * GiB - tick * 50 * MiB,
      memFreeBytes: GiB,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
    },
    psi: { some: { avg10: 5, avg60: 4, avg300: 3, totalUs: 0 }, full: { avg10: 1, avg60: 1, avg300: 1, totalUs: 0 } },
    vmstatOomKill: 0,
    cgroupVersion: 2,
    cgroups,
    processes,
    domains,
    counts: { listed: n, sampled: n, gone: 0, denied: 0, kernelThreads: 0, newIdentities: 0 },
  };
}

export interface RuleBenchResult {
  processes: number;
  rules: number;
  ticks: number;
  /** Per tick: history update + evaluation + notification planning (wall clock, so it includes other load on the machine). */
  meanMs: number;
  /** CPU time (user + system) of this process per tick, mean: less disturbed by other load than wall time. */
  meanCpuMs: number;
  p95Ms: number;
  maxMs: number;
  firingAtEnd: number;
  /** Share of a tick interval spent, at the mean. */
  shareOfTick: number;
  /** CPU ms to fill a Map with 8,000 numbers on this machine: a yardstick to compare figures across machines. */
  calibrationMs: number;
}

/** CPU time of a trivial 8,000-entry Map fill, so figures from a slow or shared machine can be scaled. */
export function calibrateMs(): number {
  const m = new Map<number, number>();
  const c0 = process.cpuUsage();
  for (let i = 0; i < 50; i++) {
    m.clear();
    for (let j = 0; j < 8000; j++) m.set(j, j);
  }
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000 / 50;
}

export function benchRuleEvaluation(
  opts: { processes?: number; ticks?: number; intervalMs?: number; growEvery?: number } = {},
): RuleBenchResult {
  const n = opts.processes ?? 8000;
  const ticks = opts.ticks ?? 60;
  const intervalMs = opts.intervalMs ?? 10_000;
  const configs = BENCH_RULES.map((r) => ruleSchema.parse(r));
  const rules = compileRules(configs);
  const alerting = alertingSection.parse({});
  const history = createHistory(historyWindows(configs));
  let state: RuleState = emptyRuleState();
  let groups = new Map<string, GroupState>();
  const times: number[] = [];
  const cpuTimes: number[] = [];
  const isProtected = (p: ProcessSample) => p.comm === 'postgres';
  for (let tick = 0; tick < ticks; tick++) {
    const snap = benchSnapshot(n, tick, intervalMs, opts.growEvery ?? 50); // built outside the timing, one at a time (as the sampler would)
    // With --expose-gc, collect the snapshot builder's garbage first so its GC pauses are not billed to the rules.
    (globalThis as { gc?: () => void }).gc?.();
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    updateHistory(history, snap, true);
    const ev = evaluateRules(
      rules,
      { snapshot: snap, history, incidents: [], health: { samplerStalled: false, brokenChannels: [] }, dataFresh: true, isProtected },
      state,
      snap.takenAtMs,
      { host: 'bench', vanishWaitTicks: 3 },
    );
    const firing = [...ev.next.instances.values()].filter((i) => i.status === 'firing').map((i) => i.alert);
    const plan = planNotifications({
      firing,
      resolved: ev.transitions.filter((t) => t.kind === 'resolved').map((t) => t.alert),
      groups,
      silences: [],
      rules,
      channels: [{ name: 'console', sendResolved: true }],
      alerting,
      host: 'bench',
      nowMs: snap.takenAtMs,
    });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    const cpu = process.cpuUsage(cpuStart);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    state = ev.next;
    groups = plan.groups;
  }
  const steady = times.slice(Math.min(5, times.length - 1)).sort((a, b) => a - b); // skip JIT warm-up
  const meanMs = steady.reduce((s, x) => s + x, 0) / steady.length;
  const cpuSteady = cpuTimes.slice(Math.min(5, cpuTimes.length - 1));
  const meanCpuMs = cpuSteady.reduce((s, x) => s + x, 0) / cpuSteady.length;
  let firingAtEnd = 0;
  for (const i of state.instances.values()) if (i.status === 'firing') firingAtEnd++;
  return {
    processes: n,
    rules: rules.length,
    ticks,
    meanMs,
    meanCpuMs,
    p95Ms: steady[Math.floor(steady.length * 0.95)],
    maxMs: steady[steady.length - 1],
    firingAtEnd,
    shareOfTick: meanMs / intervalMs,
    calibrationMs: calibrateMs(),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const processes = Number(process.argv[2] ?? 8000);
  const ticks = Number(process.argv[3] ?? 60);
  for (const [label, growEvery] of [
    ['quiet host (nothing growing)', 0],
    ['2 % of processes leaking and climbing', 50],
  ] as const) {
    const r = benchRuleEvaluation({ processes, ticks, growEvery });
    console.log(
      `rules, ${label}: ${r.processes} processes × ${r.rules} rules, ${r.ticks} ticks: mean ${r.meanMs.toFixed(2)} ms (CPU ${r.meanCpuMs.toFixed(2)} ms), ` +
        `p95 ${r.p95Ms.toFixed(2)} ms, max ${r.maxMs.toFixed(2)} ms per tick (${(r.shareOfTick * 100).toFixed(3)} % of a 10 s tick); ` +
        `${r.firingAtEnd} alerts firing at the end; yardstick: an 8,000-entry Map fill takes ${r.calibrationMs.toFixed(2)} ms CPU here`,
    );
  }
}
