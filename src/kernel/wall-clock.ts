/**
 * Converts kernel record timestamps (µs since boot, a clock that stops during suspend) to wall-clock
 * time. Pure: the caller feeds observations of (monotonic now, wall now, time suspended since boot).
 *
 * wall = ts + (realtime − monotonic). That offset is constant until the machine suspends (monotonic
 * stops, realtime does not) or the wall clock is stepped. So the mapper keeps epochs: each time the
 * offset moves by more than half a second it starts a new epoch at the instant the suspend began —
 * the kernel's own "PM: suspend entry" record when it was read, else the previous observation. Records
 * are mapped with the offset of the epoch their timestamp falls in, so a record logged before a
 * suspend but read after it keeps its true time. Records already in the ring buffer when we started,
 * on a host that had suspended before that, can only be mapped with today's offset: they are marked
 * inexact (docs/kernel.md "Wall-clock time").
 */

const EPOCH_JUMP_MS = 500;

export interface WallClockObservation {
  monotonicUs: number;
  wallMs: number;
  /** CLOCK_BOOTTIME − CLOCK_MONOTONIC in ms (time spent suspended since boot); null when unknown. */
  suspendedMs: number | null;
}

export class WallClockMapper {
  private readonly epochs: { fromUs: number; offsetMs: number }[] = [];
  private lastObsUs = 0;
  private lastSuspendedMs: number | null = null;
  private backlogUntilUs = 0;
  private suspendedBeforeStart = false;

  /** Records one observation; `suspendEntryUs` is the timestamp of a "PM: suspend entry" record read since the last one. */
  observe(obs: WallClockObservation, suspendEntryUs: number | null = null): void {
    const offsetMs = obs.wallMs - obs.monotonicUs / 1000;
    const last = this.epochs[this.epochs.length - 1];
    if (!last) {
      this.epochs.push({ fromUs: 0, offsetMs });
      this.backlogUntilUs = obs.monotonicUs;
      this.suspendedBeforeStart = (obs.suspendedMs ?? 0) > EPOCH_JUMP_MS;
    } else {
      const suspendedMore =
        obs.suspendedMs !== null && this.lastSuspendedMs !== null && obs.suspendedMs - this.lastSuspendedMs > EPOCH_JUMP_MS;
      if (suspendedMore || Math.abs(offsetMs - last.offsetMs) > EPOCH_JUMP_MS) {
        const fromUs = suspendEntryUs !== null && suspendEntryUs >= this.lastObsUs ? suspendEntryUs + 1 : this.lastObsUs;
        this.epochs.push({ fromUs, offsetMs });
      }
    }
    this.lastObsUs = obs.monotonicUs;
    this.lastSuspendedMs = obs.suspendedMs;
  }

  /** Wall-clock ms of a kernel timestamp, and whether it is exact. */
  toWall(tsUs: number): { wallMs: number; exact: boolean } {
    let e = this.epochs[0];
    for (let i = this.epochs.length - 1; i > 0; i--) {
      if (this.epochs[i].fromUs <= tsUs) {
        e = this.epochs[i];
        break;
      }
    }
    if (!e) return { wallMs: Math.round(tsUs / 1000), exact: false };
    const exact = !(this.suspendedBeforeStart && tsUs < this.backlogUntilUs);
    return { wallMs: Math.round(tsUs / 1000 + e.offsetMs), exact };
  }
}
