/**
 * Runs `fn` every `intervalMs`, aligned to the start time, never overlapping: a tick that overruns
 * makes the next slots count as missed instead of queueing them.
 */
export class Ticker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;
  private next = 0;

  constructor(
    private intervalMs: number,
    private readonly fn: (missed: number) => Promise<void>,
    private readonly monotonicMs: () => number,
  ) {}

  start(): void {
    this.next = this.monotonicMs();
    this.schedule(0);
  }

  setInterval(ms: number): void {
    this.intervalMs = ms;
  }

  private schedule(missed: number): void {
    if (this.stopped) return;
    const delay = Math.max(0, this.next - this.monotonicMs());
    this.timer = setTimeout(() => {
      this.running = this.fn(missed).finally(() => {
        this.running = null;
        const now = this.monotonicMs();
        this.next += this.intervalMs;
        let skipped = 0;
        while (this.next <= now) {
          this.next += this.intervalMs;
          skipped++;
        }
        this.schedule(skipped);
      });
    }, delay);
  }

  /** Stops scheduling and waits for a running tick to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
