/** Time comes in as an argument (DESIGN.md): pure code never calls Date.now(). */
export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  nowMs(): number;
  /** Monotonic milliseconds (CLOCK_MONOTONIC: stops during suspend, never jumps). */
  monotonicMs(): number;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => Number(process.hrtime.bigint() / 1_000_000n),
};

/** A clock the test moves by hand, starting at the wall-clock instant `startMs` (monotonic starts at 1,000,000 ms). */
export function manualClock(startMs: number): Clock & { advance(ms: number): void; jumpWall(ms: number): void } {
  let wall = startMs;
  let mono = 1_000_000;
  return {
    nowMs: () => wall,
    monotonicMs: () => mono,
    advance(ms: number) {
      wall += ms;
      mono += ms;
    },
    jumpWall(ms: number) {
      wall += ms;
    },
  };
}
