/**
 * Assembles the forensic report of one kill (or of an instant) from what query.ts read. Pure: the same
 * input gives the same model, so the fixture tests pin it with golden files.
 */
import { cgroupDomainBytes } from '../sample/rank.js';
import { riskFromOomScore } from '../sample/risk.js';
import type { RankedDomain } from '../store/incidents-history.js';
import { UNKNOWN_HOST } from '../kernel/incident-view.js';
import type { IncidentInput, ProcessHistory, ProcessSeriesRow } from '../store/report-queries.js';
import { explainDifference, recommendIncident } from './incident-advice.js';
import { formatDurationMs } from '../util/duration.js';
import { clock } from './doc.js';
import { BUCKETS, bucketSeries, carrySeries, holdMsOf } from './series.js';
import type { GrowthRow, IncidentReport, KernelTaskRow, MemoryPoint, ProtectedExposure, RankingAt, RiskSeries } from './types.js';

const KIB = 1024;
const PAGE_BYTES = 4096; // the task table prints pages; x86-64 and arm64 (4K) kernels, the common case
const TOP_TASKS = 10;
const TOP_GROWTH = 5;

export interface AssembleOptions {
  timeZone: string;
}

const usedBytes = (r: ProcessSeriesRow) => (r.rssKib + r.swapKib) * KIB;

export function assembleIncidentReport(input: IncidentInput, opts: AssembleOptions): IncidentReport {
  const { incident: inc, fromMs, toMs } = input;
  const bucketMs = Math.max(1, Math.ceil((toMs - fromMs) / BUCKETS));
  const victimPid = inc?.victim?.pid ?? null;
  const victimProcessId = inc?.victim?.processId ?? null;
  const isVictim = (p: { pid: number; processId?: number }) =>
    victimPid !== null && p.pid === victimPid && (victimProcessId == null || p.processId === undefined || p.processId === victimProcessId);

  const memory = memoryOf(input, bucketMs);
  const cgroup = cgroupOf(input, bucketMs);
  const rankings = input.rankings
    .filter((r): r is { label: string; ranked: RankedDomain } => r.ranked !== null)
    .map((r): RankingAt => ({
      atMs: r.ranked.tickTsMs,
      label: r.label,
      domain: r.ranked.domain,
      cgroup: r.ranked.cgroup,
      rows: r.ranked.candidates.map((c) => ({
        pid: c.pid,
        comm: c.comm,
        risk: c.risk === null ? null : Math.round(c.risk),
        rssBytes: c.rssBytes,
        oomScoreAdj: c.oomScoreAdj,
        isVictim: isVictim(c),
      })),
    }));
  const sortedTasks = [...input.tasks].sort((a, b) => taskRss(b) - taskRss(a) || a.pid - b.pid);
  const kernelTasks: KernelTaskRow[] = sortedTasks.slice(0, TOP_TASKS).map((t) => ({
    pid: t.pid,
    name: t.name,
    rssBytes: t.rssPages === null && t.rssAnonPages === null ? null : taskRss(t),
    oomScoreAdj: t.oomScoreAdj,
    isVictim: t.pid === victimPid,
  }));
  if (victimPid !== null && !kernelTasks.some((t) => t.isVictim)) {
    const v = sortedTasks.find((t) => t.pid === victimPid);
    if (v) kernelTasks.push({ pid: v.pid, name: v.name, rssBytes: taskRss(v), oomScoreAdj: v.oomScoreAdj, isVictim: true });
  }

  const tickTimes = input.ticks.map((t) => t.ts_ms);
  const growth = input.processes
    .map((p) =>
      growthOf(
        p,
        { fromMs, toMs, firstTickMs: tickTimes[0] ?? fromMs, tickTimes, bucketMs },
        isVictim({ pid: p.pid, processId: p.processId }),
      ),
    )
    .sort((a, b) => b.growthBytes - a.growthBytes || a.pid - b.pid);
  const culprit = culpritOf(growth);
  const shownGrowth = growth.slice(0, TOP_GROWTH);
  const victimGrowth = growth.find((g) => g.isVictim);
  if (victimGrowth && !shownGrowth.includes(victimGrowth)) shownGrowth.push(victimGrowth);
  if (culprit && !shownGrowth.includes(culprit)) shownGrowth.push(culprit);
  // A process that arrived in the window already large holds memory the window took, without growing:
  // show it (with when it started and how large), so a reader sees why it is not the culprit.
  const biggest = Math.max(culprit?.growthBytes ?? 0, 1);
  for (const g of growth)
    if (g.startedInWindow && g.startRssBytes >= biggest / 2 && !shownGrowth.includes(g) && shownGrowth.length < TOP_GROWTH + 3)
      shownGrowth.push(g);

  const riskSeries = riskSeriesOf(input, rankings, culprit, fromMs, bucketMs);
  const exposed = exposureOf(input, rankings);
  const missing = missingOf(input, opts.timeZone);
  const last = rankings.at(-1) ?? null;
  const verdict = explainDifference(input, last);
  const report: IncidentReport = {
    schema: 'oomwatch.report.incident/v1',
    host: input.host,
    timeZone: opts.timeZone,
    incident: inc
      ? {
          id: inc.id,
          source: inc.source,
          timeMs: inc.timeMs,
          timeExact: inc.timeExact,
          constraint: inc.constraint,
          oomMemcg: inc.oomMemcg,
          trigger: inc.trigger ? { comm: inc.trigger.comm, pid: inc.trigger.pid } : null,
          victim: inc.victim
            ? {
                pid: inc.victim.pid,
                comm: inc.victim.comm,
                uid: inc.victim.uid,
                anonRssBytes: inc.victim.anonRssBytes,
                oomScoreAdj: inc.victim.oomScoreAdj,
              }
            : null,
          noKernelReport: inc.noKernelReport,
          workload: inc.workload,
          killer: inc.killer,
          reason: inc.reason,
          killedCgroup: inc.killer !== 'kernel' ? inc.taskMemcg : null,
          groupCgroup: inc.groupCgroup,
          groupVictimCount: inc.groupVictims.length,
        }
      : null,
    window: { fromMs, toMs, bucketMs, requestedFromMs: input.requestedFromMs },
    missing,
    memory,
    cgroup,
    cgroupVersion: cgroup?.version ?? input.hostCgroupVersion,
    rankings,
    kernelTasks,
    kernelTasksMore: Math.max(0, input.tasks.length - kernelTasks.length),
    verdict,
    culprit,
    growth: shownGrowth,
    riskSeries,
    protection: {
      exposed,
      changes: input.adjChanges
        .slice(-10)
        .map((c) => ({ tsMs: c.tsMs, comm: c.comm, pid: c.pid, toAdj: c.toAdj, outcome: c.outcome, ruleId: c.ruleId })),
    },
    recommendations: [],
  };
  report.recommendations = recommendIncident(report, input);
  return report;
}

