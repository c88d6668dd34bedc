/**
 * The agent's Prometheus metrics on their own Registry (never prom-client's global one: two agents
 * in one test process, or a library of ours, must not share series). Names follow
 * https://prometheus.io/docs/practices/naming/ (base units, `_total` for counters). docs/metrics.md lists them.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { HostSnapshot } from '../model/snapshot.js';
import { normalizeConstraint, normalizeToken, normalizeWorkloadKind, selectTopCgroups, selectTopProcesses } from './labels.js';

export interface BuildInfo {
  version: string;
  node: string;
}

export interface TickInfo {
  /** Wall time the tick took. */
  durationMs: number;
  /** Ticks skipped just before this one (the previous tick overran, or the process was stopped). */
  missed: number;
}

export interface IncidentInfo {
  /** The kernel's constraint (`CONSTRAINT_MEMCG`, `memcg`, …); mapped to a fixed vocabulary. */
  constraint: string;
  /** How the kill was learned: `kmsg` (the kernel's report) or `counter` (vmstat/memory.events only). */
  source: string;
  /** The victim's workload kind (src/workload: `k8s-pod`, `docker`, …); absent without a cgroup. */
  workload?: string | null;
  /** The victim pod's Kubernetes namespace, when named. */
  namespace?: string | null;
}

/** One channel's delivery state, as store/outbox-repo.ts listChannelHealth reports it. */
export interface ChannelView {
  channel: string;
  pending: number;
  state: 'ok' | 'failing' | 'broken';
  consecutiveFailures: number;
  sentTotal: number;
  failedTotal: number;
}

export interface FiringAlert {
  ruleId: string;
  severity: string;
}

/**
 * Sets a counter to a total kept elsewhere: the kernel's (which restarts at 0 on reboot) or the database's.
 * prom-client counters only go up, so the series is replaced; a lower value reads as a counter reset,
 * which rate() and increase() handle.
 */
function setCounter(counter: Counter<string>, value: number, labels?: Record<string, string>): void {
  const v = Math.max(0, value);
  if (labels) {
    counter.remove(labels);
    counter.inc(labels, v);
  } else {
    counter.reset();
    counter.inc(v);
  }
}

export const DEFAULT_METRICS_NAMED_LIKE_COUNTERS = [
  'oomwatch_nodejs_active_handles_total',
  'oomwatch_nodejs_active_requests_total',
  'oomwatch_nodejs_active_resources_total',
] as const;

/** Every constraint × source an incident can carry, exported at 0 from the start so increase() sees the first kill. */
export const INCIDENT_CONSTRAINTS = ['global', 'memcg', 'cpuset', 'mempolicy', 'unknown'] as const;
export const INCIDENT_SOURCES = ['kmsg', 'counter'] as const;

