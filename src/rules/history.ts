/**
 * The short history the rules need for trends (risk rising, RSS growth, time to OOM), kept in memory by
 * the engine. Bounded: at most MAX_POINTS points per series, spaced at least window/MAX_POINTS apart,
 * and a process's series is dropped the first tick it is not listed. After a restart or a config reload
 * it is refilled from the stored samples of the same boot (alerts/seed.ts); after stale data (clock jump,
 * stalled sampler) trends start again from nothing rather than join two stretches of time that do not
 * belong together.
 */
import type { CgroupMemory, HostSnapshot, ProcessSample } from '../model/snapshot.js';
import { usageBytes } from '../sample/risk.js';

export const MAX_POINTS = 32;
/**
 * Host and cgroup series (a few hundred at most) keep 4× finer points: time-to-oom fits its line over the
 * last few of them, so a leak that ends in a minute is seen within seconds (rules/trend.ts).
 */
export const HOST_MAX_POINTS = 128;

/** Parallel arrays, oldest first. `a` and `b` are the two values a series tracks. */
export interface Series {
  /** For process series: the start time of the process it belongs to (a pid is reused). */
  start: number;
  /** Lowest a and b among the kept points: an upper bound of any rise inside the window, for a cheap first test. */
  minA: number;
  minB: number;
  /** Generation of the last update (series not updated by a tick are dropped). */
  gen: number;
  t: number[];
  a: number[];
  b: number[];
}

/** Per-tick index of the snapshot, built once and shared by every rule. */
export interface TickIndex {
  byPid: Map<number, ProcessSample>;
  /** Risk (‰) of the process in its cgroup domain, when a memory-limited cgroup ranks it. */
  cgroupRiskByPid: Map<number, number>;
  /**
   * The process's own share (‰, oom_score_adj left out) of its tightest cgroup domain, and that
   * domain's id (cgroup path), when a memory-limited cgroup ranks it.
   */
  cgroupShareByPid: Map<number, { share: number; domain: string }>;
  /** RAM + swap: the host domain's total, for the process's own share of the host. */
  hostTotalBytes: number;
  /** The memory cgroups by path: a counter's rise since the tick before (cgroup-memory-events). */
  cgroupByPath: Map<string, CgroupMemory>;
}

export interface RuleHistory {
  bootId: string | null;
  gen: number;
  lastTakenAtMs: number | null;
  /** How far back the rules look (largest window of each family), in ms; 0 = not needed. */
  processWindowMs: number;
  hostWindowMs: number;
  /** Host headroom: a = MemAvailable + SwapFree bytes. */
  host: Series;
  /** Per cgroup path: a = usage + swap bytes, b = limit + swap limit bytes. */
  cgroups: Map<string, Series>;
  /**
   * Per pid (numeric keys are much cheaper than strings at 8,000 processes), checked against `start`:
   * a = own memory share ‰ (max over domains, oom_score_adj left out: an adj change is not growth),
   * b = RSS + swap bytes.
   */
  processes: Map<number, Series>;
  current: TickIndex;
  /** The index of the tick before, to name an OOM victim that is already gone. */
  previous: TickIndex;
}

const emptyIndex = (): TickIndex => ({
  byPid: new Map(),
  cgroupRiskByPid: new Map(),
  cgroupShareByPid: new Map(),
  hostTotalBytes: 0,
  cgroupByPath: new Map(),
});
const emptySeries = (start = 0): Series => ({ start, minA: Infinity, minB: Infinity, gen: 0, t: [], a: [], b: [] });

export function createHistory(windows: { processWindowMs: number; hostWindowMs: number }): RuleHistory {
  return {
    bootId: null,
    gen: 0,
    lastTakenAtMs: null,
    ...windows,
    host: emptySeries(),
    cgroups: new Map(),
    processes: new Map(),
    current: emptyIndex(),
    previous: emptyIndex(),
  };
}

/** The series of this process identity, if the history has one. */
export function seriesOf(h: RuleHistory, p: { pid: number; startTimeTicks: number }): Series | undefined {
  const s = h.processes.get(p.pid);
  return s && s.start === p.startTimeTicks ? s : undefined;
}

