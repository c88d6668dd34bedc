/** The daily report's periods: the cron expression in its zone, catch-up after downtime, at most one per scheduled time. */
import { describe, expect, it } from 'vitest';
import { duePeriod, lastScheduledAt } from '../../src/report/schedule.js';

const H = 3_600_000;
const D = 24 * H;

describe('lastScheduledAt', () => {
  it('follows the zone, daylight saving included', () => {
    // 08:00 in Berlin is 07:00 UTC in winter (CET) and 06:00 UTC in summer (CEST).
    expect(lastScheduledAt('0 8 * * *', 'Europe/Berlin', Date.UTC(2026, 10, 25, 12))).toBe(Date.UTC(2026, 10, 25, 7));
    expect(lastScheduledAt('0 8 * * *', 'Europe/Berlin', Date.UTC(2026, 6, 1, 12))).toBe(Date.UTC(2026, 6, 1, 6));
    expect(lastScheduledAt('0 8 * * *', 'UTC', Date.UTC(2026, 10, 25, 7, 59, 59))).toBe(Date.UTC(2026, 10, 24, 8));
    expect(lastScheduledAt('0 8 * * *', 'UTC', Date.UTC(2026, 10, 25, 8, 0, 0))).toBe(Date.UTC(2026, 10, 25, 8));
  });

  it('handles weekly schedules and six-field (seconds) expressions', () => {
    // Mondays at 09:30 UTC; 2026-11-25 is a Wednesday.
    expect(lastScheduledAt('30 9 * * 1', 'UTC', Date.UTC(2026, 10, 25, 12))).toBe(Date.UTC(2026, 10, 23, 9, 30));
    expect(lastScheduledAt('*/15 * * * * *', 'UTC', Date.UTC(2026, 10, 25, 12, 0, 7, 500))).toBe(Date.UTC(2026, 10, 25, 12, 0, 0));
  });
});

describe('lastScheduledAt, computed field by field', () => {
  it('finds a monthly run up to the lookback, and not beyond it', () => {
    expect(lastScheduledAt('0 6 1 * *', 'UTC', Date.UTC(2026, 10, 26, 12), 32 * D)).toBe(Date.UTC(2026, 10, 1, 6));
    expect(lastScheduledAt('0 6 1 * *', 'UTC', Date.UTC(2026, 10, 26, 12), 8 * D)).toBeNull();
    // 29 February: the last one before 2026 is 2024's
    expect(lastScheduledAt('0 12 29 2 *', 'UTC', Date.UTC(2026, 10, 26), 1100 * D)).toBe(Date.UTC(2024, 1, 29, 12));
  });

  it("finds a weekly run in a zone, on the zone's weekday", () => {
    // Sundays 01:15 in Berlin: Sunday 2026-11-22 01:15 CET is Saturday 00:15 UTC.
    expect(lastScheduledAt('15 1 * * 0', 'Europe/Berlin', Date.UTC(2026, 10, 25, 12))).toBe(Date.UTC(2026, 10, 22, 0, 15));
    expect(lastScheduledAt('15 1 * * sun', 'Europe/Berlin', Date.UTC(2026, 10, 22, 0, 14, 59))).toBe(Date.UTC(2026, 10, 15, 0, 15));
  });

  it('finds a six-field (seconds) daily run hours after it, within the whole lookback', () => {
    expect(lastScheduledAt('30 0 8 * * *', 'UTC', Date.UTC(2026, 10, 25, 18))).toBe(Date.UTC(2026, 10, 25, 8, 0, 30));
    expect(lastScheduledAt('30 0 8 * * *', 'UTC', Date.UTC(2026, 10, 25, 8, 0, 29, 999))).toBe(Date.UTC(2026, 10, 24, 8, 0, 30));
  });

  it('skips a wall-clock time the DST gap removes, and takes the later of the two in an overlap', () => {
    // Berlin springs forward on 2026-03-29 at 02:00 CET → 03:00 CEST: 02:30 does not exist that day.
    expect(lastScheduledAt('30 2 * * *', 'Europe/Berlin', Date.UTC(2026, 2, 29, 12))).toBe(Date.UTC(2026, 2, 28, 1, 30));
    expect(lastScheduledAt('30 3 * * *', 'Europe/Berlin', Date.UTC(2026, 2, 29, 12))).toBe(Date.UTC(2026, 2, 29, 1, 30));
    // It falls back on 2026-10-25 at 03:00 CEST → 02:00 CET: 02:30 happens twice, at 00:30 and at 01:30 UTC.
    expect(lastScheduledAt('30 2 * * *', 'Europe/Berlin', Date.UTC(2026, 9, 25, 12))).toBe(Date.UTC(2026, 9, 25, 1, 30));
    expect(lastScheduledAt('30 2 * * *', 'Europe/Berlin', Date.UTC(2026, 9, 25, 1, 0))).toBe(Date.UTC(2026, 9, 25, 0, 30));
  });

  it('in the repeated hour, a time of its second pass is later than every time of its first pass', () => {
    // 02:02 CET (01:02 UTC), in the second pass: the last run was 02:00 CET, not 02:50 CEST (00:50 UTC).
    expect(lastScheduledAt('*/10 * * * *', 'Europe/Berlin', Date.UTC(2026, 9, 25, 1, 2, 18))).toBe(Date.UTC(2026, 9, 25, 1, 0));
    // 02:20 CET: 02:15 CET, not 02:45 CEST; and at 02:10 CET, before any second-pass run, 02:45 CEST.
    expect(lastScheduledAt('15,45 2 * * *', 'Europe/Berlin', Date.UTC(2026, 9, 25, 1, 20))).toBe(Date.UTC(2026, 9, 25, 1, 15));
    expect(lastScheduledAt('15,45 2 * * *', 'Europe/Berlin', Date.UTC(2026, 9, 25, 1, 10))).toBe(Date.UTC(2026, 9, 25, 0, 45));
  });
});

describe('duePeriod', () => {
  const at8 = Date.UTC(2026, 10, 25, 8);
  it('covers the day before the scheduled time when nothing was sent yet', () => {
    expect(duePeriod('0 8 * * *', 'UTC', at8 + 5 * 60_000, null)).toEqual({ fromMs: at8 - D, toMs: at8 });
  });
  it('is not due again for the same scheduled time', () => {
    expect(duePeriod('0 8 * * *', 'UTC', at8 + 10 * H, at8)).toBeNull();
  });
  it('after downtime, one period covers everything since the last report (at most a week)', () => {
    expect(duePeriod('0 8 * * *', 'UTC', at8 + 3 * D + H, at8)).toEqual({ fromMs: at8, toMs: at8 + 3 * D });
    // down for a month: the report covers the last week, not just the last day
    expect(duePeriod('0 8 * * *', 'UTC', at8 + 30 * D + H, at8)).toEqual({ fromMs: at8 + 23 * D, toMs: at8 + 30 * D });
  });
  it('a monthly schedule finds its last run and covers the month before, every month', () => {
    const first = Date.UTC(2026, 10, 1, 8);
    expect(duePeriod('0 8 1 * *', 'UTC', Date.UTC(2026, 10, 26, 12), null)).toEqual({ fromMs: Date.UTC(2026, 9, 1, 8), toMs: first });
    // the next month, with October's report sent: the whole of February, not its last week
    expect(duePeriod('0 6 1 * *', 'UTC', Date.UTC(2026, 2, 1, 7), Date.UTC(2026, 1, 1, 6))).toEqual({
      fromMs: Date.UTC(2026, 1, 1, 6),
      toMs: Date.UTC(2026, 2, 1, 6),
    });
  });
});