const taskRss = (t: { rssPages: number | null; rssAnonPages: number | null; rssFilePages: number | null; rssShmemPages: number | null }) =>
  (t.rssPages ?? (t.rssAnonPages ?? 0) + (t.rssFilePages ?? 0) + (t.rssShmemPages ?? 0)) * PAGE_BYTES;

function memoryOf(input: IncidentInput, bucketMs: number): IncidentReport['memory'] {
  const ticks = input.ticks;
  if (!ticks.length) return null;
  let low = ticks[0];
  let peakPsi: number | null = null;
  for (const t of ticks) {
    if (t.mem_available_kib < low.mem_available_kib) low = t;
    if (t.psi_some_avg10 !== null) peakPsi = Math.max(peakPsi ?? 0, t.psi_some_avg10);
  }
  // Buckets shorter than the sampling interval hold no tick of their own: the last value holds until the
  // next tick (a real gap, longer than that, stays empty).
  const holdMs = holdMsOf(ticks.map((t) => t.ts_ms));
  const series = (v: (t: (typeof ticks)[number]) => number | null, pick: (a: number, b: number) => number) =>
    bucketSeries(
      ticks.map((t) => ({ tsMs: t.ts_ms, v: v(t) })),
      input.fromMs,
      bucketMs,
      BUCKETS,
      (p) => p.v,
      pick,
      holdMs,
    );
  const avail = series((t) => t.mem_available_kib * KIB, Math.min);
  const swap = series((t) => (t.swap_total_kib - t.swap_free_kib) * KIB, Math.max);
  const some = series((t) => t.psi_some_avg10, Math.max);
  const full = series((t) => t.psi_full_avg10, Math.max);
  const points: MemoryPoint[] = [];
  avail.forEach((a, i) => {
    if (a !== null)
      points.push({
        tsMs: input.fromMs + (i + 1) * bucketMs,
        memAvailableBytes: a,
        swapUsedBytes: swap[i] ?? 0,
        psiSome10: some[i],
        psiFull10: full[i],
      });
  });
  const lastTick = ticks[ticks.length - 1];
  return {
    memTotalBytes: lastTick.mem_total_kib * KIB,
    swapTotalBytes: lastTick.swap_total_kib * KIB,
    lowestAvailableBytes: low.mem_available_kib * KIB,
    lowestAvailableAtMs: low.ts_ms,
    peakPsiSome10: peakPsi,
    points,
  };
}

