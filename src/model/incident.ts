/**
 * OOM incidents: the stored or imported view the CLI, reports and rules read, and the short form the rules
 * engine gets each tick. Plain types: this folder imports nothing but itself.
 * Strings from the kernel log or a process (comm, cgroup) are UNTRUSTED: renderers escape them.
 */
import type { Killer, MemcgCounterLine, OomConstraint, OomTrigger, OomVictim, ReportFlag } from './kernel-report.js';
import type { Workload } from './workload.js';

/** Where it was read: /dev/kmsg, a file (import), the kill counters alone, or a user-space killer's journal/syslog. */
export type IncidentSource = 'kmsg' | 'import' | 'counter' | 'journal' | 'syslog';

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
  /** Who killed: the kernel, or a user-space OOM daemon. */
  killer: Killer;
  /** A user-space killer's own reason (threshold, badness); null for the kernel. */
  reason: string | null;
  /** memory.oom.group: the cgroup whose tasks were all killed; killCount counts the victim and groupVictims. */
  groupCgroup: string | null;
  /** memory.oom.group: the other tasks killed with the victim. */
  groupVictims: OomVictim[];
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
  /** Who killed, when not the kernel (a user-space OOM daemon), with its own reason. */
  killer?: string;
  reason?: string;
  /** memory.oom.group: how many other tasks were killed with the victim, and their cgroup. */
  groupVictimCount?: number;
  groupCgroup?: string;
}
