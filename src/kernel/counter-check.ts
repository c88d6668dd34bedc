/**
 * "Never miss a kill silently": compares the kernel's kill counters between two ticks with the reports
 * parsed from the log, and turns a rise that no report explains into a counter-only incident. Pure.
 *
 * Counters: /proc/vmstat oom_kill counts every kill (4.13+). A cgroup's oom_kill (v2 memory.events,
 * v1 memory.oom_control) is raised on the victim's memcg; v2 propagates it to every ancestor, v1 does
 * not (mm/memcontrol.h memcg_memory_event). So each kill is attributed to exactly one bucket: the
 * deepest tracked cgroup containing the victim, else 'host'; v2 deltas are made exclusive by
 * subtracting the deltas of their nearest tracked descendants, and the host's by subtracting all.
 *
 * Timing: the kernel raises the counters just before it prints "Killed process", and our log reader
 * may see the record a moment after the tick read the counters. So an unexplained rise is held for
 * one more tick (reports arriving meanwhile still explain it), and a report that came before its
 * counter rise is kept for two ticks to explain a later rise. Nothing is counted twice.
 */
import { isExitedState } from '../sample/dying.js';
import type { HostSnapshot, ProcessSample } from '../model/snapshot.js';
import type { VanishedProcess } from '../model/incident.js';
import type { OomConstraint } from '../model/kernel-report.js';

/** What the cross-check needs to know of a parsed report. */
export interface ReportRef {
  constraint: OomConstraint | null;
  oomMemcg: string | null;
  taskMemcg: string | null;
}

export interface CounterFinding {
  /** 'host' or the cgroup path whose counter rose. */
  bucket: string;
  cgroup: string | null;
  killCount: number;
  windowStartMs: number;
  windowEndMs: number;
  vanished: VanishedProcess[];
}

interface Pending extends CounterFinding {
  ticksWaited: number;
}

interface HeldReport {
  ref: ReportRef;
  ageTicks: number;
}

export interface CounterLedger {
  readonly pending: readonly Pending[];
  readonly reports: readonly HeldReport[];
}

export const emptyLedger = (): CounterLedger => ({ pending: [], reports: [] });

const WILDCARD = '*';
const MAX_VANISHED = 10;
const REPORT_HOLD_TICKS = 2;

function isUnder(path: string, ancestor: string): boolean {
  return ancestor === '/' ? path.startsWith('/') : path === ancestor || path.startsWith(`${ancestor}/`);
}

/**
 * One tick of the cross-check: `reports` are those parsed since the previous call.
 * Returns the updated ledger and the counter-only incidents to record now.
 */