function cgroupOf(input: IncidentInput, bucketMs: number): IncidentReport['cgroup'] {
  const cg = input.cgroup;
  if (!cg || !cg.rows.length) return null;
  // Rows are change-only: the value at the window's start is the last row at or before it; older rows
  // (read from the keyframe before the window) are not the window's peak.
  let start = 0;
  for (let i = 0; i < cg.rows.length; i++) if (cg.rows[i].tsMs <= input.fromMs) start = i;
  let peak = cg.rows[start];
  for (let i = start; i < cg.rows.length; i++) if (cg.rows[i].usageKib > peak.usageKib) peak = cg.rows[i];
  const usage = carrySeries(cg.rows, input.fromMs, bucketMs, BUCKETS, null, (r) => r.usageKib * KIB);
  return {
    path: cg.path,
    version: cg.version,
    limitBytes: cg.rows[cg.rows.length - 1].limitKib * KIB,
    peakUsageBytes: peak.usageKib * KIB,
    peakAtMs: Math.max(peak.tsMs, input.fromMs),
    usage,
  };
}

interface GrowthSpan {
  fromMs: number;
  toMs: number;
  firstTickMs: number;
  /** Every tick of the window, in order. */
  tickTimes: readonly number[];
  bucketMs: number;
}

/**
 * Growth is measured from the process's first sample in the window, not from 0: a process that started
 * inside the window with 350 MiB brought that memory at start-up, it did not grow by it. The span runs to
 * the last tick it was alive at, so the rate compares a 49-second leak with a 30-minute drift fairly.
 */
function growthOf(p: ProcessHistory, w: GrowthSpan, victim: boolean): GrowthRow {
  const first = p.rows[0];
  const startBytes = usedBytes(first);
  const endBytes = usedBytes(p.rows[p.rows.length - 1]);
  const firstSampleMs = Math.max(first.tsMs, w.fromMs);
  // The last tick before it was seen gone (ended_ms is the first tick without it), inside the window.
  const until = Math.min(w.toMs, p.endedMs === null ? Infinity : p.endedMs - 1);
  const lastSampleMs = Math.max(firstSampleMs, lastAtOrBefore(w.tickTimes, until) ?? firstSampleMs);
  const spanMs = lastSampleMs - firstSampleMs;
  const growthBytes = endBytes - startBytes;
  return {
    pid: p.pid,
    comm: p.comm,
    cgroup: p.cgroup,
    startRssBytes: startBytes,
    endRssBytes: endBytes,
    growthBytes,
    firstSampleMs,
    lastSampleMs,
    spanMs,
    growthBytesPerS: spanMs > 0 ? Math.round((growthBytes * 1000) / spanMs) : 0,
    startedInWindow: first.tsMs > w.firstTickMs,
    series: carrySeries(p.rows, w.fromMs, w.bucketMs, BUCKETS, p.endedMs, usedBytes),
    isVictim: victim,
  };
}

