import { ParseError } from '../../errors.js';

export interface PidStat {
  comm: string;
  state: string;
  ppid: number;
  /** Kernel task flags (field 9). */
  flags: number;
  /** Start time in clock ticks after boot (field 22): with boot id and pid, the process identity. */
  startTimeTicks: number;
  vsizeBytes: number;
  /** Resident set in pages (field 24): file + anon + shmem, the kernel's get_mm_rss(). */
  rssPages: number;
}

/** PF_KTHREAD (include/linux/sched.h): the task is a kernel thread. */
const PF_KTHREAD = 0x00200000;

export const isKernelThread = (s: Pick<PidStat, 'flags'>): boolean => (s.flags & PF_KTHREAD) !== 0;

/**
 * Parses /proc/<pid>/stat (proc_pid_stat(5)). `comm` may contain spaces and ')', so the fields start
 * after the LAST ')'. Indices below are field numbers minus 3.
 */
export function parsePidStat(text: string): PidStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new ParseError('/proc/PID/stat', text, 'no (comm)');
  const f = text
    .slice(close + 2)
    .trimEnd()
    .split(' ');
  if (f.length < 22) throw new ParseError('/proc/PID/stat', text, `expected at least 24 fields, got ${f.length + 2}`);
  const stat: PidStat = {
    comm: text.slice(open + 1, close),
    state: f[0],
    ppid: Number(f[1]),
    flags: Number(f[6]),
    startTimeTicks: Number(f[19]),
    vsizeBytes: Number(f[20]),
    rssPages: Number(f[21]),
  };
  if (!Number.isFinite(stat.startTimeTicks) || !Number.isFinite(stat.rssPages)) {
    throw new ParseError('/proc/PID/stat', text, 'non-numeric starttime or rss');
  }
  return stat;
}
