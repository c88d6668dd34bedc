/**
 * lastScheduledAt walks the cron fields backwards; it must give what the old walk gave, which stepped back one
 * minute (one second for six fields) at a time and asked node-cron's matcher at each step. The old walk is kept
 * here as the reference and both run over instants around daylight-saving changes, month ends and seeded random
 * ones. Fixed instants only: no clock.
 */
import cron from 'node-cron';
import { describe, expect, it } from 'vitest';
import { lastScheduledAt } from '../../src/report/schedule.js';

const MINUTE_MS = 60_000;
const H = 3_600_000;
const D = 24 * H;

/** The previous implementation, verbatim but for the name: a step-by-step walk back from `nowMs`. */
function walkBack(expression: string, timeZone: string, nowMs: number, lookbackMs: number): number | null {
  const hasSeconds = expression.trim().split(/\s+/).length === 6;
  const step = hasSeconds ? 1000 : MINUTE_MS;
  const limit = hasSeconds ? Math.min(lookbackMs, 2 * H) : lookbackMs;
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

/** A seeded generator (Park–Miller), so every run compares the same instants. */
function seeded(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 48_271) % 2_147_483_647) / 2_147_483_647;
}

/** Instants every `stepMs` from `fromMs` to `toMs`, each moved by a few seconds so they do not all sit on a minute. */
function around(fromMs: number, toMs: number, stepMs: number, rnd: () => number): number[] {
  const out: number[] = [];
  for (let t = fromMs; t <= toMs; t += stepMs) out.push(t + Math.floor(rnd() * 59_000));
  return out;
}

function compare(expression: string, timeZone: string, instants: number[], lookbackMs = 32 * D): void {
  const differences = instants
    .map((nowMs) => ({
      at: new Date(nowMs).toISOString(),
      walked: walkBack(expression, timeZone, nowMs, lookbackMs),
      computed: lastScheduledAt(expression, timeZone, nowMs, lookbackMs),
    }))
    .filter((r) => r.walked !== r.computed);
  expect(differences, `${expression} on ${timeZone}`).toEqual([]);
  // the instants were chosen so that every one has a scheduled time before it
  expect(instants.every((nowMs) => lastScheduledAt(expression, timeZone, nowMs, lookbackMs) !== null)).toBe(true);
}

/** Daylight-saving changes in 2026: Berlin springs forward 29 March 01:00 UTC and falls back 25 October 01:00 UTC;
 *  New York 8 March 07:00 UTC and 1 November 06:00 UTC; Auckland falls back 5 April 14:00 UTC (3 a.m. NZDT) and
 *  springs forward 26 September 14:00 UTC (2 a.m. NZST); Lord Howe moves by half an hour. */
const DST_CHANGES: [string, number][] = [
  ['Europe/Berlin', Date.UTC(2026, 2, 29, 1)],
  ['Europe/Berlin', Date.UTC(2026, 9, 25, 1)],
  ['America/New_York', Date.UTC(2026, 2, 8, 7)],
  ['America/New_York', Date.UTC(2026, 10, 1, 6)],
  ['Pacific/Auckland', Date.UTC(2026, 3, 4, 14)],
  ['Pacific/Auckland', Date.UTC(2026, 8, 26, 14)],
  ['Australia/Lord_Howe', Date.UTC(2026, 3, 4, 15)],
];

describe('lastScheduledAt gives what the minute-by-minute walk gave', () => {
  it('across daylight-saving changes: times in the gap, twice in the overlap, hourly, every ten minutes, with seconds', () => {
    const rnd = seeded(42);
    for (const [zone, changeMs] of DST_CHANGES) {
      compare('*/10 * * * *', zone, around(changeMs - 3 * H, changeMs + 3 * H, 19 * MINUTE_MS, rnd));
      compare('30 * * * *', zone, around(changeMs - 3 * H, changeMs + 3 * H, 31 * MINUTE_MS, rnd));
      compare('15,45 1-3 * * *', zone, around(changeMs - 1 * H, changeMs + 3 * H, 53 * MINUTE_MS, rnd));
      // the wall-clock times that the change removes or repeats, on the day of the change
      compare('30 2 * * *', zone, around(changeMs - 1 * H, changeMs + 5 * H, 97 * MINUTE_MS, rnd));
      // six fields (seconds), the old walk's second steps, either side of the change
      compare('*/20 * * * * *', zone, around(changeMs - 1 * H, changeMs + 1 * H, 11 * MINUTE_MS, rnd));
      compare('30 */5 * * * *', zone, around(changeMs - 1 * H, changeMs + 1 * H, 17 * MINUTE_MS, rnd));
    }
  });

  it('at month ends: the last day (L), days 28 to 31, and the 31st, also in a zone where a month starts half a day earlier', () => {
    const rnd = seeded(7);
    // 2024 (a leap year): after 29 February, 31 March, 30 April (after Auckland's change), 30 September (Auckland's), 31 October
    const months = [2, 3, 4, 9, 10];
    for (const zone of ['UTC', 'Pacific/Auckland']) {
      // an instant in the first 30 hours of the month, in UTC: the zone's month may not have ended yet
      const firsts = months.map((m) => Date.UTC(2024, m, 1) + Math.floor(rnd() * 30 * H));
      compare('0 12 L * *', zone, firsts);
      compare('59 23 28-31 * *', zone, firsts);
      compare(
        '0 0 1 * *',
        zone,
        firsts.map((t) => t + 2 * H),
      );
    }
    // the 31st: a month without one is skipped back to the month before that has one (a month's walk: not repeated)
    expect(lastScheduledAt('0 6 31 * *', 'UTC', Date.UTC(2026, 4, 1, 12), 32 * D)).toBe(Date.UTC(2026, 2, 31, 6));
    expect(lastScheduledAt('0 6 31 * *', 'UTC', Date.UTC(2026, 6, 1, 5), 32 * D)).toBe(Date.UTC(2026, 4, 31, 6));
    expect(lastScheduledAt('0 6 31 * *', 'UTC', Date.UTC(2026, 7, 1, 6), 32 * D)).toBe(Date.UTC(2026, 6, 31, 6));
  });

  it('at seeded random instants, weekly and weekday schedules included', () => {
    const rnd = seeded(2026);
    const base = Date.UTC(2026, 0, 1);
    const instants = Array.from({ length: 8 }, () => base + Math.floor(rnd() * 365 * D));
    compare('0 8 * * *', 'Europe/Berlin', instants);
    compare('20 7 * * 1-5', 'America/New_York', instants.slice(0, 4));
    compare('45 17 * * sun', 'Asia/Kolkata', instants.slice(0, 2));
    compare('*/15 * * * * *', 'Europe/Berlin', instants);
  });
});
