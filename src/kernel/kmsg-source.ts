/**
 * Follows /dev/kmsg without blocking the event loop: the file is opened O_NONBLOCK and drained with
 * readSync until EAGAIN, then polled again on a short timer. Each read() of the device returns exactly
 * one record (Documentation/ABI/testing/dev-kmsg); the reader also accepts a regular file or FIFO of
 * records (tests, replays), split on newlines.
 *
 * Resume: records of the same boot with seq < cursor.nextSeq are skipped. A fresh open starts at the
 * oldest record still in the ring buffer, so a restart re-reads the backlog. Missing sequence numbers
 * are reported as gaps: after an overrun read() fails once with EPIPE and continues at the oldest
 * record; records overwritten while we were not running show up as a jump from the cursor.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';
import type { Clock } from '../clock.js';
import { KmsgUnreadableError } from '../errors.js';
import type { ProcFs } from '../sample/procfs.js';
import { isKmsgContinuation, parseKmsgRecord } from './parse-kmsg-record.js';
import type { KernelRecord } from '../model/kernel-report.js';
import { WallClockMapper } from './wall-clock.js';

export interface KmsgGap {
  reason: 'overrun' | 'overwritten-before-start' | 'seq-jump';
  /** First and last missing seq. */
  fromSeq: number;
  toSeq: number;
}

export interface KmsgSourceOptions {
  path: string;
  bootId: string;
  clock: Clock;
  /** Where to resume: records of this boot below nextSeq were already handled. */
  resume: { bootId: string; nextSeq: number } | null;
  onRecords(records: KernelRecord[]): void;
  onGap(gap: KmsgGap): void;
  /** A read failed unexpectedly (EIO…) or a handler threw: reported, and polling goes on. */
  onError?(err: unknown): void;
  /** Time between polls when the buffer is drained; default 250 ms. */
  pollIntervalMs?: number;
  /** Upper bound of records handled in one turn of the event loop (the rest follow on setImmediate). */
  maxRecordsPerTurn?: number;
  /**
   * ms spent suspended since boot (CLOCK_BOOTTIME − CLOCK_MONOTONIC), e.g. suspendedMsFrom(procfs, clock);
   * without it (or when it returns null) suspend is detected from offset jumps alone.
   */
  suspendedMs?: () => number | null;
}

/** The device refuses reads shorter than a record (EINVAL); records are at most 8 KiB of text (CONSOLE_EXT_LOG_MAX). */
const READ_BUFFER_BYTES = 16 * 1024;

export class KmsgSource {
  private fd: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private partial = '';
  private expectedSeq: number | null = null;
  private overrun = false;
  private lastSeqRead: number | null = null;
  private readonly buf = Buffer.alloc(READ_BUFFER_BYTES);
  private readonly wall = new WallClockMapper();
  private readonly skipBelow: number;

  constructor(private readonly opts: KmsgSourceOptions) {
    // A cursor from another boot means a new ring buffer: start from its beginning.
    this.skipBelow = opts.resume && opts.resume.bootId === opts.bootId ? opts.resume.nextSeq : 0;
  }

  /** Seq of the last record read (handled or skipped), for status. */
  get lastSeq(): number | null {
    return this.lastSeqRead;
  }

  /** Opens the file and starts polling. Throws KmsgUnreadableError when permission is missing. */
  start(): void {
    this.open();
    this.schedule();
  }

  /** Opens without starting the timer (tests call drain() by hand). */
  open(): void {
    if (this.fd !== null) return;
    try {
      this.fd = openSync(this.opts.path, constants.O_RDONLY | constants.O_NONBLOCK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') throw new KmsgUnreadableError(this.opts.path, { cause: err });
      throw err;
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private schedule(): void {
    if (this.fd === null) return;
    let more = false;
    try {
      more = this.drain();
    } catch (err) {
      // Never let a timer callback throw: that would take the whole agent down with it.
      this.opts.onError?.(err);
    }
    if (this.fd === null) return;
    if (more) this.immediate = setImmediate(() => this.schedule());
    else this.timer = setTimeout(() => this.schedule(), this.opts.pollIntervalMs ?? 250);
  }

  /**
   * Reads what is available now (bounded by maxRecordsPerTurn) and hands it over in one batch.
   * Returns true when the bound was hit and more may be waiting.
   */
  drain(): boolean {
    if (this.fd === null) return false;
    const max = this.opts.maxRecordsPerTurn ?? 2000;
    const lines: string[] = [];
    let more = false;
    for (;;) {
      if (lines.length >= max) {
        more = true;
        break;
      }
      let n: number;
      try {
        n = readSync(this.fd, this.buf, 0, this.buf.length, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN' || code === 'EWOULDBLOCK') break;
        if (code === 'EPIPE') {
          // Overrun: the records we had not read yet were overwritten; the next read starts at the oldest.
          this.overrun = true;
          continue;
        }
        throw err;
      }
      if (n === 0) break; // end of a regular file or FIFO: poll again later
      const chunk = this.partial + this.buf.toString('utf8', 0, n);
      const parts = chunk.split('\n');
      this.partial = parts.pop() ?? '';
      for (const p of parts) if (p && !isKmsgContinuation(p)) lines.push(p);
    }
    if (lines.length > 0) this.handle(lines);
    return more;
  }

  private handle(lines: string[]): void {
    const parsed = [];
    let suspendEntryUs: number | null = null;
    for (const line of lines) {
      const k = parseKmsgRecord(line);
      if (!k) continue;
      parsed.push(k);
      if (k.text.startsWith('PM: suspend entry')) suspendEntryUs = k.tsUsec;
    }
    this.wall.observe(
      { monotonicUs: this.opts.clock.monotonicMs() * 1000, wallMs: this.opts.clock.nowMs(), suspendedMs: this.readSuspendedMs() },
      suspendEntryUs,
    );
    const out: KernelRecord[] = [];
    for (const k of parsed) {
      this.lastSeqRead = k.seq;
      if (this.expectedSeq === null) {
        if (this.skipBelow > 0 && k.seq > this.skipBelow)
          this.opts.onGap({ reason: 'overwritten-before-start', fromSeq: this.skipBelow, toSeq: k.seq - 1 });
      } else if (k.seq > this.expectedSeq) {
        this.opts.onGap({ reason: this.overrun ? 'overrun' : 'seq-jump', fromSeq: this.expectedSeq, toSeq: k.seq - 1 });
      }
      this.overrun = false;
      this.expectedSeq = k.seq + 1;
      if (k.seq < this.skipBelow) continue;
      const w = this.wall.toWall(k.tsUsec);
      out.push({ text: k.text, seq: k.seq, monotonicUs: k.tsUsec, wallMs: w.wallMs, wallExact: w.exact, bootId: this.opts.bootId });
    }
    if (out.length > 0) this.opts.onRecords(out);
  }

  private readSuspendedMs(): number | null {
    return this.opts.suspendedMs ? this.opts.suspendedMs() : null;
  }
}

/** Time spent suspended since boot: uptime (CLOCK_BOOTTIME) minus the monotonic clock; null without procfs. */
export function suspendedMsFrom(procfs: ProcFs, clock: Clock): () => number | null {
  return () => {
    try {
      const r = procfs.uptimeMs();
      return r.kind === 'ok' ? Math.max(0, r.value - clock.monotonicMs()) : null;
    } catch {
      return null; // no procfs: suspend detection falls back to offset jumps alone
    }
  };
}