export function createOomwatchRegistry(opts: { build: BuildInfo; topN: number }) {
  const registry = new Registry();
  const registers = [registry];
  // The agent's own RSS, heap, GC and event-loop lag (oomwatch_nodejs_eventloop_lag_*_seconds, from perf_hooks.monitorEventLoopDelay).
  collectDefaultMetrics({ register: registry, prefix: 'oomwatch_' });
  // prom-client also exports nodejs_active_{handles,requests,resources}_total: gauges named like counters, which
  // `promtool check metrics` rejects (exit 3) and rate() would misread. The per-type gauges without the suffix stay:
  // sum(oomwatch_nodejs_active_handles) is the same total.
  for (const name of DEFAULT_METRICS_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);

  const g = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers });
  const c = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers });

  const buildInfo = g('oomwatch_build_info', 'Always 1; the labels say which oomwatch and Node.js are running.', ['version', 'node']);
  buildInfo.set({ version: opts.build.version, node: opts.build.node }, 1);

  const memTotal = g('oomwatch_memory_total_bytes', 'MemTotal from /proc/meminfo.');
  const memAvailable = g('oomwatch_memory_available_bytes', 'MemAvailable from /proc/meminfo: what can be allocated without swapping.');
  const memFree = g('oomwatch_memory_free_bytes', 'MemFree from /proc/meminfo.');
  const swapTotal = g('oomwatch_swap_total_bytes', 'SwapTotal from /proc/meminfo.');
  const swapFree = g('oomwatch_swap_free_bytes', 'SwapFree from /proc/meminfo.');
  const psiRatio = g('oomwatch_memory_pressure_ratio', 'Memory PSI average share of time stalled (0..1), from /proc/pressure/memory.', [
    'kind',
    'window',
  ]);
  const psiStall = c(
    'oomwatch_memory_pressure_stall_seconds_total',
    'Memory PSI total stall time since boot, from /proc/pressure/memory.',
    ['kind'],
  );
  const kernelOomKills = c(
    'oomwatch_kernel_oom_kills_total',
    'OOM kills counted by the kernel since boot (/proc/vmstat oom_kill, Linux 4.13+).',
  );
  const incidents = c(
    'oomwatch_oom_incidents_total',
    'OOM kills recorded by oomwatch since the agent started, by constraint and how they were learned.',
    ['constraint', 'source'],
  );
  // A series that appears with its first kill at 1 has no earlier sample, so increase() and rate() would miss that kill.
  for (const constraint of INCIDENT_CONSTRAINTS) for (const source of INCIDENT_SOURCES) incidents.inc({ constraint, source }, 0);
  // Kills by what ran in the victim's cgroup. Kept apart from the counter above, which alerting reads: its series exist
  // at 0 from the start, while a namespace's series can only appear with that namespace's first kill.
  const workloadKills = c(
    'oomwatch_oom_workload_kills_total',
    "OOM kills recorded by oomwatch since the agent started, by the victim's workload kind and Kubernetes namespace (a series appears with its first kill).",
    ['workload', 'namespace'],
  );
  const alertsFiring = g('oomwatch_alerts_firing', 'Alert instances currently firing, by rule and severity.', ['rule', 'severity']);
  const queueDepth = g('oomwatch_notification_queue_depth', 'Notifications waiting in the outbox, per channel.', ['channel']);
  const channelFailures = g(
    'oomwatch_notification_consecutive_failures',
    'Delivery attempts that failed in a row, per channel (0 after a success).',
    ['channel'],
  );
  const channelState = g(
    'oomwatch_notification_channel_state',
    'Channel state: 1 for the current one of ok, failing (retrying) or broken (permanent error until repaired).',
    ['channel', 'state'],
  );
  const sentTotal = c('oomwatch_notifications_sent_total', 'Notifications delivered, per channel (kept in the database across restarts).', [
    'channel',
  ]);
  const expiredTotal = c(
    'oomwatch_notifications_expired_total',
    "Notifications given up after the channel's retry.giveUpAfter, per channel (kept in the database).",
    ['channel'],
  );
  const tickDuration = new Histogram({
    name: 'oomwatch_tick_duration_seconds',
    help: 'Time one sampling tick took.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const ticksMissed = c('oomwatch_ticks_missed_total', 'Sampling ticks skipped because the previous one overran or the agent was stopped.');
  const lastTick = g('oomwatch_last_tick_timestamp_seconds', 'When the last tick completed (Unix time). Alert on time() minus this.');
  const processes = g('oomwatch_tick_processes', 'Processes seen by the last tick, by outcome.', ['outcome']);
  // Series are named by what a process is (comm, unit), never by its position: labels.ts selectTopProcesses says why.
  const procLabels = ['comm', 'unit'];
  const procRank = g(
    'oomwatch_top_process_rank',
    'Top-N processes by OOM risk: position in the host ranking, 1 = the next victim of a global OOM.',
    procLabels,
  );
  const procRisk = g(
    'oomwatch_top_process_risk_permille',
    'Top-N processes by OOM risk: badness per mille of RAM+swap (adj included), rank 1 = the next victim.',
    procLabels,
  );
  const procBadness = g(
    'oomwatch_top_process_badness_bytes',
    'Top-N processes: rss + swap + page tables + adj share, as the kernel counts it.',
    procLabels,
  );
  const procRss = g('oomwatch_top_process_rss_bytes', 'Top-N processes: resident set size.', procLabels);
  const procAdj = g('oomwatch_top_process_oom_score_adj', 'Top-N processes: oom_score_adj (-1000..1000).', procLabels);
  const cgLabels = ['cgroup'];
  const cgRank = g('oomwatch_top_cgroup_rank', 'Top-N memory-limited cgroups: position by usage / limit, 1 = the fullest.', cgLabels);
  const cgUsage = g('oomwatch_top_cgroup_memory_usage_bytes', 'Top-N memory-limited cgroups closest to their limit: usage.', cgLabels);
  const cgLimit = g('oomwatch_top_cgroup_memory_limit_bytes', 'Top-N memory-limited cgroups closest to their limit: the limit.', cgLabels);
  const cgRatio = g('oomwatch_top_cgroup_memory_usage_ratio', 'Top-N memory-limited cgroups: usage / limit.', cgLabels);
  const cgVictim = g(
    'oomwatch_top_cgroup_next_victim_risk_permille',
    "Top-N memory-limited cgroups: the process the kernel would kill first at the cgroup's limit, its badness per mille of the limit (+ usable swap).",
    ['cgroup', 'comm'],
  );

  function onTick(snapshot: HostSnapshot, tick: TickInfo, nowMs: number): void {
    const m = snapshot.memory;
    memTotal.set(m.memTotalBytes);
    memAvailable.set(m.memAvailableBytes);
    memFree.set(m.memFreeBytes);
    swapTotal.set(m.swapTotalBytes);
    swapFree.set(m.swapFreeBytes);
    psiRatio.reset();
    if (snapshot.psi) {
      for (const [kind, line] of [
        ['some', snapshot.psi.some],
        ['full', snapshot.psi.full],
      ] as const) {
        if (!line) continue;
        psiRatio.set({ kind, window: '10s' }, line.avg10 / 100);
        psiRatio.set({ kind, window: '60s' }, line.avg60 / 100);
        psiRatio.set({ kind, window: '300s' }, line.avg300 / 100);
        setCounter(psiStall, line.totalUs / 1e6, { kind });
      }
    }
    if (snapshot.vmstatOomKill !== null) setCounter(kernelOomKills, snapshot.vmstatOomKill);
    tickDuration.observe(Math.max(0, tick.durationMs) / 1000);
    if (tick.missed > 0) ticksMissed.inc(tick.missed);
    lastTick.set(nowMs / 1000);
    const k = snapshot.counts;
    processes.set({ outcome: 'sampled' }, k.sampled);
    processes.set({ outcome: 'gone' }, k.gone);
    processes.set({ outcome: 'denied' }, k.denied);
    processes.set({ outcome: 'kernel_thread' }, k.kernelThreads);

    // Replace, never accumulate: a process that left the top N must leave the exposition too.
    for (const metric of [procRank, procRisk, procBadness, procRss, procAdj, cgRank, cgUsage, cgLimit, cgRatio, cgVictim]) metric.reset();
    for (const row of selectTopProcesses(snapshot, opts.topN)) {
      const labels = { comm: row.comm, unit: row.unit };
      procRank.set(labels, row.rank);
      procRisk.set(labels, row.risk);
      procBadness.set(labels, row.badnessBytes);
      procRss.set(labels, row.rssBytes);
      procAdj.set(labels, row.oomScoreAdj);
    }
    for (const row of selectTopCgroups(snapshot, opts.topN)) {
      const labels = { cgroup: row.cgroup };
      cgRank.set(labels, row.rank);
      cgUsage.set(labels, row.usageBytes);
      cgLimit.set(labels, row.limitBytes);
      cgRatio.set(labels, row.usageRatio);
      if (row.nextVictim) cgVictim.set({ cgroup: row.cgroup, comm: row.nextVictim.comm }, row.nextVictim.riskPermille);
    }
  }

  function onIncident(i: IncidentInfo): void {
    incidents.inc({ constraint: normalizeConstraint(i.constraint), source: normalizeToken(i.source) });
    if (i.workload)
      workloadKills.inc({ workload: normalizeWorkloadKind(i.workload), namespace: i.namespace ? normalizeToken(i.namespace) : '' });
  }

  function setAlerts(firing: readonly FiringAlert[]): void {
    alertsFiring.reset();
    for (const a of firing) alertsFiring.inc({ rule: normalizeToken(a.ruleId), severity: normalizeToken(a.severity) });
  }

  function setChannels(channels: readonly ChannelView[]): void {
    for (const metric of [queueDepth, channelFailures, channelState]) metric.reset();
    for (const ch of channels) {
      const channel = normalizeToken(ch.channel);
      queueDepth.set({ channel }, ch.pending);
      channelFailures.set({ channel }, ch.consecutiveFailures);
      for (const state of ['ok', 'failing', 'broken'] as const) channelState.set({ channel, state }, ch.state === state ? 1 : 0);
      setCounter(sentTotal, ch.sentTotal, { channel });
      setCounter(expiredTotal, ch.failedTotal, { channel });
    }
  }

  return { registry, onTick, onIncident, setAlerts, setChannels };
}

export type OomwatchRegistry = ReturnType<typeof createOomwatchRegistry>;