/** Builds the per-tick index: processes by pid, and each process's risk in its cgroup domain. `reuse` recycles an old index's maps. */
export function indexSnapshot(snapshot: HostSnapshot, reuse?: TickIndex): TickIndex {
  const byPid = reuse?.byPid ?? new Map<number, ProcessSample>();
  const cgroupRiskByPid = reuse?.cgroupRiskByPid ?? new Map<number, number>();
  const cgroupShareByPid = reuse?.cgroupShareByPid ?? new Map<number, { share: number; domain: string }>();
  const cgroupByPath = reuse?.cgroupByPath ?? new Map<string, CgroupMemory>();
  byPid.clear();
  cgroupRiskByPid.clear();
  cgroupShareByPid.clear();
  cgroupByPath.clear();
  for (const p of snapshot.processes) byPid.set(p.pid, p);
  for (const c of snapshot.cgroups) cgroupByPath.set(c.path, c);
  for (const d of snapshot.domains) {
    if (d.kind !== 'cgroup' || d.totalBytes <= 0) continue;
    for (const r of d.ranking) {
      const p = byPid.get(r.pid);
      if (!p || p.startTimeTicks !== r.startTimeTicks) continue;
      const prev = cgroupRiskByPid.get(r.pid);
      if (prev === undefined || r.risk > prev) cgroupRiskByPid.set(r.pid, r.risk);
      const share = (usageBytes(p) * 1000) / d.totalBytes;
      const prevShare = cgroupShareByPid.get(r.pid);
      if (prevShare === undefined || share > prevShare.share) cgroupShareByPid.set(r.pid, { share, domain: d.id });
    }
  }
  const m = snapshot.memory;
  return { byPid, cgroupRiskByPid, cgroupShareByPid, hostTotalBytes: m.memTotalBytes + m.swapTotalBytes, cgroupByPath };
}

/** What the kernel counts as the process's memory (mm/oom_kill.c oom_badness(), before oom_score_adj). */

/** The process's own share (‰) of the host's RAM + swap, oom_score_adj left out. */
export const hostShare = (p: ProcessSample, index: TickIndex): number =>
  index.hostTotalBytes > 0 ? (usageBytes(p) * 1000) / index.hostTotalBytes : 0;

/**
 * The process's own memory share (‰) in its tightest domain: the larger of its share of the host and of
 * its memory-limited cgroup. This is the risk without the oom_score_adj term (DESIGN.md: "subtract
 * adj/1000 to get the real usage share"), computed from the bytes so the clamped old scale does not bias it.
 */
export function usageShare(p: ProcessSample, index: TickIndex): number {
  const h = hostShare(p, index);
  const c = index.cgroupShareByPid.get(p.pid);
  return c !== undefined && c.share > h ? c.share : h;
}

/**
 * Adds a snapshot to the history. Mutates and returns `h` (copying 8,000 series every tick would cost
 * more than the rules themselves); the engine owns it alone. Stale data or a new boot resets it.
 * A repeated snapshot (same takenAtMs, e.g. an evaluation between ticks) only refreshes the index.
 */
export function updateHistory(h: RuleHistory, snapshot: HostSnapshot | null, dataFresh: boolean): RuleHistory {
  const it = updateHistorySteps(h, snapshot, dataFresh, Infinity);
  while (!it.next().done);
  return h;
}

