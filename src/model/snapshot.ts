/**
 * One sampling tick: the host's memory, PSI, cgroups and processes (built by sample/sampler.ts, stored by
 * store/samples-repo.ts, read by rules, reports, metrics and the policy). Plain types: this folder imports nothing.
 * Units are in the names.
 */

/** Which systemd manager a unit belongs to: PID 1's ('system') or a user's (`user@UID.service`, a user slice). */
export type UnitScope = 'system' | 'user';

/** A PID is not an identity: (boot id, pid, start time in clock ticks since boot). */
export interface ProcessKey {
  bootId: string;
  pid: number;
  startTimeTicks: number;
}

/** Which formula /proc/PID/oom_score uses. 'new' since Linux 5.9 (commit 9066e5cfb73c), 'old' before. */
export type OomScoreScale = 'new' | 'old';

export interface ProcessSample extends ProcessKey {
  ppid: number;
  uid: number | null;
  comm: string;
  /** Command line with secrets redacted (sample/redact.ts). */
  cmdline: string;
  /** Executable path (readlink of /proc/PID/exe), null when denied or gone. */
  exe: string | null;
  /** cgroup path: the v2 path, else the v1 memory controller's path. */
  cgroup: string;
  /** systemd unit (service or scope) owning the process, when there is one. */
  unit: string | null;
  /**
   * Whose unit: 'system' (PID 1's) or 'user' (in a user slice or under `user@UID.service`, where the user chooses the
   * name); null without a unit. A `unit:` match selects system units only unless it asks for user units.
   */
  unitScope: UnitScope | null;
  state: string;
  rssBytes: number;
  swapBytes: number;
  pageTablesBytes: number;
  /** Raw /proc/PID/oom_score as the kernel printed it. */
  oomScore: number;
  /** /proc/PID/oom_score_adj, -1000..1000. */
  oomScoreAdj: number;
  /** Kernel badness as per mille of RAM+swap (host domain), normalised from oomScore for the detected scale. */
  risk: number;
  /** oom_score == 0: the kernel will not pick this process (adj -1000 or unkillable). */
  immune: boolean;
}

export interface HostMemory {
  memTotalBytes: number;
  memAvailableBytes: number;
  memFreeBytes: number;
  swapTotalBytes: number;
  swapFreeBytes: number;
}

export interface PsiLine {
  avg10: number;
  avg60: number;
  avg300: number;
  totalUs: number;
}

export interface MemoryPsi {
  some: PsiLine;
  full: PsiLine | null;
}

export type CgroupVersion = 1 | 2;

export interface CgroupMemory {
  /** Path inside the hierarchy, starting with '/'. */
  path: string;
  version: CgroupVersion;
  usageBytes: number;
  /** Memory limit in bytes (v2 memory.max, v1 memory.limit_in_bytes). */
  limitBytes: number;
  swapUsageBytes: number | null;
  /** v2 memory.swap.max, or v1 memsw.limit - limit; null when unlimited/unknown. */
  swapLimitBytes: number | null;
  /** OOM kills counted by this cgroup (v2 memory.events oom_kill, v1 memory.oom_control oom_kill); null when the kernel lacks it. */
  oomKillCount: number | null;
  /** v2 memory.events oom (times the limit was hit and the OOM killer invoked); v1: null. */
  oomCount: number | null;
  /** The cgroup's memory event counters (absent when not read: fixtures written before they were). */
  events?: CgroupMemoryEvents;
}

/**
 * Memory event counters of a cgroup, each null when its kernel lacks it. v2 memory.events counts the cgroup and its
 * descendants; v1 has only memory.failcnt (usage hit the limit: `max`) and memory.oom_control (oom_kill, under_oom).
 */
export interface CgroupMemoryEvents {
  /** Usage went over memory.high and was throttled and reclaimed (v2). A pre-OOM pressure signal. */
  high: number | null;
  /** Usage was about to go over memory.max (v2), or hit the limit (v1 memory.failcnt). Reclaim at the limit: an OOM may follow. */
  max: number | null;
  /** The OOM killer was invoked for this cgroup (v2). */
  oom: number | null;
  /** Processes of this cgroup killed by the OOM killer (v2 memory.events, v1 memory.oom_control). */
  oomKill: number | null;
  /** memory.oom.group kills (v2, 5.17+). */
  oomGroupKill: number | null;
  /** v1 memory.oom_control under_oom: tasks wait on an OOM the kernel does not resolve (oom_kill_disable). */
  underOom?: boolean;
}

/** One OOM domain: the host, or one memory-limited cgroup. Ranking is the kernel's order of choice. */
export interface OomDomain {
  kind: 'host' | 'cgroup';
  /** 'host' or the cgroup path. */
  id: string;
  /** What badness is measured against: RAM+swap for the host, the limit (+ usable swap) for a cgroup. */
  totalBytes: number;
  ranking: RankedProcess[];
}

export interface RankedProcess {
  pid: number;
  startTimeTicks: number;
  comm: string;
  /** Badness as per mille of the domain's total (adj included, as the kernel counts it). */
  risk: number;
  /** Badness in bytes: rss + swap + page tables + adj * total / 1000. */
  badnessBytes: number;
  oomScoreAdj: number;
}

export interface TickCounts {
  listed: number;
  sampled: number;
  /** Exited between readdir and read. */
  gone: number;
  /** Denied (hidepid, or not root). */
  denied: number;
  kernelThreads: number;
  newIdentities: number;
}

export interface HostSnapshot {
  takenAtMs: number;
  bootId: string;
  hostname: string;
  kernelRelease: string;
  scale: OomScoreScale;
  pageSizeBytes: number;
  clockTicksPerSecond: number;
  memory: HostMemory;
  psi: MemoryPsi | null;
  /** /proc/vmstat oom_kill (Linux 4.13+), null when absent. */
  vmstatOomKill: number | null;
  cgroupVersion: CgroupVersion | null;
  cgroups: CgroupMemory[];
  processes: ProcessSample[];
  domains: OomDomain[];
  counts: TickCounts;
}