export function crossCheckCounters(
  ledger: CounterLedger,
  prev: HostSnapshot | null,
  cur: HostSnapshot,
  reports: readonly ReportRef[],
): { ledger: CounterLedger; findings: CounterFinding[] } {
  const sameBoot = prev !== null && prev.bootId === cur.bootId;
  const tracked = new Map<string, { version: 1 | 2; delta: number }>();
  if (sameBoot) {
    const before = new Map(prev.cgroups.map((c) => [c.path, c]));
    for (const c of cur.cgroups) {
      const b = before.get(c.path);
      // A counter that went down belongs to a new cgroup of the same name: no delta this tick.
      if (b && b.oomKillCount !== null && c.oomKillCount !== null && c.oomKillCount >= b.oomKillCount)
        tracked.set(c.path, { version: c.version, delta: c.oomKillCount - b.oomKillCount });
    }
  }
  const paths = [...tracked.keys()];
  const bucketOf = (memcg: string | null): string | null => {
    if (memcg === null) return null;
    let best: string | null = null;
    for (const p of paths) {
      const t = tracked.get(p)!;
      const hit = t.version === 2 ? isUnder(memcg, p) : memcg === p;
      if (hit && (best === null || p.length > best.length)) best = p;
    }
    return best;
  };

  const exclusive = new Map<string, number>();
  for (const [p, t] of tracked) exclusive.set(p, t.delta);
  for (const [q, t] of tracked) {
    if (t.version !== 2) continue;
    let parent: string | null = null;
    for (const p of paths)
      if (p !== q && tracked.get(p)!.version === 2 && isUnder(q, p) && (parent === null || p.length > parent.length)) parent = p;
    if (parent !== null) exclusive.set(parent, exclusive.get(parent)! - t.delta);
  }

  const pending: Pending[] = ledger.pending.map((p) => ({ ...p }));
  if (sameBoot) {
    let cgroupSum = 0;
    for (const [p, n] of exclusive) {
      const count = Math.max(0, n);
      cgroupSum += count;
      if (count > 0) pending.push(newPending(p, p, count, prev, cur));
    }
    if (prev.vmstatOomKill !== null && cur.vmstatOomKill !== null && cur.vmstatOomKill >= prev.vmstatOomKill) {
      const hostCount = cur.vmstatOomKill - prev.vmstatOomKill - cgroupSum;
      if (hostCount > 0) pending.push(newPending('host', null, hostCount, prev, cur));
    }
  }

  // Reports are attributed with this tick's tracked cgroups (a report read before the first tick has none yet).
  const held: (HeldReport & { bucket: string })[] = [...ledger.reports, ...reports.map((ref) => ({ ref, ageTicks: 0 }))].map((h) => {
    const memcg = h.ref.taskMemcg ?? h.ref.oomMemcg;
    const b = bucketOf(memcg);
    // A cgroup kill whose cgroup is unknown (a lone kill line of a victim never sampled) may be any bucket's.
    const known = memcg !== null || (h.ref.constraint !== null && h.ref.constraint !== 'memcg');
    return { ...h, bucket: b ?? (known ? 'host' : WILDCARD) };
  });

  // Explain pending rises with reports: same bucket first, then reports that could be anywhere.
  for (const p of pending) {
    for (const want of [p.bucket, WILDCARD]) {
      for (let i = 0; i < held.length && p.killCount > 0;) {
        if (held[i].bucket === want) {
          held.splice(i, 1);
          p.killCount--;
        } else i++;
      }
    }
  }

  const findings: CounterFinding[] = [];
  const stillPending: Pending[] = [];
  for (const p of pending) {
    if (p.killCount <= 0) continue;
    if (p.ticksWaited >= 1) {
      const { ticksWaited: _ignored, ...finding } = p;
      findings.push(finding);
    } else stillPending.push({ ...p, ticksWaited: p.ticksWaited + 1 });
  }
  const keptReports = held.map((r) => ({ ref: r.ref, ageTicks: r.ageTicks + 1 })).filter((r) => r.ageTicks <= REPORT_HOLD_TICKS);
  return { ledger: { pending: stillPending, reports: keptReports }, findings };
}

function newPending(bucket: string, cgroup: string | null, count: number, prev: HostSnapshot, cur: HostSnapshot): Pending {
  return {
    bucket,
    cgroup,
    killCount: count,
    windowStartMs: prev.takenAtMs,
    windowEndMs: cur.takenAtMs,
    vanished: vanishedFrom(prev.processes, cur.processes, cgroup),
    ticksWaited: 0,
  };
}

/** Processes of `cgroup` (or of the host) in `before` whose identity is gone from `after`, largest first. */
export function vanishedFrom(before: readonly ProcessSample[], after: readonly ProcessSample[], cgroup: string | null): VanishedProcess[] {
  const alive = new Set(after.filter((p) => !isExitedState(p.state)).map((p) => `${p.pid}:${p.startTimeTicks}`));
  return before
    .filter((p) => !alive.has(`${p.pid}:${p.startTimeTicks}`) && (cgroup === null || isUnder(p.cgroup, cgroup)))
    .sort((a, b) => b.rssBytes - a.rssBytes)
    .slice(0, MAX_VANISHED)
    .map((p) => ({ pid: p.pid, startTimeTicks: p.startTimeTicks, comm: p.comm, rssBytes: p.rssBytes, oomScoreAdj: p.oomScoreAdj }));
}
