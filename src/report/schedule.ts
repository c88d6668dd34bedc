/**
 * Which period a daily report covers, from the cron expression, its zone and what was sent before.
 * Like systemd's Persistent=true: when the agent was down at the scheduled time, the missed report is sent
 * once when it comes back, covering everything since the last one sent (at most a week).
 */
import cron from 'node-cron';
import { zoneOffsetMs } from '../util/duration.js';

const DAY_MS = 86_400_000;
const LOOKBACK_MS = 8 * DAY_MS;
const MAX_CATCH_UP_MS = 7 * DAY_MS;
const MONTHLY_LOOKBACK_MS = 32 * DAY_MS;

interface CivilDay {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
}

/** The calendar day and time of day of an instant on `timeZone`'s wall clock. */
function wallClock(ms: number, timeZone: string): CivilDay & { hour: number; minute: number; second: number } {
  const d = new Date(ms + zoneOffsetMs(timeZone, ms));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/**
 * The instants at which `timeZone`'s wall clock reads this day and time, latest first: none in a DST gap (spring
 * forward), two in an overlap (fall back), else one. The zone's offsets a day either side cover every transition.
 */
function instantsOf(day: CivilDay, hour: number, minute: number, second: number, timeZone: string): number[] {
  const wall = Date.UTC(day.year, day.month - 1, day.day, hour, minute, second);
  const out: number[] = [];
  for (const offset of [zoneOffsetMs(timeZone, wall - DAY_MS), zoneOffsetMs(timeZone, wall + DAY_MS)]) {
    const t = wall - offset;
    if (t + zoneOffsetMs(timeZone, t) === wall && !out.includes(t)) out.push(t);
  }
  return out.sort((a, b) => b - a);
}

const previousDay = (d: CivilDay): CivilDay => {
  const p = new Date(Date.UTC(d.year, d.month - 1, d.day - 1));
  return { year: p.getUTCFullYear(), month: p.getUTCMonth() + 1, day: p.getUTCDate() };
};

/** Whether a field lists plain numbers only (no `L`, `#` tokens), so a day can be ruled out before trying times. */
const plain = (values: readonly unknown[]): values is number[] => values.every((v) => typeof v === 'number');

/**
 * The latest scheduled instant at or before `nowMs`, at most `lookbackMs` back (default 8 days), or null.
 * Computed field by field, the reverse of node-cron's next-run walk: day by day backwards on the zone's calendar,
 * and on a day the month and weekday allow, its times from the latest down (on the first day, none after `nowMs`).
 * node-cron's own matcher confirms each candidate, so `L`, `n#k` and DST are judged exactly as when it fires.
 *
 * In a fall-back overlap the wall-clock order is not the instant order: the repeated hour's second pass comes after
 * all of its first pass. A time found in the first pass is kept while the scan goes on through the repeated hour,
 * since an earlier wall time may still be scheduled in the second pass, after it.
 */
export function lastScheduledAt(expression: string, timeZone: string, nowMs: number, lookbackMs = LOOKBACK_MS): number | null {
  const fields = cron.parse(expression) as {
    second: number[];
    minute: number[];
    hour: number[];
    dayOfMonth: unknown[];
    month: number[];
    dayOfWeek: unknown[];
  };
  const desc = (v: readonly number[]) => [...v].sort((a, b) => b - a);
  const [hours, minutes, seconds] = [desc(fields.hour), desc(fields.minute), desc(fields.second)];
  const task = cron.createTask(expression, () => undefined, { timezone: timeZone });
  const endMs = Math.floor(nowMs / 1000) * 1000;
  const earliestMs = nowMs - lookbackMs;
  try {
    const now = wallClock(endMs, timeZone);
    const nowSecondOfDay = now.hour * 3600 + now.minute * 60 + now.second;
    // One day more than the lookback: the zone's calendar day of `earliestMs` may start before it.
    let day: CivilDay = now;
    /** A time found in the first pass of a repeated (fall-back) hour, while the second pass is still searched. */
    let firstPass: number | null = null;
    for (let i = 0; i <= Math.ceil(lookbackMs / DAY_MS) + 1; i++, day = previousDay(day)) {
      if (!fields.month.includes(day.month)) continue;
      if (plain(fields.dayOfMonth) && !fields.dayOfMonth.includes(day.day)) continue;
      if (plain(fields.dayOfWeek) && !fields.dayOfWeek.includes(new Date(Date.UTC(day.year, day.month - 1, day.day)).getUTCDay())) continue;
      for (const h of hours) {
        if (i === 0 && h > now.hour) continue;
        for (const m of minutes) {
          for (const s of seconds) {
            // On the first day, skip the times after now (a DST overlap can still put one after: checked below).
            if (i === 0 && h * 3600 + m * 60 + s > nowSecondOfDay + 3600) continue;
            const instants = instantsOf(day, h, m, s, timeZone);
            for (const [k, t] of instants.entries()) {
              // Not `return null` below the window: in a DST overlap, wall-clock order is not instant order.
              if (t > endMs || t < earliestMs || !task.match(new Date(t))) continue;
              // The second pass of a repeated hour is later than all of its first pass.
              if (instants.length === 2 && k === 0) return t;
              // A time outside the overlap, reached after a first-pass time was kept, is earlier than that one.
              if (instants.length === 1) return firstPass ?? t;
              firstPass ??= t;
            }
          }
        }
      }
      if (firstPass !== null) return firstPass;
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
  const previous = scheduledBefore(expression, timeZone, end - 1) ?? end - DAY_MS;
  let from: number;
  if (lastSentEndMs === null) from = previous;
  else if (lastSentEndMs >= previous)
    from = lastSentEndMs; // no run missed: the period since the last report
  // Runs were missed while the agent was down: catch up since the last report, at most a week (or one period, if longer).
  else from = Math.max(lastSentEndMs, end - Math.max(MAX_CATCH_UP_MS, end - previous));
  return { fromMs: from, toMs: end };
}

/** The latest scheduled instant up to 32 days back (weekly and monthly schedules included). */
function scheduledBefore(expression: string, timeZone: string, nowMs: number): number | null {
  return lastScheduledAt(expression, timeZone, nowMs, MONTHLY_LOOKBACK_MS);
}
