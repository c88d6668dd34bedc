import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { detectGap } from '../../src/agent/gap.js';
import { Ticker } from '../../src/agent/ticker.js';

const r = (wallMs: number, monoMs: number, bootMs: number | null = monoMs) => ({ wallMs, monoMs, bootMs });

describe('detectGap', () => {
  it('sees nothing in a regular tick', () => {
    expect(detectGap(r(0, 0), r(10_000, 10_000), 10_000)).toBeNull();
  });
  it('sees a suspend: boot time ran on while the monotonic clock stood still', () => {
    expect(detectGap(r(0, 0, 0), r(3_610_000, 10_000, 3_610_000), 10_000)).toMatchObject({
      reason: 'suspend',
      startMs: 0,
      endMs: 3_610_000,
      detail: 'suspended for about 3600 s',
    });
  });
  it('sees a wall-clock step (NTP or date) in either direction', () => {
    expect(detectGap(r(0, 0), r(10_000 + 120_000, 10_000), 10_000)).toMatchObject({ reason: 'clock-jump' });
    expect(detectGap(r(1_000_000, 0), r(1_000_000 - 300_000, 10_000), 10_000)).toMatchObject({
      reason: 'clock-jump',
      startMs: 700_000,
      endMs: 1_000_000,
    });
  });
  it('sees a stall: the agent itself did not run for several intervals', () => {
    expect(detectGap(r(0, 0), r(60_000, 60_000), 10_000)).toMatchObject({ reason: 'stall' });
  });
  it('tolerates jitter below 2 s or half the interval', () => {
    expect(detectGap(r(0, 0), r(11_500, 10_000), 10_000)).toBeNull();
  });
});

describe('Ticker', () => {
  // One clock: vitest's fake timers, which also drive Date.now (the ticker's monotonic clock here).
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('never overlaps a slow tick and counts the slots it skipped', async () => {
    const startedAtMs: number[] = [];
    const calls: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const ticker = new Ticker(
      50,
      async (missed) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        calls.push(missed);
        startedAtMs.push(Date.now());
        // Each tick takes 10 ms; the second one 180 ms, overrunning the slots at 100, 150 and 200 ms.
        await new Promise((res) => setTimeout(res, calls.length === 2 ? 180 : 10));
        running--;
      },
      () => Date.now(),
    );
    ticker.start();
    await vi.advanceTimersByTimeAsync(405); // the tick of 400 ms is running
    expect(maxRunning).toBe(1);
    expect(calls).toEqual([0, 0, 3, 0, 0, 0]);
    expect(startedAtMs).toEqual([0, 50, 250, 300, 350, 400]);
    // stop() waits for the running tick, and nothing is scheduled after it
    let stopped = false;
    const stopping = ticker.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(1);
    expect(stopped).toBe(false);
    await vi.advanceTimersByTimeAsync(10);
    await stopping;
    expect(running).toBe(0);
    const n = calls.length;
    await vi.advanceTimersByTimeAsync(500);
    expect(calls.length).toBe(n);
  });
});
