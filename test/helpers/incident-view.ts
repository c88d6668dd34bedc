/** An incident as the store shows it (IncidentView), for tests: a memcg kill of `victim` with nothing else known. */
import type { IncidentView } from '../../src/model/incident.js';
import type { OomVictim } from '../../src/model/kernel-report.js';

/** A victim with only its pid, comm, anonymous RSS and oom_score_adj known. */
export function victimOf(v: { pid: number; comm: string; anonRssBytes: number; oomScoreAdj: number } & Partial<OomVictim>): OomVictim {
  return {
    uid: 0,
    totalVmBytes: null,
    fileRssBytes: 0,
    shmemRssBytes: 0,
    pageTablesBytes: null,
    selectedPid: null,
    selectedScore: null,
    ...v,
  };
}

/** `at` is the kill's time (the test's own clock); every field can be overridden. */
export function incidentView(at: number, over: Partial<IncidentView> = {}): IncidentView {
  return {
    id: 1,
    source: 'kmsg',
    noKernelReport: false,
    hostname: 'h',
    bootId: null,
    kmsgSeq: null,
    timeMs: at,
    timeExact: true,
    monotonicUs: null,
    windowStartMs: null,
    killCount: 1,
    constraint: 'memcg',
    constraintRaw: 'CONSTRAINT_MEMCG',
    oomMemcg: null,
    taskMemcg: null,
    cpuset: null,
    memsAllowed: null,
    trigger: null,
    victim: null,
    reaped: false,
    reaper: null,
    memcgCounters: [],
    flags: [],
    vanished: [],
    taskColumns: [],
    workload: null,
    killer: 'kernel',
    reason: null,
    groupCgroup: null,
    groupVictims: [],
    ...over,
  };
}
