/**
 * Which period a daily report covers, from the cron expression, its zone and what was sent before.
 * Like systemd's Persistent=true: when the agent was down at the scheduled time, the missed report is sent
 * once when it comes back, covering everything since the last one sent (at most a week).
 */
import cron from 'node-cron';

const MINUTE_MS = 60_000;
const LOOKBACK_MS = 8 * 86_400_000;
const MAX_CATCH_UP_MS = 7 * 86_400_000;
const MONTHLY_LOOKBACK_MS = 32 * 86_400_000;

/** The latest scheduled instant at or before `nowMs` (searched up to 8 days back), or null. */
export function lastScheduledAt(expression: string, timeZone: string, nowMs: number, lookbackMs = LOOKBACK_MS): number | null {
  // Six fields carry seconds: step by the second, over a shorter lookback.
  const hasSeconds = expression.trim().split(/\s+/).length === 6;
  const step = hasSeconds ? 1000 : MINUTE_MS;
  const limit = hasSeconds ? Math.min(lookbackMs, 2 * 3_600_000) : lookbackMs;
  const task = cron.createTask(expression, () => undefined, { timezone: timeZone });
  try {
    for (let t = Math.floor(nowMs / step) * step; t >= nowMs - limit; t -= step) {
      if (task.match(new Date(t))) return t;
    }
    return null;
  } finally {
    void task.destroy();
  }
}

export interface DailyPeriod {
  fromMs: number;
  toMs: number;
}

/**
 * The period due at `nowMs`: it ends at the latest scheduled instant; it starts where the last sent
 * report ended (catch-up), else at the scheduled instant before, else a day earlier. null when the latest
 * scheduled instant was already reported (or none was found).
 */
export function duePeriod(expression: string, timeZone: string, nowMs: number, lastSentEndMs: number | null): DailyPeriod | null {
  const end = scheduledBefore(expression, timeZone, nowMs);
  if (end === null || (lastSentEndMs !== null && lastSentEndMs >= end)) return null;
  const previous = scheduledBefore(expression, timeZone, end - 1) ?? end - 86_400_000;
  let from: number;
  if (lastSentEndMs === null) from = previous;
  else if (lastSentEndMs >= previous) from = lastSentEndMs; // no run missed: the period since the last report
  // Runs were missed while the agent was down: catch up since the last report, at most a week (or one period, if longer).
  else from = Math.max(lastSentEndMs, end - Math.max(MAX_CATCH_UP_MS, end - previous));
  return { fromMs: from, toMs: end };
}

/** lastScheduledAt over 8 days, then (weekly or monthly schedules) up to 32 days back. */
function scheduledBefore(expression: string, timeZone: string, nowMs: number): number | null {
  return lastScheduledAt(expression, timeZone, nowMs) ?? lastScheduledAt(expression, timeZone, nowMs - LOOKBACK_MS, MONTHLY_LOOKBACK_MS - LOOKBACK_MS);
}
