import { describe, expect, it } from 'vitest';
import type { AgentContext } from '../../src/agent/module.js';
import { manualClock } from '../../src/clock.js';
import { seedPicks } from '../../src/rules/history.js';
import { trendOf } from '../../src/rules/trend.js';
import { createAlertsModule } from '../../src/alerts/module.js';
import { historyFromStore, historyFromStoreSliced } from '../../src/alerts/seed.js';
import { SamplesRepo } from '../../src/store/samples-repo.js';
import { useAlertsStore } from './store-fixture.js';
import { alertsContext, BOOT, GiB, MiB, proc, snapshot, T0 } from '../rules/factories.js';
import { createStore } from '../../src/store/store.js';

const store = useAlertsStore('oomwatch-seed-');
const { drafts } = store;

const RULES = [
  { id: 'leak', kind: 'rss-growth', bytesPerSecond: '1MiB', clearBytesPerSecond: '256KiB', over: '10m', minRssBytes: '1MiB', for: '0s' },
];

const context = (clock: ReturnType<typeof manualClock>, rules: unknown[] = RULES): AgentContext => alertsContext(store.db, clock, rules);

/** A leaker growing 2 MiB/s, sampled every 10 s for `seconds` before `endMs`, written through the real repository. */
function storeLeak(endMs: number, seconds: number, bootId = BOOT): void {
  const repo = new SamplesRepo(store.db, { keyframeEveryMs: 60_000, deadBandFraction: 0.02 });
  for (let s = seconds; s >= 0; s -= 10) {
    const at = endMs - s * 1000;
    const leaker = proc({ bootId, pid: 300, comm: 'leaky', rssBytes: 200 * MiB + (seconds - s) * 2 * MiB });
    repo.writeTick(snapshot({ atMs: at, bootId, processes: [leaker, proc({ bootId, pid: 1, comm: 'init', rssBytes: 10 * MiB })] }), 1000);
  }
}

const liveTick = (nowMs: number) => ({
  snapshot: snapshot({
    atMs: nowMs,
    processes: [proc({ pid: 300, comm: 'leaky', rssBytes: 200 * MiB + 380 * 2 * MiB }), proc({ pid: 1, comm: 'init', rssBytes: 10 * MiB })],
  }),
  previous: null,
  tickId: 1,
  fresh: true,
  nowMs,
  durationMs: 5,
  missedTicks: 0,
});

