import { closeSync, constants, fstatSync, ftruncateSync, openSync, readdirSync, readlinkSync, readSync, writeSync } from 'node:fs';
import { ProcReadError } from '../errors.js';
import { parseUptimeMs } from './parse/simple.js';

/** Where procfs is mounted on a running host; `--proc-root` / sample.procRoot point elsewhere (fixture trees). */
export const DEFAULT_PROC_ROOT = '/proc';

export type ReadResult<T> =
  | { kind: 'ok'; value: T }
  /** ENOENT or ESRCH: the process exited between readdir and read. Normal, never an error. */
  | { kind: 'gone' }
  /** EACCES or EPERM: hidepid, or another user's process when not root. */
  | { kind: 'denied'; path: string };

/**
 * The outcome of a write below the root: like ReadResult, a vanished process (`gone`) and a refusal (`denied`) are
 * data. `failed` is anything else (EIO, a fixture tree that is not procfs): the caller reports it for that one write.
 */
export type WriteResult<T = undefined> = ReadResult<T> | { kind: 'failed'; path: string; error: Error };

export type PidFile = 'stat' | 'status' | 'cmdline' | 'cgroup' | 'oom_score' | 'oom_score_adj' | 'statm' | 'comm' | 'limits';
/** A process directory: a pid, or `self` (the reading process itself). */
export type PidDir = number | 'self';

/**
 * /proc/PID/oom_score_adj opened for writing. A /proc/PID file stays bound to the task it was opened for (writes
 * after that task exits fail with ESRCH), which is what lets the policy check a process's identity after the open
 * and then write through the same descriptor without racing a PID reuse.
 */
export interface OomScoreAdjWriter {
  readonly path: string;
  write(adj: number): WriteResult;
  close(): void;
}

const GONE = { kind: 'gone' } as const;

function classify(err: unknown, path: string): ReadResult<never> {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ESRCH') return GONE;
  if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied', path };
  throw new ProcReadError(path, { cause: err });
}

/** classify for writes: never throws, an unexpected errno is `failed` for this write only. */
function classifyWrite(err: unknown, path: string): WriteResult<never> {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ESRCH') return GONE;
  if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied', path };
  return { kind: 'failed', path, error: err as Error };
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
  constructor(
    readonly root: string = DEFAULT_PROC_ROOT,
    maxHotFds = 0,
  ) {
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

  pidFile(pid: PidDir, name: PidFile): ReadResult<string> {
    return this.readText(this.pidPath(pid, name));
  }

  /** The path of a process file below the root, for messages. */
  pidPath(pid: PidDir, name: PidFile): string {
    return `${this.root}/${pid}/${name}`;
  }

  /** Time since boot, suspended time included (CLOCK_BOOTTIME), from the first field of `uptime`. */
  uptimeMs(): ReadResult<number> {
    const r = this.file('uptime');
    return r.kind === 'ok' ? { kind: 'ok', value: parseUptimeMs(r.value) } : r;
  }

  /**
   * Opens <root>/PID/oom_score_adj for writing (the only writer of that file). Close the writer in `finally`.
   * Not O_TRUNC: on a fixture tree that would empty the file at the open, before the caller has checked the
   * process's identity or read the value it replaces. A write that leaves longer stale content behind (only a
   * regular file has a size; procfs files read as 0 bytes) is truncated after it.
   */
  openOomScoreAdj(pid: PidDir): WriteResult<OomScoreAdjWriter> {
    const path = this.pidPath(pid, 'oom_score_adj');
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY);
    } catch (err) {
      return classifyWrite(err, path);
    }
    return {
      kind: 'ok',
      value: {
        path,
        write(adj: number): WriteResult {
          try {
            const bytes = writeSync(fd, `${adj}\n`, 0);
            if (fstatSync(fd).size > bytes) ftruncateSync(fd, bytes);
            return { kind: 'ok', value: undefined };
          } catch (err) {
            return classifyWrite(err, path);
          }
        },
        close: () => closeSync(fd),
      },
    };
  }

  /** Opens, writes and closes <root>/PID/oom_score_adj (for `self`, where no identity check is needed). */
  writeOomScoreAdj(pid: PidDir, adj: number): WriteResult {
    const opened = this.openOomScoreAdj(pid);
    if (opened.kind !== 'ok') return opened;
    try {
      return opened.value.write(adj);
    } finally {
      opened.value.close();
    }
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
