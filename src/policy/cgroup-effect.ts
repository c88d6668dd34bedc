import { cgroupWithin } from '../sample/match.js';
import type { CgroupMemory, HostMemory, ProcessSample } from '../model/snapshot.js';
import { formatRoundBytes, ordinal, rankHost } from './effect.js';
import { formatPct } from './levels.js';

/**
 * The effect of a value inside the process's memory cgroup. Pure. Most kills on modern hosts are cgroup kills
 * (containers, units with MemoryMax=), and there the kernel scales oom_score_adj by the cgroup's limit plus usable
 * swap (mem_cgroup_get_max()), not by RAM, and ranks only the cgroup's own processes (DESIGN.md "Who dies next").
 * The innermost limited cgroup is used: the one whose limit a leak inside it meets first.
 */

export interface CgroupEffect {
  path: string;
  /** Limit plus usable swap: what badness is measured against in this cgroup. */
  totalBytes: number;
  adjustmentBytes: number;
  rankBefore: number | null;
  rankAfter: number | null;
  members: number;
  text: string;
}

/** The limited cgroup that contains the process most closely, or null. */
export function innermostLimitedCgroup(cgroupPath: string, cgroups: readonly CgroupMemory[]): CgroupMemory | null {
  let best: CgroupMemory | null = null;
  for (const cg of cgroups)
    if (cg.path !== '/' && cgroupWithin(cgroupPath, cg.path) && (!best || cg.path.length > best.path.length)) best = cg;
  return best;
}

/** Limit + usable swap, as src/sample/rank.ts counts a cgroup domain. */
export function cgroupTotalBytes(cg: CgroupMemory, memory: Pick<HostMemory, 'swapTotalBytes'>): number {
  return cg.limitBytes + Math.min(cg.swapLimitBytes ?? memory.swapTotalBytes, memory.swapTotalBytes);
}

/** Per pid of the planned processes: the effect inside its innermost limited cgroup (absent when it has none). */
export function cgroupEffects(
  processes: readonly ProcessSample[],
  planned: ReadonlyMap<number, number>,
  cgroups: readonly CgroupMemory[],
  memory: Pick<HostMemory, 'swapTotalBytes'>,
): Map<number, CgroupEffect> {
  const out = new Map<number, CgroupEffect>();
  const byCgroup = new Map<CgroupMemory, number[]>();
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  for (const pid of planned.keys()) {
    const p = byPid.get(pid);
    const cg = p ? innermostLimitedCgroup(p.cgroup, cgroups) : null;
    if (cg) byCgroup.set(cg, [...(byCgroup.get(cg) ?? []), pid]);
  }
  for (const [cg, pids] of byCgroup) {
    const total = cgroupTotalBytes(cg, memory);
    if (total <= 0) continue;
    const members = processes.filter((p) => cgroupWithin(p.cgroup, cg.path));
    const before = rankHost(members, (p) => (p as ProcessSample).oomScoreAdj, total);
    const after = rankHost(members, (p) => planned.get(p.pid) ?? (p as ProcessSample).oomScoreAdj, total);
    for (const pid of pids) {
      const target = planned.get(pid)!;
      const rankBefore = before.rankOf.get(pid) ?? null;
      const rankAfter = after.rankOf.get(pid) ?? null;
      out.set(pid, {
        path: cg.path,
        totalBytes: total,
        adjustmentBytes: Math.round((target * total) / 1000),
        rankBefore,
        rankAfter,
        members: members.length,
        text: describeCgroupEffect(cg.path, target, total, rankBefore, rankAfter, after.killable),
      });
    }
  }
  return out;
}

function describeCgroupEffect(
  path: string,
  adj: number,
  total: number,
  before: number | null,
  after: number | null,
  killable: number,
): string {
  const where = `inside its memory cgroup ${path} (limit+swap ${formatRoundBytes(total)})`;
  const amount = formatRoundBytes(Math.abs((adj * total) / 1000));
  const what =
    adj === -1000
      ? 'never chosen'
      : adj === 0
        ? 'ranked by its own use'
        : `${adj < 0 ? 'discounts' : 'adds'} ${formatPct(Math.abs(adj) / 10)} % of that, about ${amount}`;
  const rank =
    after === null
      ? before === null
        ? ''
        : ` (it ranks ${ordinal(before)} there now)`
      : `; it would rank ${ordinal(after)} of ${killable} there${before === null ? ' (never chosen before)' : before === after ? '' : ` instead of ${ordinal(before)}`}`;
  return `${where}: ${what}${rank}`;
}
