/**
 * The incident as the CLI (JSON and tables), reports and alert rules see it: the same shape whether it
 * comes from the store or straight from an imported file. Pure.
 */
import type { Killer, MemcgCounterLine, OomConstraint, OomReport, OomTrigger, OomVictim, ReportFlag } from './types.js';

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

/** The host name `oomwatch import` gives a log that names no host (dmesg): usually this host's own. */
export const UNKNOWN_HOST = 'unknown';

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
  /** Who killed: the kernel, or a user-space OOM daemon. */
  killer: Killer;
  /** A user-space killer's own reason (threshold, badness); null for the kernel. */
  reason: string | null;
  /** memory.oom.group: the cgroup whose tasks were all killed; killCount counts the victim and groupVictims. */
  groupCgroup: string | null;
  /** memory.oom.group: the other tasks killed with the victim. */
  groupVictims: OomVictim[];
}

/** An incident parsed from a log, before (or without) storing it. */
export function viewFromReport(report: OomReport, meta: { source: IncidentSource; hostname: string; id?: number | null }): IncidentView {
  return {
    id: meta.id ?? null,
    source: meta.source,
    noKernelReport: false,
    hostname: report.hostname ?? meta.hostname,
    bootId: report.bootId,
    kmsgSeq: report.killSeq,
    timeMs: report.wallMs,
    timeExact: report.wallExact,
    monotonicUs: report.monotonicUs,
    windowStartMs: null,
    killCount: 1 + (report.groupVictims?.length ?? 0),
    constraint: report.constraint,
    constraintRaw: report.constraintRaw,
    oomMemcg: report.oomMemcg,
    taskMemcg: report.taskMemcg,
    cpuset: report.cpuset,
    memsAllowed: report.memsAllowed,
    trigger: report.trigger,
    victim: report.victim,
    reaped: report.reaper !== null,
    reaper: report.reaper
      ? {
          timeMs: report.reaper.wallMs,
          anonRssBytes: report.reaper.anonRssBytes,
          fileRssBytes: report.reaper.fileRssBytes,
          shmemRssBytes: report.reaper.shmemRssBytes,
        }
      : null,
    memcgCounters: report.memcgCounters,
    flags: report.flags,
    vanished: [],
    taskColumns: report.taskColumns,
    killer: report.killer ?? 'kernel',
    reason: report.reason ?? null,
    groupCgroup: report.groupCgroup ?? null,
    groupVictims: report.groupVictims ?? [],
  };
}
