import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createJobsModule, START_DELAY_MS, type JobSpec } from '../../src/agent/jobs.js';
import { validateConfig } from '../../src/config/validate.js';
import { createLogger } from '../../src/log.js';

const HOUR_MS = 3_600_000;

/** A logger whose records land in `lines` (parsed). */
function capturingLog() {
  const lines: { level: number; msg: string; job?: string }[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(JSON.parse(s)) } });
  return { log, lines };
}

/** Counts Intl.DateTimeFormat constructions: the first one makes ICU's locale and time-zone data resident. */
function countDateTimeFormats() {
  const real = Intl.DateTimeFormat;
  let n = 0;
  vi.spyOn(Intl, 'DateTimeFormat').mockImplementation(((...args: ConstructorParameters<typeof Intl.DateTimeFormat>) => {
    n++;
    return new real(...args);
  }) as typeof Intl.DateTimeFormat);
  return () => n;
}

describe('periodic jobs (everyMs)', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('run shortly after start, then once per period, until stopped', async () => {
    const { log } = capturingLog();
    let runs = 0;
    const jobs = createJobsModule([{ name: 'prune', everyMs: HOUR_MS, runAtStart: true, run: async () => void runs++ }], log);
    await jobs.start!();
    await vi.advanceTimersByTimeAsync(START_DELAY_MS);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(HOUR_MS - START_DELAY_MS);
    expect(runs).toBe(2);
    await vi.advanceTimersByTimeAsync(2 * HOUR_MS);
    expect(runs).toBe(4);
    await jobs.stop!();
    await vi.advanceTimersByTimeAsync(3 * HOUR_MS);
    expect(runs).toBe(4);
  });

  it('skip a run while the previous one is still going, and say so', async () => {
    const { log, lines } = capturingLog();
    let started = 0;
    let finish!: () => void;
    const job: JobSpec = { name: 'prune', everyMs: 1_000, run: () => (started++, new Promise<void>((r) => (finish = r))) };
    const jobs = createJobsModule([job], log);
    await jobs.start!();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(started).toBe(1);
    expect(lines.filter((l) => l.level === 40 && l.job === 'prune')).toHaveLength(2);
    expect(lines.at(-1)!.msg).toBe('job prune skipped: the previous run is still going');
    finish();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(started).toBe(2);
    const stopped = jobs.stop!();
    finish();
    await stopped;
  });

  it('never read the time through Intl: no calendar job, no node-cron, no ICU data', async () => {
    const constructed = countDateTimeFormats();
    const jobs = createJobsModule([{ name: 'prune', everyMs: HOUR_MS, runAtStart: true, run: async () => {} }], capturingLog().log);
    await jobs.start!();
    await vi.advanceTimersByTimeAsync(2 * HOUR_MS);
    await jobs.stop!();
    expect(constructed()).toBe(0);
  });
});

describe('the default configuration', () => {
  afterEach(() => vi.restoreAllMocks());

  it('is validated without Intl.DateTimeFormat (its time zone, UTC, needs no look-up)', () => {
    const constructed = countDateTimeFormats();
    const r = validateConfig({});
    expect(r.ok).toBe(true);
    expect(constructed()).toBe(0);
  });

  it('still refuses a time zone Intl does not know', () => {
    const r = validateConfig({ report: { daily: { timeZone: 'Mars/Olympus_Mons' } } });
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors).toContainEqual(
      expect.stringContaining('report.daily.timeZone: "Mars/Olympus_Mons" is not an IANA time zone'),
    );
  });
});
