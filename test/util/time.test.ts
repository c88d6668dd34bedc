import { describe, expect, it } from 'vitest';
import { parseDurationMs, parseTimeMs, zoneOffsetMs } from '../../src/util/duration.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

describe('parseTimeMs (--at)', () => {
  it('reads a time without an offset in the given zone, whatever zone the process runs in', () => {
    expect(new Date(parseTimeMs('2026-11-25T03:00:00', NOW, 'America/New_York')!).toISOString()).toBe('2026-11-25T08:00:00.000Z');
    expect(new Date(parseTimeMs('2026-07-01 12:00', NOW, 'America/New_York')!).toISOString()).toBe('2026-07-01T16:00:00.000Z'); // summer time
    expect(new Date(parseTimeMs('2026-11-25', NOW, 'Europe/Berlin')!).toISOString()).toBe('2026-11-24T23:00:00.000Z');
    expect(new Date(parseTimeMs('2026-11-25T03:00:00', NOW)!).toISOString()).toBe('2026-11-25T03:00:00.000Z'); // default UTC
  });

  it('keeps an explicit offset, and reads "now" and durations ago', () => {
    expect(parseTimeMs('2026-11-25T03:00:00Z', NOW, 'Asia/Tokyo')).toBe(Date.UTC(2026, 10, 25, 3));
    expect(parseTimeMs('2026-11-25T03:00:00+02:00', NOW, 'Asia/Tokyo')).toBe(Date.UTC(2026, 10, 25, 1));
    expect(parseTimeMs('now', NOW)).toBe(NOW);
    expect(parseTimeMs('15m', NOW)).toBe(NOW - 15 * 60_000);
    expect(parseTimeMs('yesterday', NOW)).toBeNull();
    expect(parseTimeMs('2026-11-26 25:00', NOW, 'UTC')).toBeNull(); // no rolling over into the next day
    expect(parseTimeMs('2026-13-45 99:99', NOW, 'UTC')).toBeNull();
    expect(parseTimeMs('2026-02-30', NOW, 'UTC')).toBeNull();
    expect(new Date(parseTimeMs('2026-11-26T07:00:00.1234', NOW, 'Europe/Berlin')!).toISOString()).toBe('2026-11-26T06:00:00.123Z');
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
  });

  it('zoneOffsetMs follows daylight saving time', () => {
    expect(zoneOffsetMs('Europe/Berlin', Date.UTC(2026, 0, 15))).toBe(3_600_000);
    expect(zoneOffsetMs('Europe/Berlin', Date.UTC(2026, 6, 15))).toBe(7_200_000);
    expect(zoneOffsetMs('UTC', NOW)).toBe(0);
  });
});