/** updateHistory in steps of `chunk` processes (the refill at start yields to the event loop between them). */
export function* updateHistorySteps(
  h: RuleHistory,
  snapshot: HostSnapshot | null,
  dataFresh: boolean,
  chunk: number,
): Generator<void, RuleHistory> {
  if (!snapshot) return h;
  if (
    !dataFresh ||
    (h.bootId !== null && h.bootId !== snapshot.bootId) ||
    (h.lastTakenAtMs !== null && snapshot.takenAtMs < h.lastTakenAtMs)
  ) {
    h.host = emptySeries();
    h.cgroups.clear();
    h.processes.clear();
    h.lastTakenAtMs = null;
  }
  h.bootId = snapshot.bootId;
  if (h.lastTakenAtMs === snapshot.takenAtMs) {
    h.current = indexSnapshot(snapshot, h.current);
    return h;
  }
  // Two indexes alternate (this tick's and the one before), so 8,000-entry maps are not reallocated every tick.
  const index = indexSnapshot(snapshot, h.previous);
  h.previous = h.current;
  h.current = index;
  h.lastTakenAtMs = snapshot.takenAtMs;
  const t = snapshot.takenAtMs;
  if (!dataFresh) return h;

  pushHost(h, snapshot);
  if (h.processWindowMs > 0) {
    const gen = ++h.gen;
    const ps = snapshot.processes;
    for (let i = 0; i < ps.length; i++) {
      if (i > 0 && i % chunk === 0) yield;
      const p = ps[i];
      let s = h.processes.get(p.pid);
      if (!s || s.start !== p.startTimeTicks) h.processes.set(p.pid, (s = emptySeries(p.startTimeTicks)));
      s.gen = gen;
      push(s, t, usageShare(p, index), p.rssBytes + p.swapBytes, h.processWindowMs, MAX_POINTS);
    }
    if (h.processes.size > ps.length) for (const [pid, s] of h.processes) if (s.gen !== gen) h.processes.delete(pid);
  }
  return h;
}

/** Adds the host's and the cgroups' point of a snapshot (its processes are not looked at). */
function pushHost(h: RuleHistory, snapshot: HostSnapshot): void {
  if (h.hostWindowMs <= 0) return;
  const t = snapshot.takenAtMs;
  const m = snapshot.memory;
  push(h.host, t, m.memAvailableBytes + m.swapFreeBytes, 0, h.hostWindowMs, HOST_MAX_POINTS);
  const cgroups = new Map<string, Series>();
  for (const c of snapshot.cgroups) {
    const s = h.cgroups.get(c.path) ?? emptySeries();
    push(s, t, c.usageBytes + (c.swapUsageBytes ?? 0), c.limitBytes + (c.swapLimitBytes ?? 0), h.hostWindowMs, HOST_MAX_POINTS);
    cgroups.set(c.path, s);
  }
  h.cgroups = cgroups;
}

/** The larger of the process's host risk and its risk inside its memory-limited cgroup. */
export function maxRisk(p: ProcessSample, index: TickIndex): number {
  const c = index.cgroupRiskByPid.get(p.pid);
  return c !== undefined && c > p.risk ? c : p.risk;
}

/** Appends a point, keeping points at least window/maxPoints apart (the newest replaces a too-close one) and within 1.5 windows. */
function push(s: Series, t: number, a: number, b: number, windowMs: number, maxPoints: number): void {
  const n = s.t.length;
  const spacing = windowMs / maxPoints;
  if (n >= 2 && t - s.t[n - 2] < spacing) {
    s.t[n - 1] = t;
    s.a[n - 1] = a;
    s.b[n - 1] = b;
  } else {
    s.t.push(t);
    s.a.push(a);
    s.b.push(b);
  }
  while (s.t.length > maxPoints + 1 || (s.t.length > 2 && t - s.t[0] > windowMs * 1.5)) {
    s.t.shift();
    s.a.shift();
    s.b.shift();
  }
  let minA = Infinity;
  let minB = Infinity;
  for (let i = 0; i < s.a.length; i++) {
    if (s.a[i] < minA) minA = s.a[i];
    if (s.b[i] < minB) minB = s.b[i];
  }
  s.minA = minA;
  s.minB = minB;
}

/** Index of the first point at or after `fromMs`. */
function firstAtOrAfter(s: Series, fromMs: number): number {
  let i = 0;
  while (i < s.t.length && s.t[i] < fromMs) i++;
  return i;
}

/** Rise of `a` within the window: newest value minus the lowest value in the window (null without two points). */
export function riseWithin(s: Series | undefined, windowMs: number, nowMs: number): number | null {
  return riseSince(s, windowMs, nowMs)?.rise ?? null;
}

/** The rise of `a` within the window and how long it took (from the lowest point to the newest); null without two points. */
export function riseSince(s: Series | undefined, windowMs: number, nowMs: number): { rise: number; overMs: number } | null {
  if (!s || s.t.length < 2) return null;
  const from = firstAtOrAfter(s, nowMs - windowMs);
  const last = s.t.length - 1;
  if (from >= last) return null;
  let lo = from;
  for (let i = from; i <= last; i++) if (s.a[i] <= s.a[lo]) lo = i;
  // The latest of equal lows: a plateau before the climb does not stretch the time it took.
  return { rise: s.a[last] - s.a[lo], overMs: s.t[last] - s.t[lo] };
}

