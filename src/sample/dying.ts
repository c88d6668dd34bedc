/**
 * A process caught while it dies. Between SIGKILL (or exit()) and its parent's wait(), /proc still lists
 * it, but what it shows is no longer a fact about the process: `cgroup` reads `/` after cgroup_exit(),
 * RSS reads 0 once exit_mm() dropped the memory, and `oom_score` reads 0 (the kernel's badness of a task
 * without memory, or of an OOM victim already reaped, is "never pick"). Such a process is ending: the
 * sampler keeps its last live facts and lets it go, so the store records its end, never a move to `/`
 * or an immune process. Pure.
 */
import type { PidStat } from './parse/pid-stat.js';
import type { PidStatus } from './parse/pid-status.js';

/** PF_EXITING (include/linux/sched.h): set by exit_signals() at the start of do_exit(), before the memory and cgroup are let go. */
const PF_EXITING = 0x00000004;

/** Z (zombie: exited, its parent has not reaped it yet) or X (dead: being reaped); `x` on 2.6.33–3.13. */
export const isExitedState = (state: string): boolean => state === 'Z' || state === 'X' || state === 'x';

/**
 * Why a user process's stat shows it ending, or null when it is alive: it has exited (zombie or dead),
 * it is inside do_exit(), or its memory is gone (`vsize` 0; only kernel threads live without memory,
 * and the caller has set those apart).
 */
export function endingFromStat(s: Pick<PidStat, 'state' | 'flags' | 'vsizeBytes'>): 'exited' | 'exiting' | 'no-memory' | null {
  if (isExitedState(s.state)) return 'exited';
  if ((s.flags & PF_EXITING) !== 0) return 'exiting';
  if (s.vsizeBytes === 0) return 'no-memory';
  return null;
}

/**
 * Whether a user process's status shows it ending: its memory is gone (no VmRSS line; kernel threads
 * lack it too, the caller has set those apart) or a SIGKILL waits for it (an OOM victim still in the
 * kernel, whose memory the oom_reaper may already have taken).
 */
export function endingFromStatus(s: Pick<PidStatus, 'vmRssBytes' | 'sigkillPending'>): boolean {
  return s.vmRssBytes === null || s.sigkillPending;
}
