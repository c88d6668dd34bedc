import { closeSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { ProcReadError } from '../errors.js';

export type ReadResult<T> =
  | { kind: 'ok'; value: T }
  /** ENOENT or ESRCH: the process exited between readdir and read. Normal, never an error. */
  | { kind: 'gone' }
  /** EACCES or EPERM: hidepid, or another user's process when not root. */
  | { kind: 'denied'; path: string };

export type PidFile = 'stat' | 'status' | 'cmdline' | 'cgroup' | 'oom_score' | 'oom_score_adj' | 'statm' | 'comm';

const GONE = { kind: 'gone' } as const;

function classify(err: unknown, path: string): ReadResult<never> {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ESRCH') return GONE;
  if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied', path };
  throw new ProcReadError(path, { cause: err });
}

/**
 * The only reader of /proc. Its root can point at a fixture tree (`--proc-root`).
 * Reads use open/read/close into one reused buffer: the cheapest path from Node
 * (scripts/bench/tick.ts measures it against a C floor).
 */
export class ProcFs {
  private buf = Buffer.allocUnsafe(16 * 1024);

  constructor(readonly root: string = '/proc') {}

  /** Numeric entries of the root: thread-group leaders (processes), not threads. */
  listPids(): number[] {
    const out: number[] = [];
    for (const name of readdirSync(this.root)) {
      const c = name.charCodeAt(0);
      if (c >= 48 && c <= 57) {
        const n = Number(name);
        if (Number.isInteger(n)) out.push(n);
      }
    }
    return out;
  }

  pidFile(pid: number, name: PidFile): ReadResult<string> {
    return this.readText(`${this.root}/${pid}/${name}`);
  }

  /** A file holding one integer, parsed straight from the bytes (oom_score, oom_score_adj). */
  pidInt(pid: number, name: 'oom_score' | 'oom_score_adj'): ReadResult<number> {
    const path = `${this.root}/${pid}/${name}`;
    const n = this.readRaw(path);
    if (typeof n !== 'number') return n;
    const b = this.buf;
    let i = 0;
    let neg = false;
    if (b[0] === 45) {
      neg = true;
      i = 1;
    }
    let v = 0;
    for (; i < n; i++) {
      const c = b[i];
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
    }
    return { kind: 'ok', value: neg ? -v : v };
  }

  pidLink(pid: number, name: 'exe' | 'cwd'): ReadResult<string> {
    const path = `${this.root}/${pid}/${name}`;
    try {
      return { kind: 'ok', value: readlinkSync(path) };
    } catch (err) {
      return classify(err, path);
    }
  }

  /** A file below the root, e.g. 'meminfo', 'pressure/memory', 'sys/kernel/random/boot_id'. */
  file(rel: string): ReadResult<string> {
    return this.readText(`${this.root}/${rel}`);
  }

  readText(path: string): ReadResult<string> {
    const n = this.readRaw(path);
    if (typeof n !== 'number') return n;
    return { kind: 'ok', value: this.buf.toString('utf8', 0, n) };
  }

  /** Reads a whole file into this.buf (growing it when needed); returns the byte count. */
  private readRaw(path: string): number | ReadResult<never> {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      return classify(err, path);
    }
    try {
      let total = 0;
      for (;;) {
        if (total === this.buf.length) {
          const bigger = Buffer.allocUnsafe(this.buf.length * 2);
          this.buf.copy(bigger, 0, 0, total);
          this.buf = bigger;
        }
        const room = this.buf.length - total;
        const n = readSync(fd, this.buf, total, room, null);
        total += n;
        if (n === 0) return total;
        // procfs (seq_file) hands a small file over in one read, and so does a regular fixture file:
        // a short read is the end. Skipping the extra read that would return 0 saves a syscall per file.
        // Older kernels return cmdline one page per read, so a page-sized short read is not trusted.
        if (n < room && n % 4096 !== 0) return total;
      }
    } catch (err) {
      return classify(err, path);
    } finally {
      closeSync(fd);
    }
  }
}
