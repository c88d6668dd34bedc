/**
 * Follows a syslog file for the killers' lines: polls it once a second from the saved position (inode:offset), reads
 * what was appended, and starts again from 0 when the file was rotated (another inode, or shorter than the position).
 * First start: from the end (a file's history is for `oomwatch import`).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Log } from '../log.js';

export interface SyslogPosition {
  ino: number;
  offset: number;
}

export const positionText = (p: SyslogPosition): string => `${p.ino}:${p.offset}`;
export function parsePosition(text: string | null): SyslogPosition | null {
  const m = text ? /^(\d+):(\d+)$/.exec(text) : null;
  return m ? { ino: Number(m[1]), offset: Number(m[2]) } : null;
}

const CHUNK_BYTES = 256 * 1024;

export class SyslogSource {
  private timer: NodeJS.Timeout | null = null;
  private pos: SyslogPosition | null;
  private rest = '';
  private problem: string | null = null;

  constructor(
    private readonly opts: {
      path: string;
      position: SyslogPosition | null;
      log: Log;
      pollMs?: number;
      onLines(lines: string[], position: SyslogPosition): void;
    },
  ) {
    this.pos = opts.position;
  }

  start(): void {
    this.poll();
    this.timer = setInterval(() => this.poll(), this.opts.pollMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reads what was appended since the last poll. */
  poll(): void {
    let fd: number;
    try {
      fd = openSync(this.opts.path, 'r');
    } catch (err) {
      this.say(
        `Cannot read ${this.opts.path} (${(err as NodeJS.ErrnoException).code}): user-space OOM killers are not followed. Fix the path (killers.syslogPath) or its permissions, or set killers.source.`,
      );
      return;
    }
    try {
      this.problem = null;
      const st = fstatSync(fd);
      if (this.pos === null) this.pos = { ino: st.ino, offset: st.size };
      if (this.pos.ino !== st.ino || st.size < this.pos.offset) {
        // Rotated (or truncated): the new file from its start.
        this.pos = { ino: st.ino, offset: 0 };
        this.rest = '';
      }
      const buf = Buffer.alloc(CHUNK_BYTES);
      while (this.pos.offset < st.size) {
        const n: number = readSync(fd, buf, 0, CHUNK_BYTES, this.pos.offset);
        if (n <= 0) break;
        const text = this.rest + buf.subarray(0, n).toString('utf8');
        const cut = text.lastIndexOf('\n');
        this.rest = cut < 0 ? text : text.slice(cut + 1);
        this.pos = { ino: st.ino, offset: this.pos.offset + n };
        // The saved position stays before a line not yet complete.
        if (cut >= 0)
          this.opts.onLines(text.slice(0, cut).split('\n'), { ino: st.ino, offset: this.pos.offset - Buffer.byteLength(this.rest) });
      }
    } finally {
      closeSync(fd);
    }
  }

  private say(message: string): void {
    if (message !== this.problem) this.opts.log.warn(message);
    this.problem = message;
  }
}