/**
 * How fast `b` (RSS + swap) grew, per second, over about the last `spanMs`: from the newest point at
 * least `spanMs` old (or the oldest point, for a process younger than that) to the newest. Null with
 * fewer than two points.
 */
export function growthPerSecondB(s: Series | undefined, spanMs: number, nowMs: number): number | null {
  if (!s || s.t.length < 2) return null;
  const last = s.t.length - 1;
  let from = 0;
  for (let i = 0; i < last; i++) if (s.t[i] <= nowMs - spanMs) from = i;
  const dt = s.t[last] - s.t[from];
  return dt > 0 ? ((s.b[last] - s.b[from]) / dt) * 1000 : null;
}

/**
 * Growth rate of `b` per second over the window, from the oldest point inside it to the newest
 * (Prometheus' rate() without counter resets). Null until the points cover at least half the window:
 * a process that just started "grows" from nothing, and that is not a leak.
 */
export function ratePerSecondB(s: Series | undefined, windowMs: number, nowMs: number): number | null {
  if (!s || s.t.length < 2) return null;
  const from = firstAtOrAfter(s, nowMs - windowMs);
  const last = s.t.length - 1;
  if (from >= last) return null;
  const dt = s.t[last] - s.t[from];
  if (dt < windowMs / 2) return null;
  return ((s.b[last] - s.b[from]) / dt) * 1000;
}

/** A stored tick to replay: `full` ones carry the processes, the others only the host and cgroups. */
export interface SeedPick {
  index: number;
  full: boolean;
}

/**
 * Which stored ticks (times oldest first, of the current boot) to replay into an empty history so it
 * holds what it would have held live: those within each family's window before `nowMs`, spaced like
 * live points (window / MAX_POINTS, window / HOST_MAX_POINTS for host series). Process series need far fewer instants than host series, and an
 * instant with processes costs a thousand times more, so only those are `full`. The newest is always
 * picked, full.
 */
export function seedPicks(
  tickTimesMs: readonly number[],
  windows: { processWindowMs: number; hostWindowMs: number },
  nowMs: number,
): SeedPick[] {
  let newest = -1;
  for (let i = 0; i < tickTimesMs.length; i++) if (tickTimesMs[i] <= nowMs) newest = i;
  const family = (windowMs: number, maxPoints: number): Set<number> => {
    const out = new Set<number>();
    if (windowMs <= 0 || newest < 0) return out;
    let last = -Infinity;
    for (let i = 0; i < newest; i++) {
      const t = tickTimesMs[i];
      if (t < nowMs - windowMs || t - last < windowMs / maxPoints) continue;
      out.add(i);
      last = t;
    }
    // The newest replaces a pick too close to it.
    if (last > -Infinity && tickTimesMs[newest] - last < windowMs / maxPoints) out.delete([...out].pop()!);
    if (tickTimesMs[newest] >= nowMs - windowMs) out.add(newest);
    return out;
  };
  const full = family(windows.processWindowMs, MAX_POINTS);
  const host = family(windows.hostWindowMs, HOST_MAX_POINTS);
  if (host.size > 0 || full.size > 0) full.add(newest);
  return [...new Set([...full, ...host])].sort((a, b) => a - b).map((index) => ({ index, full: full.has(index) }));
}

/** Replays past snapshots (oldest first) into the history as the live ticks would have; `light` ones (no processes) feed only the host and cgroup series. */
export function seedHistory(h: RuleHistory, snapshots: readonly { snapshot: HostSnapshot; light: boolean }[]): RuleHistory {
  for (const s of snapshots) {
    const it = seedSteps(h, s, Infinity);
    while (!it.next().done);
  }
  return h;
}

/** seedHistory of one snapshot, in steps of `chunk` processes. */
export function* seedSteps(
  h: RuleHistory,
  { snapshot, light }: { snapshot: HostSnapshot; light: boolean },
  chunk: number,
): Generator<void, void> {
  if (light) pushHost(h, snapshot);
  else yield* updateHistorySteps(h, snapshot, true, chunk);
}
