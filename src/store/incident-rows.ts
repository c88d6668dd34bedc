/**
 * The incident table's rows and what the CLI, reports and rules see (IncidentView): the mapping both ways of
 * units (the kernel's KiB and pages as stored, bytes as shown) and of the columns added by later migrations.
 */
import type { IncidentSource, IncidentView, VanishedProcess } from '../model/incident.js';
import type { Killer, MemcgCounterLine, OomVictim, ReportFlag } from '../model/kernel-report.js';
import type { Workload } from '../model/workload.js';
import { workloadFromPath } from '../workload/parse-cgroup-path.js';

const KIB = 1024;
export const kib = (bytes: number | null | undefined): number | null =>
  bytes === null || bytes === undefined ? null : Math.round(bytes / KIB);
export const bytes = (k: number | null): number | null => (k === null ? null : k * KIB);

export interface TaskRowDb {
  pid: number;
  uid: number | null;
  tgid: number | null;
  total_vm_pages: number | null;
  rss_pages: number | null;
  rss_anon_pages: number | null;
  rss_file_pages: number | null;
  rss_shmem_pages: number | null;
  pgtables_bytes: number | null;
  nr_ptes: number | null;
  swapents: number | null;
  oom_score_adj: number | null;
  name: string;
}

export interface IncidentRow {
  id: number;
  source: IncidentSource;
  hostname: string;
  boot_id: string | null;
  kmsg_seq: number | null;
  ts_ms: number | null;
  wall_exact: number;
  monotonic_us: number | null;
  window_start_ms: number | null;
  kill_count: number;
  constraint_kind: IncidentView['constraint'];
  constraint_raw: string | null;
  oom_memcg: string | null;
  task_memcg: string | null;
  cpuset: string | null;
  mems_allowed: string | null;
  trigger_comm: string | null;
  trigger_pid: number | null;
  gfp_mask: string | null;
  gfp_flags: string | null;
  alloc_order: number | null;
  trigger_oom_score_adj: number | null;
  victim_pid: number | null;
  victim_comm: string | null;
  victim_uid: number | null;
  victim_total_vm_kib: number | null;
  victim_anon_rss_kib: number | null;
  victim_file_rss_kib: number | null;
  victim_shmem_rss_kib: number | null;
  victim_pgtables_kib: number | null;
  victim_oom_score_adj: number | null;
  selected_pid: number | null;
  selected_score: number | null;
  victim_process_id: number | null;
  victim_start_time_ticks: number | null;
  reaped: number;
  reaped_ts_ms: number | null;
  reaped_anon_rss_kib: number | null;
  reaped_file_rss_kib: number | null;
  reaped_shmem_rss_kib: number | null;
  memcg_counters_json: string | null;
  task_columns: string | null;
  flags: string;
  vanished_json: string | null;
  workload_json: string | null;
  killer: Killer;
  reason: string | null;
  group_cgroup: string | null;
}

export function viewFromRow(r: IncidentRow, groupVictims: (id: number) => OomVictim[]): IncidentView {
  return {
    killer: r.killer,
    reason: r.reason,
    groupCgroup: r.group_cgroup,
    groupVictims: r.group_cgroup ? groupVictims(r.id) : [],
    id: r.id,
    source: r.source,
    noKernelReport: r.source === 'counter',
    hostname: r.hostname,
    bootId: r.boot_id,
    kmsgSeq: r.kmsg_seq,
    timeMs: r.ts_ms,
    timeExact: r.wall_exact === 1,
    monotonicUs: r.monotonic_us,
    windowStartMs: r.window_start_ms,
    killCount: r.kill_count,
    constraint: r.constraint_kind,
    constraintRaw: r.constraint_raw,
    oomMemcg: r.oom_memcg,
    taskMemcg: r.task_memcg,
    cpuset: r.cpuset,
    memsAllowed: r.mems_allowed,
    trigger:
      r.gfp_mask === null
        ? null
        : {
            comm: r.trigger_comm ?? '',
            pid: r.trigger_pid,
            gfpMask: r.gfp_mask,
            gfpFlags: r.gfp_flags,
            order: r.alloc_order ?? 0,
            oomScoreAdj: r.trigger_oom_score_adj ?? 0,
          },
    victim:
      r.victim_pid === null
        ? null
        : {
            pid: r.victim_pid,
            comm: r.victim_comm ?? '',
            uid: r.victim_uid,
            totalVmBytes: bytes(r.victim_total_vm_kib),
            anonRssBytes: bytes(r.victim_anon_rss_kib),
            fileRssBytes: bytes(r.victim_file_rss_kib),
            shmemRssBytes: bytes(r.victim_shmem_rss_kib),
            pageTablesBytes: bytes(r.victim_pgtables_kib),
            oomScoreAdj: r.victim_oom_score_adj,
            selectedPid: r.selected_pid,
            selectedScore: r.selected_score,
            ...(r.victim_start_time_ticks !== null ? { startTimeTicks: r.victim_start_time_ticks, processId: r.victim_process_id } : {}),
          },
    reaped: r.reaped === 1,
    reaper:
      r.reaped === 1
        ? {
            timeMs: r.reaped_ts_ms,
            anonRssBytes: bytes(r.reaped_anon_rss_kib) ?? 0,
            fileRssBytes: bytes(r.reaped_file_rss_kib) ?? 0,
            shmemRssBytes: bytes(r.reaped_shmem_rss_kib) ?? 0,
          }
        : null,
    memcgCounters: r.memcg_counters_json ? (JSON.parse(r.memcg_counters_json) as MemcgCounterLine[]) : [],
    flags: r.flags ? (r.flags.split(',') as ReportFlag[]) : [],
    vanished: r.vanished_json ? (JSON.parse(r.vanished_json) as VanishedProcess[]) : [],
    taskColumns: r.task_columns ? r.task_columns.split(' ') : [],
    workload: workloadOfRow(r),
  };
}

/** As stored with the incident; for an incident stored before workloads were (migration 0010), what its path says. */
function workloadOfRow(r: IncidentRow): Workload | null {
  if (r.workload_json) return JSON.parse(r.workload_json) as Workload;
  const path = r.task_memcg ?? r.oom_memcg;
  return path ? workloadFromPath(path) : null;
}
