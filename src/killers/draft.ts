/** An incident of a user-space killer as an OomReport (the shape the store, the CLI and the reports already know). Pure. */
import type { Killer, OomReport, OomVictim } from '../model/kernel-report.js';
import type { ProgramLine } from './program-line.js';

export interface KillerDraft {
  killer: Killer;
  reason: string | null;
  victim: { pid: number; comm: string; uid?: number | null; oomScoreAdj?: number | null } | null;
  /** The cgroup killed (systemd-oomd) or the victim's. */
  cgroup?: string | null;
  /** The cgroup whose pressure or limit was watched (systemd-oomd's monitored cgroup). */
  monitoredCgroup?: string | null;
  /** The lines that told it, first to last. */
  lines: string[];
  /** A line of a known killer that says it killed, in a format not known yet: kept raw. */
  unparsed?: boolean;
}

export function reportOf(d: KillerDraft, at: ProgramLine): OomReport {
  const victim: OomVictim | null = d.victim
    ? {
        pid: d.victim.pid,
        comm: d.victim.comm,
        uid: d.victim.uid ?? null,
        totalVmBytes: null,
        anonRssBytes: null,
        fileRssBytes: null,
        shmemRssBytes: null,
        pageTablesBytes: null,
        oomScoreAdj: d.victim.oomScoreAdj ?? null,
        selectedPid: null,
        selectedScore: null,
      }
    : null;
  return {
    trigger: null,
    constraint: null,
    constraintRaw: null,
    oomMemcg: d.monitoredCgroup ?? null,
    taskMemcg: d.cgroup ?? null,
    cpuset: null,
    memsAllowed: null,
    memcgCounters: [],
    victim,
    tasks: [],
    taskColumns: [],
    reaper: null,
    flags: d.unparsed ? ['unparsed'] : [],
    monotonicUs: at.monotonicUs,
    wallMs: at.wallMs,
    wallExact: at.wallExact,
    firstSeq: null,
    killSeq: null,
    bootId: at.bootId,
    hostname: at.hostname,
    rawLines: d.lines.slice(0, 200),
    killer: d.killer,
    reason: d.reason,
  };
}