describe('trend history after a restart', () => {
  it('picks stored ticks spaced like live points, within the widest window, the newest included', () => {
    const times = Array.from({ length: 121 }, (_, i) => T0 + i * 10_000); // 20 min of 10 s ticks
    const now = times[120] + 5_000;
    const picks = seedPicks(times, { processWindowMs: 600_000, hostWindowMs: 300_000 }, now);
    expect(picks[picks.length - 1]).toEqual({ index: 120, full: true });
    expect(times[picks[0].index]).toBeGreaterThanOrEqual(now - 600_000);
    const full = picks.filter((p) => p.full).map((p) => times[p.index]);
    const host = picks.filter((p) => times[p.index] >= now - 300_000).map((p) => times[p.index]);
    // process points at least 600 s / 32 apart (every other 10 s tick), host points at least 300 s / 32 apart (every tick)
    for (let i = 1; i < full.length - 1; i++) expect(full[i] - full[i - 1]).toBeGreaterThanOrEqual(18_750);
    expect(full.length).toBeLessThanOrEqual(33);
    expect(host).toHaveLength(30);
    expect(picks.filter((p) => !p.full).every((p) => times[p.index] >= now - 300_000)).toBe(true);
    expect(seedPicks(times, { processWindowMs: 0, hostWindowMs: 0 }, now)).toEqual([]);
  });

  it('a leak already 6 minutes old alerts on the first tick after a restart', async () => {
    const clock = manualClock(T0 + 3_600_000);
    const now = clock.nowMs();
    storeLeak(now - 10_000, 370);
    const seeded = historyFromStore(createStore(store.db).history, {
      bootId: BOOT,
      nowMs: now,
      windows: { processWindowMs: 600_000, hostWindowMs: 0 },
    });
    // 370 s of 10 s ticks, points at least 600 s / 32 = 18.75 s apart: every other tick
    expect(seeded.points).toBeGreaterThanOrEqual(18);
    expect(seeded.history.processes.get(300)?.t.length).toBe(seeded.points); // no host window: every pick is full

    const m = createAlertsModule(context(clock));
    await m.start?.();
    m.onTick?.(liveTick(now));
    const fired = drafts().flatMap((d) => d.alerts.filter((a) => a.state === 'firing').map((a) => `${a.ruleId}:${a.labels.comm}`));
    expect(fired).toEqual(['leak:leaky']);
  });

  it('at start refills in slices, yielding to the event loop between them, to the same history as in one go', async () => {
    const clock = manualClock(T0 + 3_600_000);
    const now = clock.nowMs();
    storeLeak(now - 10_000, 370);
    const q = { bootId: BOOT, nowMs: now, windows: { processWindowMs: 600_000, hostWindowMs: 300_000 } };
    let turns = 0;
    let done = false;
    const spin = () => {
      turns++;
      if (!done) setImmediate(spin);
    };
    setImmediate(spin);
    const sliced = await historyFromStoreSliced(createStore(store.db).history, q);
    done = true;
    const whole = historyFromStore(createStore(store.db).history, q);
    expect(sliced.points).toBe(whole.points);
    expect(sliced.history).toEqual(whole.history);
    // one turn of the event loop per replayed instant at least: the refill never held it all along
    expect(turns).toBeGreaterThan(whole.points);
  });

  it('refills the host series at every stored tick of its window, so time-to-oom has its slope at once', () => {
    const now = T0 + 3_600_000;
    const repo = new SamplesRepo(store.db, { keyframeEveryMs: 60_000, deadBandFraction: 0.02 });
    for (let s = 290; s >= 0; s -= 10) {
      const memory = {
        memTotalBytes: 16 * GiB,
        memAvailableBytes: 4 * GiB - (290 - s) * 4 * MiB,
        memFreeBytes: GiB,
        swapTotalBytes: 0,
        swapFreeBytes: 0,
      };
      repo.writeTick(snapshot({ atMs: now - 5_000 - s * 1000, memory, processes: [proc({ pid: 1 })] }), 1000);
    }
    const { history, points } = historyFromStore(createStore(store.db).history, {
      bootId: BOOT,
      nowMs: now,
      windows: { processWindowMs: 600_000, hostWindowMs: 300_000 },
    });
    expect(history.host.t).toHaveLength(30);
    expect(points).toBe(30);
    // MemAvailable falls 4 MiB a second
    expect(trendOf(history.host, 300_000, now, -1)!.whole.slopePerSecond / MiB).toBeCloseTo(-4, 5);
  });

  it('does not use samples of another boot, so the same leak needs half a window of new samples', async () => {
    const clock = manualClock(T0 + 3_600_000);
    const now = clock.nowMs();
    storeLeak(now - 10_000, 370, 'b0000000-0000-4000-8000-0000000000ff');
    const m = createAlertsModule(context(clock));
    await m.start?.();
    m.onTick?.(liveTick(now));
    expect(drafts()).toEqual([]);
  });

  it('a config reload keeps the trend history when the trend windows are unchanged', async () => {
    const clock = manualClock(T0 + 3_600_000);
    storeLeak(clock.nowMs() - 10_000, 370);
    const m = createAlertsModule(context(clock));
    await m.start?.();
    const before = m.engine().history();
    m.reload?.(context(clock, [...RULES, { id: 'kill', kind: 'oom-kill' }]).config);
    expect(m.engine().history()).toBe(before);
    m.reload?.(context(clock, [{ ...RULES[0], over: '20m' }]).config);
    expect(m.engine().history()).not.toBe(before);
    expect(m.engine().history().processWindowMs).toBe(1_200_000);
    // refilled from the store for the wider window: points 37.5 s apart
    expect(m.engine().history().processes.get(300)?.t.length).toBeGreaterThanOrEqual(9);
  });
});