const lastAtOrBefore = (sorted: readonly number[], ms: number): number | null => {
  let lo = 0;
  let hi = sorted.length - 1;
  let found: number | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= ms) {
      found = sorted[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
};

/** Growth below this, or below a quarter of the largest growth in the window, is noise next to the memory that ran out. */
const MIN_CULPRIT_GROWTH_BYTES = 4 * 1024 * 1024;

/**
 * The process that grew fastest in the window, among those that grew by a sizeable share of the largest
 * growth: a short-lived helper that grew 5 MiB in a second is not what filled the memory.
 */
function culpritOf(growth: readonly GrowthRow[]): GrowthRow | null {
  const largest = growth[0]?.growthBytes ?? 0;
  const floor = Math.max(MIN_CULPRIT_GROWTH_BYTES, largest / 4);
  let best: GrowthRow | null = null;
  for (const g of growth) {
    if (g.growthBytes < floor) continue;
    if (
      !best ||
      g.growthBytesPerS > best.growthBytesPerS ||
      (g.growthBytesPerS === best.growthBytesPerS && g.growthBytes > best.growthBytes)
    )
      best = g;
  }
  return best;
}

function riskSeriesOf(
  input: IncidentInput,
  rankings: RankingAt[],
  culprit: GrowthRow | null,
  fromMs: number,
  bucketMs: number,
): RiskSeries[] {
  const pids = new Set((rankings.at(-1)?.rows ?? []).slice(0, 5).map((r) => r.pid));
  if (culprit) pids.add(culprit.pid);
  const scale = input.ticks.at(-1)?.scale ?? 'new';
  const lim = input.cgroup?.rows.at(-1);
  // The same total the rankings use (sample/rank.ts), so the chart and the tables agree.
  const hostSwap = (input.ticks.at(-1)?.swap_total_kib ?? 0) * KIB;
  const totalBytes = lim
    ? cgroupDomainBytes(lim.limitKib * KIB, lim.swapLimitKib === null ? null : lim.swapLimitKib * KIB, hostSwap)
    : null;
  const risk = (r: ProcessSeriesRow) =>
    input.cgroup
      ? totalBytes
        ? Math.round((((r.rssKib + r.swapKib + r.pgtablesKib) * KIB + (r.oomScoreAdj * totalBytes) / 1000) * 1000) / totalBytes)
        : 0
      : Math.round(riskFromOomScore(r.oomScore, scale));
  return input.processes
    .filter((p) => pids.has(p.pid))
    .map((p) => ({ pid: p.pid, comm: p.comm, series: carrySeries(p.rows, fromMs, bucketMs, BUCKETS, p.endedMs, risk) }))
    .sort((a, b) => (b.series.at(-1) ?? -1) - (a.series.at(-1) ?? -1) || a.pid - b.pid);
}

function exposureOf(input: IncidentInput, rankings: RankingAt[]): ProtectedExposure[] {
  const out = new Map<number, ProtectedExposure>();
  for (const r of rankings) {
    r.rows.forEach((row, i) => {
      if (row.oomScoreAdj >= 0) return;
      const prev = out.get(row.pid);
      const rank = i + 1;
      if (!prev) out.set(row.pid, { pid: row.pid, comm: row.comm, oomScoreAdj: row.oomScoreAdj, bestRank: rank, killed: row.isVictim });
      else prev.bestRank = Math.min(prev.bestRank ?? rank, rank);
    });
  }
  const v = input.incident?.victim;
  if (v && (v.oomScoreAdj ?? 0) < 0 && !out.has(v.pid))
    out.set(v.pid, { pid: v.pid, comm: v.comm, oomScoreAdj: v.oomScoreAdj!, bestRank: null, killed: true });
  return [...out.values()].sort((a, b) => (a.bestRank ?? 0) - (b.bestRank ?? 0) || a.pid - b.pid);
}

function missingOf(input: IncidentInput, timeZone: string): string[] {
  const out: string[] = [];
  const inc = input.incident;
  if (input.ticks.length && input.fromMs > input.requestedFromMs) {
    out.push(
      `no samples before ${clock(input.fromMs, timeZone)} (the agent started then): the window is cut to the ${formatDurationMs(input.toMs - input.fromMs)} from then to the ${inc ? 'kill' : 'instant'}, not the ${formatDurationMs(input.toMs - input.requestedFromMs)} asked for`,
    );
  }
  if (!input.ticks.length) {
    out.push(
      inc && input.localHost !== null && inc.hostname !== input.localHost && inc.hostname !== UNKNOWN_HOST
        ? `no sampled history on this host for this kill (it happened on ${inc.hostname}; this database holds ${input.localHost}'s samples): memory, rankings and growth are unknown; the kernel task table is all there is`
        : inc?.source === 'import'
          ? 'no sampled history on this host for this kill (imported from a log): memory, rankings and growth are unknown; the kernel task table is all there is'
          : 'no sampled history in the window (the agent was not running): memory, rankings and growth are unknown',
    );
  }
  if (inc && inc.timeMs === null) out.push('the kill time is unknown (a log without wall-clock times): the window could not be placed');
  else if (inc && !inc.timeExact) out.push('the kill time is approximate (suspend in between, or a log without zone or year)');
  if (inc?.noKernelReport)
    out.push('no kernel report was read for this kill (seen only in the kill counters): victim and task table unknown');
  if (inc?.victim && input.ticks.length && inc.victim.processId == null)
    out.push(`the victim (pid ${inc.victim.pid}) was never sampled: it started or grew between two samples`);
  for (const g of input.gaps) out.push(`gap in the history: ${g.reason} for ${Math.round((g.endMs - g.startMs) / 1000)} s`);
  return out;
}
