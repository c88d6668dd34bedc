import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { capLength, sanitizeTerminal } from '../util/escape.js';
import { parsePidStat } from '../sample/parse/pid-stat.js';
import { cannotProtectMessage } from './capability.js';
import type { PlanEntry } from './plan.js';

/**
 * Writes planned oom_score_adj values (the only writer of /proc/PID/oom_score_adj, with self-protect.ts).
 *
 * PID reuse guard: the oom_score_adj file is opened first, then the process's start time is read and compared with
 * the plan's identity, then the value is written through the already open fd. A /proc/PID file stays bound to the
 * task it was opened for (a write after that task exits fails with ESRCH), and the planned process existed before
 * the open, so a matching start time read after the open proves the fd belongs to the planned process: a reused PID
 * is never written to.
 */

export type ApplyOutcome =
  /** Written. */
  | 'applied'
  /** Already at the target: nothing written. */
  | 'unchanged'
  /** The process exited (or the plan is from another boot's /proc): counted, not an error. */
  | 'gone'
  /** The PID now belongs to another process (start time or boot id differs): not touched. */
  | 'identity-changed'
  /** EACCES/EPERM: lowering below the floor without CAP_SYS_RESOURCE. */
  | 'denied'
  /** Dry run: would be written. */
  | 'would-apply'
  | 'failed';

export interface ApplyResult {
  entry: PlanEntry;
  outcome: ApplyOutcome;
  /** The value read right before writing; null when it could not be read. */
  fromAdj: number | null;
  toAdj: number;
  /** For denied and failed: what happened and how to fix it. */
  message: string | null;
}

export interface ApplyOptions {
  /** The boot id of the running kernel: a plan made under another boot is never applied. */
  bootId: string;
  dryRun?: boolean;
}

type Errno = NodeJS.ErrnoException;
const isGone = (err: unknown): boolean => ['ENOENT', 'ESRCH'].includes((err as Errno).code ?? '');
const isDenied = (err: unknown): boolean => ['EACCES', 'EPERM'].includes((err as Errno).code ?? '');

function readInt(path: string): number | null {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(n) ? n : null;
  } catch (err) {
    if (isGone(err) || isDenied(err)) return null;
    throw err;
  }
}

/** "sshd (pid 812, rule sshd)", safe to embed in logs and terminal text. */
export const describeTarget = (e: PlanEntry): string =>
  `${capLength(sanitizeTerminal(e.process.comm), 40)} (pid ${e.process.pid}, rule ${e.rule.id})`;

/** Applies each entry; never throws: a gone, reused, refused or failed write is reported in its result. */
export function applyAdjustments(procRoot: string, plan: readonly PlanEntry[], opts: ApplyOptions): ApplyResult[] {
  return plan.map((entry) => applyOne(procRoot, entry, opts));
}

function applyOne(procRoot: string, entry: PlanEntry, opts: ApplyOptions): ApplyResult {
  try {
    return tryApplyOne(procRoot, entry, opts);
  } catch (err) {
    // Anything unexpected (EIO, a procfs that is not one) fails this entry only: the others are still applied.
    const message = `cannot set the oom_score_adj of ${describeTarget(entry)} under ${procRoot}: ${(err as Error).message}. Check that procfs is mounted there (or fix --proc-root).`;
    return { entry, outcome: 'failed', fromAdj: null, toAdj: entry.targetAdj, message };
  }
}

function tryApplyOne(procRoot: string, entry: PlanEntry, opts: ApplyOptions): ApplyResult {
  const { pid, startTimeTicks, bootId } = entry.process;
  const toAdj = entry.targetAdj;
  const result = (outcome: ApplyOutcome, fromAdj: number | null, message: string | null = null): ApplyResult => ({ entry, outcome, fromAdj, toAdj, message });
  if (bootId !== opts.bootId) return result('identity-changed', null, `planned under boot ${bootId}, running ${opts.bootId}`);
  const dir = `${procRoot}/${pid}`;
  let fd: number | null = null;
  try {
    if (!opts.dryRun) {
      try {
        // O_TRUNC as `echo N >` does: harmless on procfs, and a fixture tree's regular file keeps no stale digits.
        fd = openSync(`${dir}/oom_score_adj`, constants.O_WRONLY | constants.O_TRUNC);
      } catch (err) {
        if (isGone(err)) return result('gone', null);
        if (isDenied(err)) return result('denied', null, deniedMessage(entry, null));
        throw err;
      }
    }
    let statText: string;
    try {
      statText = readFileSync(`${dir}/stat`, 'utf8');
    } catch (err) {
      if (isGone(err)) return result('gone', null);
      throw err;
    }
    // parsePidStat reads after the LAST ')' (comm may contain ')'); a garbled stat throws and fails this entry.
    const seen = parsePidStat(statText).startTimeTicks;
    if (seen !== startTimeTicks) {
      return result('identity-changed', null, `pid ${pid} now has start time ${seen}, the plan was made for ${startTimeTicks}`);
    }
    const fromAdj = readInt(`${dir}/oom_score_adj`);
    if (fromAdj === toAdj) return result('unchanged', fromAdj);
    if (opts.dryRun || fd === null) return result('would-apply', fromAdj);
    try {
      writeSync(fd, `${toAdj}\n`);
    } catch (err) {
      if (isGone(err)) return result('gone', fromAdj);
      if (isDenied(err)) return result('denied', fromAdj, deniedMessage(entry, fromAdj));
      return result('failed', fromAdj, `writing ${toAdj} to ${dir}/oom_score_adj failed: ${(err as Error).message}`);
    }
    return result('applied', fromAdj);
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

function deniedMessage(entry: PlanEntry, fromAdj: number | null): string {
  if (entry.targetAdj < 0) return cannotProtectMessage(describeTarget(entry), fromAdj, entry.targetAdj);
  return `writing ${entry.targetAdj} to the oom_score_adj of ${describeTarget(entry)} was refused (permission denied): ` +
    'oomwatch must run as root or as the process owner, and no security module (SELinux, AppArmor) may deny it.';
}

/** Counts per outcome, for tick summaries and the CLI. */
export function countOutcomes(results: readonly ApplyResult[]): Record<ApplyOutcome, number> {
  const counts: Record<ApplyOutcome, number> = { applied: 0, unchanged: 0, gone: 0, 'identity-changed': 0, denied: 0, 'would-apply': 0, failed: 0 };
  for (const r of results) counts[r.outcome]++;
  return counts;
}
