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
export type HotFile = 'stat' | 'oom_score' | 'oom_score_adj';
const HOT_FILES: readonly HotFile[] = ['stat', 'oom_score', 'oom_score_adj'];

export class ProcFs {
  private buf = Buffer.allocUnsafe(16 * 1024);
  /** Open descriptors of the files read every tick, by pid (see readHot). */
  private readonly hot = new Map<number, (number | undefined)[]>();
  private hotBudget: number;

  /**
   * @param maxHotFds how many descriptors may stay open between ticks (0: open/read/close every time).
   *   The agent keeps them well below RLIMIT_NOFILE.
   */
  constructor(readonly root: string = '/proc', maxHotFds = 0) {
    this.hotBudget = maxHotFds;
  }

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

  /** The integer at the start of the shared buffer (oom_score, oom_score_adj), parsed straight from the bytes. */
  private parseIntInBuf(n: number): number {
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
    return neg ? -v : v;
  }

  /**
   * Reads one of the files sampled every tick through a descriptor kept open between ticks: one pread
   * at offset 0 instead of open + read + close. procfs regenerates the content on every read from
   * offset 0 (seq_file resets its iterator), and the descriptor stays bound to the task it was opened
   * for: once that process exits, reads fail with ESRCH, so a reused pid can never be read through it.
   * Returns the byte count in the shared buffer (hotText / hotInt decode it).
   */
  private readHot(pid: number, which: number, retry = true): number | ReadResult<never> {
    let fds = this.hot.get(pid);
    let fd = fds?.[which];
    if (fd === undefined) {
      const path = `${this.root}/${pid}/${HOT_FILES[which]}`;
      if (this.hotBudget <= 0) {
        return this.readRaw(path);
      }
      try {
        fd = openSync(path, 'r');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EMFILE' || code === 'ENFILE') {
          this.hotBudget = 0; // out of descriptors: stop keeping them, read the ordinary way
          return this.readRaw(path);
        }
        return classify(err, path);
      }
      retry = false;
      this.hotBudget--;
      if (!fds) this.hot.set(pid, (fds = []));
      fds[which] = fd;
    }
    try {
      return readSync(fd, this.buf, 0, this.buf.length, 0);
    } catch (err) {
      // The process this descriptor was opened for is gone; the pid may already belong to a new one.
      this.closePid(pid);
      if (retry) return this.readHot(pid, which, false);
      return classify(err, `${this.root}/${pid}/${HOT_FILES[which]}`);
    }
  }

  /** /proc/PID/stat through a kept descriptor when the budget allows. */
  hotStat(pid: number): ReadResult<string> {
    const n = this.readHot(pid, 0);
    if (typeof n !== 'number') return n;
    return { kind: 'ok', value: this.buf.toString('utf8', 0, n) };
  }

  /** oom_score or oom_score_adj through a kept descriptor when the budget allows. */
  hotInt(pid: number, name: 'oom_score' | 'oom_score_adj'): ReadResult<number> {
    const n = this.readHot(pid, name === 'oom_score' ? 1 : 2);
    if (typeof n !== 'number') return n;
    return { kind: 'ok', value: this.parseIntInBuf(n) };
  }

  /** Closes the kept descriptors of a process that exited or was replaced. */
  closePid(pid: number): void {
    const fds = this.hot.get(pid);
    if (!fds) return;
    for (const fd of fds) {
      if (fd !== undefined) {
        closeSync(fd);
        this.hotBudget++;
      }
    }
    this.hot.delete(pid);
  }

  /** Pids with kept descriptors (the sampler closes those it no longer sees). */
  hotPids(): IterableIterator<number> {
    return this.hot.keys();
  }

  closeAll(): void {
    for (const pid of [...this.hot.keys()]) this.closePid(pid);
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
