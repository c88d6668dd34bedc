/**
 * Refills the rules' trend history from the store, so a restart or a config reload does not blind the
 * trend rules (risk-rising, rss-growth, time-to-oom) for half their window. Only ticks of the current
 * boot inside the largest window are used; the stretch the agent was down stays a stretch with no
 * points, and the trends are computed on the real times around it.
 *
 * At 8,000 processes a refill replays a few dozen past instants and takes seconds of CPU: at start the
 * agent runs it in slices (refillHistorySliced), yielding to the event loop between them, so the kernel
 * watcher and signals are served meanwhile.
 */
import type { HistoryQueries } from '../store/history-queries.js';
import type { Log } from '../log.js';
import { createHistory, seedPicks, seedSteps, type RuleHistory } from '../rules/history.js';

export interface SeedResult {
  history: RuleHistory;
  /** Snapshots replayed. */
  points: number;
  ms: number;
}

export interface SeedQuery {
  bootId: string;
  nowMs: number;
  windows: { processWindowMs: number; hostWindowMs: number };
}

/**
 * Processes replayed into the trend series between two pauses: 500 keeps each slice under 50 ms at 8,000
 * processes (scripts/bench/seed.ts 8000: longest slice 40–44 ms with 500, 41–71 ms with 2,000), the
 * longest left being the read of one past instant.
 */
const REPLAY_CHUNK = 500;

/** Replays the picked instants into `history` in steps of a few ms (at 8,000 processes); returns how many were replayed. */
function* replay(
  stored: Pick<HistoryQueries, 'bootTicksBetween' | 'sweepSnapshots'>,
  history: RuleHistory,
  q: SeedQuery,
): Generator<void, number> {
  const widest = Math.max(q.windows.processWindowMs, q.windows.hostWindowMs);
  if (widest <= 0) return 0;
  const ticks = stored.bootTicksBetween(q.bootId, q.nowMs - widest, q.nowMs);
  yield;
  const picks = seedPicks(
    ticks.map((t) => t.ts_ms),
    q.windows,
    q.nowMs,
  );
  const picked = picks.map((p) => ticks[p.index]);
  const full = new Set(picks.filter((p) => p.full).map((p) => ticks[p.index].id));
  let i = 0;
  // Pauses after reading an instant and after replaying it: at 8,000 processes each is a few tens of ms.
  for (const snapshot of stored.sweepSnapshots(picked, (t) => full.has(t.id))) {
    yield;
    if (!snapshot) continue;
    yield* seedSteps(history, { snapshot, light: !picks[i++].full }, REPLAY_CHUNK);
    yield;
  }
  return picked.length;
}

function finish(history: RuleHistory, points: number, started: number, log?: Log): SeedResult {
  const ms = performance.now() - started;
  if (points) log?.info({ points, processes: history.processes.size, ms: Math.round(ms) }, 'trend history refilled from the store');
  return { history, points, ms };
}

function failed(err: unknown, q: SeedQuery, started: number, log?: Log): SeedResult {
  // Trends then start from nothing, as they would on a new database: worth a warning, not a failure.
  log?.warn({ err }, 'Cannot refill the trend history from the store; trend rules start from nothing');
  return { history: createHistory(q.windows), points: 0, ms: performance.now() - started };
}

/** The refill in one go (config reloads, tests). */
export function historyFromStore(stored: Pick<HistoryQueries, 'bootTicksBetween' | 'sweepSnapshots'>, q: SeedQuery, log?: Log): SeedResult {
  const started = performance.now();
  const history = createHistory(q.windows);
  try {
    const it = replay(stored, history, q);
    for (;;) {
      const r = it.next();
      if (r.done) return finish(history, r.value, started, log);
    }
  } catch (err) {
    return failed(err, q, started, log);
  }
}

/**
 * The refill in slices, yielding to the event loop after each step (agent start). `longestSliceMs` is the
 * longest the event loop was held (wall clock), `longestSliceCpuMs` the CPU time of the costliest slice.
 */
export async function historyFromStoreSliced(
  stored: Pick<HistoryQueries, 'bootTicksBetween' | 'sweepSnapshots'>,
  q: SeedQuery,
  log?: Log,
): Promise<SeedResult & { longestSliceMs: number; longestSliceCpuMs: number }> {
  const started = performance.now();
  const history = createHistory(q.windows);
  let longestSliceMs = 0;
  let longestSliceCpuMs = 0;
  try {
    const it = replay(stored, history, q);
    for (;;) {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const r = it.next();
      const cpu = process.cpuUsage(cpu0);
      longestSliceMs = Math.max(longestSliceMs, performance.now() - t0);
      longestSliceCpuMs = Math.max(longestSliceCpuMs, (cpu.user + cpu.system) / 1000);
      if (r.done) return { ...finish(history, r.value, started, log), longestSliceMs, longestSliceCpuMs };
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  } catch (err) {
    return { ...failed(err, q, started, log), longestSliceMs, longestSliceCpuMs };
  }
}
