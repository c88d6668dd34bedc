import { isExitedState } from './dying.js';
import { cgroupWithin } from './match.js';
import { usageBytes } from './risk.js';
import type { CgroupMemory, HostMemory, OomDomain, ProcessSample, RankedProcess } from '../model/snapshot.js';

/**
 * Ranks the next victims per OOM domain, as the kernel would choose (mm/oom_kill.c oom_badness()):
 * badness = rss + swap + page tables + oom_score_adj * total / 1000, highest first; adj -1000 never.
 *
 * - Host domain: every process against RAM+swap. `risk` is the kernel's own oom_score normalised, but
 *   that has a resolution of 1 ‰ of RAM+swap, so the order is computed from the bytes.
 * - Cgroup domain: only the processes inside a memory-limited cgroup (or its descendants), measured
 *   against the cgroup's limit plus its usable swap (mem_cgroup_get_max()); there adj is scaled by the
 *   limit, not by RAM, so it must be computed here: /proc/PID/oom_score always uses the global total.
 * - A process that has exited (zombie) is no candidate: the kernel cannot free anything by killing it.
 */
/**
 * The total the kernel scores a memory cgroup's processes against (mem_cgroup_get_max): its limit plus
 * the swap it may use, which is never more than the host has.
 */
export function cgroupDomainBytes(limitBytes: number, swapLimitBytes: number | null, hostSwapTotalBytes: number): number {
  return limitBytes + Math.min(swapLimitBytes ?? hostSwapTotalBytes, hostSwapTotalBytes);
}

export function rankDomains(processes: readonly ProcessSample[], cgroups: readonly CgroupMemory[], memory: HostMemory): OomDomain[] {
  const hostTotal = memory.memTotalBytes + memory.swapTotalBytes;
  const live = processes.some((p) => isExitedState(p.state)) ? processes.filter((p) => !isExitedState(p.state)) : processes;
  const host: OomDomain = {
    kind: 'host',
    id: 'host',
    totalBytes: hostTotal,
    ranking: sortRanking(
      live.filter((p) => !p.immune).map((p) => ranked(p, p.risk, Math.round(usageBytes(p) + (p.oomScoreAdj * hostTotal) / 1000))),
    ),
  };
  const domains: OomDomain[] = [host];
  // Candidates grouped by cgroup once: a domain then tests each distinct path (tens), not each process (thousands).
  const byCgroup = new Map<string, ProcessSample[]>();
  if (cgroups.length > 0) {
    for (const p of live) {
      if (p.oomScoreAdj === -1000) continue;
      const list = byCgroup.get(p.cgroup);
      if (list) list.push(p);
      else byCgroup.set(p.cgroup, [p]);
    }
  }
  for (const cg of cgroups) {
    const total = cgroupDomainBytes(cg.limitBytes, cg.swapLimitBytes, memory.swapTotalBytes);
    if (total <= 0) continue;
    const members: ProcessSample[] = [];
    for (const [path, list] of byCgroup) if (cgroupWithin(path, cg.path)) for (const p of list) members.push(p);
    domains.push({
      kind: 'cgroup',
      id: cg.path,
      totalBytes: total,
      ranking: sortRanking(
        members.map((p) => {
          const badness = usageBytes(p) + (p.oomScoreAdj * total) / 1000;
          return ranked(p, Math.round((badness * 1000) / total), Math.round(badness));
        }),
      ),
    });
  }
  return domains;
}

function ranked(p: ProcessSample, risk: number, badnessBytes: number): RankedProcess {
  return { pid: p.pid, startTimeTicks: p.startTimeTicks, comm: p.comm, risk, badnessBytes, oomScoreAdj: p.oomScoreAdj };
}

function sortRanking(list: RankedProcess[]): RankedProcess[] {
  return list.sort((a, b) => b.badnessBytes - a.badnessBytes || b.risk - a.risk || a.pid - b.pid);
}
