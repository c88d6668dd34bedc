/**
 * The incident as the CLI (JSON and tables), reports and alert rules see it: the same shape whether it
 * comes from the store or straight from an imported file. Pure.
 */
import type { OomReport } from '../model/kernel-report.js';
import type { IncidentSource, IncidentView } from '../model/incident.js';
import type { Workload } from '../model/workload.js';
import { workloadFromPath } from '../workload/parse-cgroup-path.js';

/** The host name `oomwatch import` gives a log that names no host (dmesg): usually this host's own. */
export const UNKNOWN_HOST = 'unknown';

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
    workload: workloadOfPath(report.taskMemcg ?? report.oomMemcg),
    killer: report.killer ?? 'kernel',
    reason: report.reason ?? null,
    groupCgroup: report.groupCgroup ?? null,
    groupVictims: report.groupVictims ?? [],
  };
}

const workloadOfPath = (path: string | null): Workload | null => (path ? workloadFromPath(path) : null);
