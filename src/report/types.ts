/**
 * The report models: what `oomwatch report` and the daily email say, independent of the output format.
 * Built by pure assembly (assemble-incident.ts, assemble-daily.ts) from data fetched by query.ts; rendered
 * by render-*.ts. Strings that come from processes or the kernel (comm, cgroup, unit) are UNTRUSTED: every
 * renderer escapes them for its own format.
 */
import type { Workload } from '../model/workload.js';

/** One instant of host memory. */
export interface MemoryPoint {
  tsMs: number;
  memAvailableBytes: number;
  swapUsedBytes: number;
  /** PSI memory "some" avg10 (%), null when the kernel has no PSI. */
  psiSome10: number | null;
  psiFull10: number | null;
}

export interface RankRow {
  pid: number;
  comm: string;
  /** Badness per mille of the domain's total (adj included); null when the cgroup limit is unknown. */
  risk: number | null;
  rssBytes: number;
  oomScoreAdj: number;
  isVictim: boolean;
}

export interface RankingAt {
  /** The tick the ranking was reconstructed at. */
  atMs: number;
  /** "kill − 10m" */
  label: string;
  domain: 'host' | 'cgroup';
  cgroup: string | null;
  rows: RankRow[];
}

export interface KernelTaskRow {
  pid: number;
  name: string;
  rssBytes: number | null;
  oomScoreAdj: number | null;
  isVictim: boolean;
}

export interface GrowthRow {
  pid: number;
  comm: string;
  cgroup: string;
  /** rss + swap at the process's first sample in the window (the window's start, or when it was first seen). */
  startRssBytes: number;
  endRssBytes: number;
  /** rss + swap growth from its first to its last sample in the window (end − start): start-up allocation is not growth. */
  growthBytes: number;
  /** When it was first seen in the window: the window's start for a process that was there before. */
  firstSampleMs: number;
  /** The last tick it was alive at in the window. */
  lastSampleMs: number;
  /** lastSampleMs − firstSampleMs: the span the growth happened in. */
  spanMs: number;
  /** growthBytes per second over spanMs (0 for a single sample). The culprit is the fastest grower. */
  growthBytesPerS: number;
  /** It was not there at the first sample of the window: it started (or was first seen) inside it. */
  startedInWindow: boolean;
  /** rss + swap per bucket across the window (for sparklines and charts); null where the process did not exist. */
  series: (number | null)[];
  isVictim: boolean;
}

export interface RiskSeries {
  pid: number;
  comm: string;
  /** Risk per mille per bucket; null where not sampled. */
  series: (number | null)[];
}

export interface ProtectedExposure {
  pid: number;
  comm: string;
  oomScoreAdj: number;
  /** Highest rank reached in the domain's rankings in the window (1 = next victim). */
  bestRank: number | null;
  killed: boolean;
}

export interface IncidentReport {
  schema: 'oomwatch.report.incident/v1';
  host: string;
  timeZone: string;
  /** null for a report at an instant (--at) rather than about a kill. */
  incident: {
    id: number | null;
    source: string;
    timeMs: number | null;
    timeExact: boolean;
    constraint: string | null;
    oomMemcg: string | null;
    trigger: { comm: string; pid: number | null } | null;
    victim: { pid: number; comm: string; uid: number | null; anonRssBytes: number | null; oomScoreAdj: number | null } | null;
    noKernelReport: boolean;
    /** What ran in the victim's cgroup (src/workload); null without a cgroup. */
    workload: Workload | null;
    /** Who killed (docs/killers.md), with a user-space killer's own reason and the cgroup it killed (systemd-oomd). */
    killer: string;
    reason: string | null;
    killedCgroup: string | null;
    /** memory.oom.group: the cgroup whose tasks were all killed, and how many besides the victim. */
    groupCgroup: string | null;
    groupVictimCount: number;
  } | null;
  /**
   * The window reported on. `requestedFromMs` is where it was asked to start; `fromMs` is later when the
   * recorded history starts inside the window (the agent started then): the window is cut to the history.
   */
  window: { fromMs: number; toMs: number; bucketMs: number; requestedFromMs: number };
  /** What the store could not tell (no local history, gaps, unlinked victim). Empty when complete. */
  missing: string[];
  memory: {
    memTotalBytes: number;
    swapTotalBytes: number;
    lowestAvailableBytes: number;
    lowestAvailableAtMs: number;
    peakPsiSome10: number | null;
    points: MemoryPoint[];
  } | null;
  cgroup: {
    path: string;
    version: 1 | 2 | null;
    limitBytes: number;
    peakUsageBytes: number;
    peakAtMs: number;
    usage: (number | null)[];
  } | null;
  /** The cgroup version of the host (or of the killed cgroup): which limit knobs the advice names. null when not recorded. */
  cgroupVersion: 1 | 2 | null;
  rankings: RankingAt[];
  kernelTasks: KernelTaskRow[];
  kernelTasksMore: number;
  verdict: {
    kernelVictim: { pid: number; comm: string } | null;
    firstRanked: { pid: number; comm: string; risk: number | null } | null;
    agree: boolean | null;
    reasons: string[];
  };
  culprit: GrowthRow | null;
  growth: GrowthRow[];
  riskSeries: RiskSeries[];
  protection: {
    exposed: ProtectedExposure[];
    changes: { tsMs: number; comm: string; pid: number; toAdj: number; outcome: string; ruleId: string }[];
  };
  recommendations: string[];
}

export interface DailyProcessRow {
  pid: number;
  comm: string;
  cgroup: string;
  unit: string | null;
  peakRisk: number;
  peakAtMs: number;
  peakRssBytes: number;
  oomScoreAdj: number;
  /** Max rss per bucket across the period. */
  trend: (number | null)[];
  /** 'rising' | 'falling' | 'flat' from first to last bucket. */
  direction: 'rising' | 'falling' | 'flat';
}

export interface DailyReport {
  schema: 'oomwatch.report.daily/v1';
  host: string;
  timeZone: string;
  period: { fromMs: number; toMs: number };
  ticks: number;
  incidents: {
    id: number;
    timeMs: number | null;
    victimComm: string | null;
    victimPid: number | null;
    constraint: string | null;
    memcg: string | null;
    source: string;
    workload: Workload | null;
  }[];
  incidentsMore: number;
  memory: {
    memTotalBytes: number;
    lowestAvailableBytes: number;
    lowestAvailableFraction: number;
    lowestAvailableAtMs: number;
    peakPsiSome10: number | null;
    peakPsiAtMs: number | null;
    /** Lowest available memory fraction per bucket. */
    availableTrend: (number | null)[];
  } | null;
  nearLimitCgroups: { path: string; peakUsageBytes: number; limitBytes: number; peakFraction: number; atMs: number }[];
  nearLimitMore: number;
  topRisk: DailyProcessRow[];
  topRiskMore: number;
  protectedExposure: { pid: number; comm: string; oomScoreAdj: number; peakRisk: number; timesNextVictim: number }[];
  policyFailures: { comm: string; pid: number; outcome: string; count: number; message: string | null }[];
  alerts: {
    fired: { ruleId: string; count: number; severity: string; lastSummary: string }[];
    open: { ruleId: string; severity: string; summary: string; sinceMs: number }[];
    openMore: number;
  };
  health: {
    gaps: { reason: string; count: number; totalMs: number }[];
    events: { kind: string; count: number; lastMessage: string }[];
    deniedTicks: number;
    maxDenied: number;
  };
  /** One-line summary ("no incidents; lowest available memory 61 %"). */
  headline: string;
}
