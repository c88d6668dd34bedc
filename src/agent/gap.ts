/** Readings of three clocks taken at the start of a tick. */
export interface ClockReading {
  wallMs: number;
  /** CLOCK_MONOTONIC: stops during suspend. */
  monoMs: number;
  /** CLOCK_BOOTTIME (/proc/uptime): keeps counting during suspend; null when unreadable. */
  bootMs: number | null;
}

/** Also stored in the gap table: 'kmsg-overrun' (kernel/) and 'store-unwritable' (the agent: ticks not stored while writes failed). */
export type GapReason = 'suspend' | 'clock-jump' | 'stall' | 'agent-down';

export interface Gap {
  reason: GapReason;
  startMs: number;
  endMs: number;
  detail: string;
}

/**
 * Compares two consecutive tick readings. Pure.
 * - suspend: boot time advanced much more than monotonic time (the machine slept);
 * - clock-jump: wall time moved differently from monotonic time (NTP step, manual date);
 * - stall: monotonic time itself advanced far beyond the interval (the agent was stopped or starved).
 * Tolerance: the larger of 2 s and half the interval.
 */
export function detectGap(prev: ClockReading, cur: ClockReading, intervalMs: number): Gap | null {
  const tolerance = Math.max(2000, intervalMs / 2);
  const mono = cur.monoMs - prev.monoMs;
  const wall = cur.wallMs - prev.wallMs;
  const startMs = prev.wallMs;
  const endMs = cur.wallMs;
  if (prev.bootMs !== null && cur.bootMs !== null) {
    const boot = cur.bootMs - prev.bootMs;
    if (boot - mono > tolerance) {
      return { reason: 'suspend', startMs, endMs, detail: `suspended for about ${Math.round((boot - mono) / 1000)} s` };
    }
  }
  if (Math.abs(wall - mono) > tolerance) {
    return {
      reason: 'clock-jump',
      startMs: Math.min(startMs, endMs),
      endMs: Math.max(startMs, endMs),
      detail: `wall clock moved ${Math.round((wall - mono) / 1000)} s against the monotonic clock`,
    };
  }
  if (mono > 2 * intervalMs + tolerance) {
    return {
      reason: 'stall',
      startMs,
      endMs,
      detail: `${Math.round(mono / 1000)} s between ticks, interval ${Math.round(intervalMs / 1000)} s`,
    };
  }
  return null;
}
