/**
 * Exponential backoff with "equal jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter", 2015):
 * half the exponential step is fixed, half is random, so retries after a shared outage spread out but
 * never come sooner than half the step. Pure: randomness is an argument.
 * @example backoffMs(3, { initialBackoff: 1000, maxBackoff: 60000 }, () => 0.5) // 3000 (step 4000 → 2000 + 0.5 × 2000)
 */
export function backoffMs(attempt: number, policy: { initialBackoff: number; maxBackoff: number }, random: () => number): number {
  const step = Math.min(policy.maxBackoff, policy.initialBackoff * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(step / 2 + random() * (step / 2));
}
