/**
 * The kernel's OOM report as kernel/ parses it from the log and store/ keeps it. Plain types: this folder
 * imports nothing. Units are in the names.
 * Every string that comes from the kernel log (comm, cgroup paths) is UNTRUSTED: a process chooses its
 * own name. Renderers escape it at their edge.
 */

/** One kernel log record, whatever format it came from. */
export interface KernelRecord {
  /** The message text, unescaped; may hold newlines (a multi-line record such as memory.stat). */
  text: string;
  /** /dev/kmsg sequence number, when known. */
  seq: number | null;
  /** Kernel timestamp: microseconds since boot (CLOCK_MONOTONIC-like, stops during suspend), when known. */
  monotonicUs: number | null;
  /** Wall-clock time in epoch ms, when known (dmesg -T, journal, syslog, or converted by KmsgSource). */
  wallMs: number | null;
  /** Whether wallMs is exact; false when only approximate (a suspend may lie between record and conversion, or no year/zone). */
  wallExact?: boolean;
  /** Boot id, when the format carries it (journalctl -o json _BOOT_ID). */
  bootId?: string | null;
  /** Host name, when the format carries it (syslog, journal). */
  hostname?: string | null;
}

/** The kernel's oom_constraint, with memcg recognised on 5.0–5.2 by oom_memcg= (they print CONSTRAINT_NONE). */
export type OomConstraint = 'global' | 'memcg' | 'cpuset' | 'mempolicy';

export interface OomTrigger {
  comm: string;
  /** From the "CPU: n PID: p Comm: c" line; null when it was not logged. */
  pid: number | null;
  gfpMask: string;
  /** Decoded flags as the kernel printed them, e.g. "GFP_KERNEL"; null on old kernels. */
  gfpFlags: string | null;
  order: number;
  oomScoreAdj: number;
}

export interface OomVictim {
  pid: number;
  comm: string;
  uid: number | null;
  totalVmBytes: number | null;
  anonRssBytes: number | null;
  fileRssBytes: number | null;
  shmemRssBytes: number | null;
  pageTablesBytes: number | null;
  oomScoreAdj: number | null;
  /** Pre-5.1 "Kill process N (c) score S or sacrifice child": the process the kernel chose (the victim may be its child). */
  selectedPid: number | null;
  selectedScore: number | null;
  /** Linked from the sampler's history (store), when the identity was found. */
  startTimeTicks?: number | null;
  processId?: number | null;
}

/** One "memory:", "memory+swap:", "swap:" or "kmem:" line of a memory-cgroup report. Null limit = unlimited. */
export interface MemcgCounterLine {
  kind: 'memory' | 'memory+swap' | 'swap' | 'kmem';
  usageBytes: number;
  limitBytes: number | null;
  failcnt: number;
}

/**
 * One row of the kernel's task table (dump_tasks). Columns changed across versions: nr_ptes (≤4.14),
 * nr_pmds (4.7–4.14), pgtables_bytes (4.15+), rss_anon/rss_file/rss_shmem (6.8+); absent ones are null.
 */
export interface OomTaskRow {
  pid: number;
  uid: number | null;
  tgid: number | null;
  totalVmPages: number | null;
  rssPages: number | null;
  rssAnonPages: number | null;
  rssFilePages: number | null;
  rssShmemPages: number | null;
  pgtablesBytes: number | null;
  /** Pre-4.15 tables count page-table pages (nr_ptes); kept raw. */
  nrPtes: number | null;
  swapents: number | null;
  oomScoreAdj: number | null;
  name: string;
}

export interface ReaperOutcome {
  pid: number;
  comm: string;
  anonRssBytes: number;
  fileRssBytes: number;
  shmemRssBytes: number;
  monotonicUs: number | null;
  wallMs: number | null;
  seq: number | null;
}

/**
 * Situations worth knowing about a report: 'no-header' (rate-limited header, only the kill line),
 * 'truncated' (a header whose kill line never came), 'no-task-table', 'child-sacrificed' (pre-5.1: the
 * victim is a child of the selected process), 'cgroup-from-samples' (the report named no cgroup: the
 * victim's cgroup, and the memory-limited cgroup holding it, come from the sampled history).
 */
export type ReportFlag =
  'no-header' | 'truncated' | 'no-task-table' | 'child-sacrificed' | 'cgroup-from-samples' | 'group-kill' | 'unparsed';

/**
 * Who killed: the kernel's OOM killer, or a user-space OOM daemon read from its log (src/killers/).
 * 'group-kill': memory.oom.group made the kernel kill every task of a cgroup (one incident, several victims);
 * 'unparsed': a user-space killer's line of a format not known yet, recorded raw.
 */
export type Killer = 'kernel' | 'systemd-oomd' | 'earlyoom' | 'nohang' | 'kubelet-eviction';

/** One OOM kill as the kernel reported it. */
export interface OomReport {
  trigger: OomTrigger | null;
  constraint: OomConstraint | null;
  /** As printed: CONSTRAINT_NONE, CONSTRAINT_MEMCG, …; null before 5.0. */
  constraintRaw: string | null;
  oomMemcg: string | null;
  taskMemcg: string | null;
  cpuset: string | null;
  memsAllowed: string | null;
  memcgCounters: MemcgCounterLine[];
  victim: OomVictim | null;
  tasks: OomTaskRow[];
  /** Column names of the task table as the header printed them. */
  taskColumns: string[];
  reaper: ReaperOutcome | null;
  flags: ReportFlag[];
  /** Time of the kill line (else the last record). */
  monotonicUs: number | null;
  wallMs: number | null;
  wallExact: boolean;
  /** Seq of the first and of the kill record (kmsg only). */
  firstSeq: number | null;
  killSeq: number | null;
  bootId: string | null;
  hostname: string | null;
  /** The report's own lines, for forensics (capped). */
  rawLines: string[];
  /** Who killed; absent: the kernel. */
  killer?: Killer;
  /** A user-space killer's own reason (pressure or swap threshold, badness), as one line. */
  reason?: string | null;
  /** memory.oom.group: the cgroup whose tasks were all killed with the victim. */
  groupCgroup?: string | null;
  /** memory.oom.group: the other tasks killed with the victim, in the kernel's order. */
  groupVictims?: OomVictim[];
}
