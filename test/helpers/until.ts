/**
 * Waits for a condition by polling it every 10 ms: for events the code under test does not announce
 * (a row committed by a timer, a file written by a child). Elapsed time comes from performance.now, a
 * duration, never a date.
 */
export async function until<T>(f: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = f();
    if (v) return v;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for the condition`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
