/**
 * OOM incidents: the stored or imported view the CLI, reports and rules read, and the short form the rules
 * engine gets each tick. Plain types: this folder imports nothing but itself.
 * Strings from the kernel log or a process (comm, cgroup) are UNTRUSTED: renderers escape them.
 */
import type { MemcgCounterLine, OomConstraint, OomTrigger, OomVictim, ReportFlag } from './kernel-report.js';
import type { Workload } from './workload.js';

export type IncidentSource = 'kmsg' | 'import' | 'counter';

/** A process that disappeared from the cgroup between two ticks (counter-only incidents). */
export interface VanishedProcess {
  pid: number;
  startTimeTicks: number;
  comm: string;
  rssBytes: number;
  oomScoreAdj: number;
}

export interface IncidentView {
  /** Store id; null for an incident read from a file and not stored. */
  id: number | null;
  source: IncidentSource;
  /** True for counter-only incidents: the kernel's report was not seen. */
  noKernelReport: boolean;
  hostname: string;
  bootId: string | null;
  kmsgSeq: number | null;
  /** Wall-clock time of the kill (counter: end of the window), epoch ms; null when unknown. */
  timeMs: number | null;
  timeExact: boolean;
  monotonicUs: number | null;
  /** Counter incidents: the kill happened after this instant. */
  windowStartMs: number | null;
  killCount: number;
  constraint: OomConstraint | null;
  constraintRaw: string | null;
  oomMemcg: string | null;
  taskMemcg: string | null;
  cpuset: string | null;
  memsAllowed: string | null;
  trigger: OomTrigger | null;
  victim: OomVictim | null;
  reaped: boolean;
  reaper: { timeMs: number | null; anonRssBytes: number; fileRssBytes: number; shmemRssBytes: number } | null;
  memcgCounters: MemcgCounterLine[];
  flags: ReportFlag[];
  vanished: VanishedProcess[];
  taskColumns: string[];
  /**
   * What ran in the victim's cgroup (its task memcg, else the OOM domain's): as resolved when the cgroup was sampled
   * (names included, even when the container is gone since), else what the path says. Null without a cgroup.
   */
  workload: Workload | null;
}

/** An OOM kill recorded by the kernel module since the last tick ('counter': seen only in vmstat/memory.events). */
export interface Incident {
  id: number;
  atMs: number;
  constraint: string;
  cgroup?: string;
  victim?: { pid: number; startTimeTicks?: number; comm: string };
  source: 'kernel' | 'counter';
  /** What ran in the victim's cgroup (src/workload), when it has one. */
  workload?: Workload;
}
