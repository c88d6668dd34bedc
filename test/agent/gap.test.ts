import { describe, expect, it } from 'vitest';
import { detectGap } from '../../src/agent/gap.js';
import { Ticker } from '../../src/agent/ticker.js';

const r = (wallMs: number, monoMs: number, bootMs: number | null = monoMs) => ({ wallMs, monoMs, bootMs });

describe('detectGap', () => {
  it('sees nothing in a regular tick', () => {
    expect(detectGap(r(0, 0), r(10_000, 10_000), 10_000)).toBeNull();
  });
  it('sees a suspend: boot time ran on while the monotonic clock stood still', () => {
    expect(detectGap(r(0, 0, 0), r(3_610_000, 10_000, 3_610_000), 10_000)).toMatchObject({ reason: 'suspend', startMs: 0, endMs: 3_610_000, detail: 'suspended for about 3600 s' });
  });
  it('sees a wall-clock step (NTP or date) in either direction', () => {
    expect(detectGap(r(0, 0), r(10_000 + 120_000, 10_000), 10_000)).toMatchObject({ reason: 'clock-jump' });
    expect(detectGap(r(1_000_000, 0), r(1_000_000 - 300_000, 10_000), 10_000)).toMatchObject({ reason: 'clock-jump', startMs: 700_000, endMs: 1_000_000 });
  });
  it('sees a stall: the agent itself did not run for several intervals', () => {
    expect(detectGap(r(0, 0), r(60_000, 60_000), 10_000)).toMatchObject({ reason: 'stall' });
  });
  it('tolerates jitter below 2 s or half the interval', () => {
    expect(detectGap(r(0, 0), r(11_500, 10_000), 10_000)).toBeNull();
  });
});

describe('Ticker', () => {
  it('never overlaps a slow tick and counts the slots it skipped', async () => {
    let mono = 0;
    const calls: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const ticker = new Ticker(
      50,
      async (missed) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        calls.push(missed);
        mono += calls.length === 2 ? 180 : 10; // the second tick overruns three slots
        await new Promise((res) => setTimeout(res, 5));
        running--;
      },
      () => mono,
    );
    const realMono = setInterval(() => (mono += 5), 5);
    ticker.start();
    await new Promise((res) => setTimeout(res, 600));
    await ticker.stop();
    clearInterval(realMono);
    expect(maxRunning).toBe(1);
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls[2]).toBeGreaterThanOrEqual(3);
  });
});
