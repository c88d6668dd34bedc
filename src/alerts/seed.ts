/**
 * Refills the rules' trend history from the store, so a restart or a config reload does not blind the
 * trend rules (risk-rising, rss-growth, time-to-oom) for half their window. Only ticks of the current
 * boot inside the largest window are used; the stretch the agent was down stays a stretch with no
 * points, and the trends are computed on the real times around it.
 */
import type { Database } from 'better-sqlite3';
import type { Log } from '../log.js';
import { createHistory, seedHistory, seedPicks, type RuleHistory } from '../rules/history.js';
import { bootTicksBetween, snapshotsAtTicks } from '../store/snapshot-sweep.js';

export interface SeedResult {
  history: RuleHistory;
  /** Snapshots replayed. */
  points: number;
  ms: number;
}

export function historyFromStore(db: Database, q: { bootId: string; nowMs: number; windows: { processWindowMs: number; hostWindowMs: number } }, log?: Log): SeedResult {
  const started = performance.now();
  const history = createHistory(q.windows);
  const widest = Math.max(q.windows.processWindowMs, q.windows.hostWindowMs);
  if (widest <= 0) return { history, points: 0, ms: 0 };
  try {
    const ticks = bootTicksBetween(db, q.bootId, q.nowMs - widest, q.nowMs);
    const picks = seedPicks(
      ticks.map((t) => t.ts_ms),
      q.windows,
      q.nowMs,
    );
    const picked = picks.map((p) => ticks[p.index]);
    const full = new Set(picks.filter((p) => p.full).map((p) => ticks[p.index].id));
    const snapshots = snapshotsAtTicks(db, picked, (t) => full.has(t.id));
    seedHistory(
      history,
      snapshots.map((snapshot, i) => ({ snapshot, light: !picks[i].full })),
    );
    const ms = performance.now() - started;
    if (picked.length) log?.info({ points: picked.length, processes: history.processes.size, ms: Math.round(ms) }, 'trend history refilled from the store');
    return { history, points: picked.length, ms };
  } catch (err) {
    // Trends then start from nothing, as they would on a new database: worth a warning, not a failure.
    log?.warn({ err }, 'Cannot refill the trend history from the store; trend rules start from nothing');
    return { history: createHistory(q.windows), points: 0, ms: performance.now() - started };
  }
}
