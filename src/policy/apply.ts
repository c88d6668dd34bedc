import { ProcReadError } from '../errors.js';
import type { OomScoreAdjWriter, ProcFs } from '../sample/procfs.js';
import { capLength, sanitizeTerminal } from '../util/escape.js';
import { parsePidStat } from '../sample/parse/pid-stat.js';
import { cannotProtectMessage } from './capability.js';
import type { PlanEntry } from './plan.js';

/**
 * Writes planned oom_score_adj values through the proc gateway (ProcFs, whose root may be a fixture tree).
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

/** The current value, or null when it cannot be read (gone, denied, not an integer). */
function readAdj(procfs: ProcFs, pid: number): number | null {
  const r = procfs.pidFile(pid, 'oom_score_adj');
  if (r.kind !== 'ok') return null;
  const n = Number(r.value.trim());
  return Number.isInteger(n) ? n : null;
}

/** The errno text of an unexpected error (ProcFs wraps read errors in ProcReadError). */
const reasonOf = (err: unknown): string =>
  (err instanceof ProcReadError && err.cause instanceof Error ? err.cause : (err as Error)).message;

/** "sshd (pid 812, rule sshd)", safe to embed in logs and terminal text. */
export const describeTarget = (e: PlanEntry): string =>
  `${capLength(sanitizeTerminal(e.process.comm), 40)} (pid ${e.process.pid}, rule ${e.rule.id})`;

/** Applies each entry; never throws: a gone, reused, refused or failed write is reported in its result. */
export function applyAdjustments(procfs: ProcFs, plan: readonly PlanEntry[], opts: ApplyOptions): ApplyResult[] {
  return plan.map((entry) => applyOne(procfs, entry, opts));
}

function applyOne(procfs: ProcFs, entry: PlanEntry, opts: ApplyOptions): ApplyResult {
  try {
    return tryApplyOne(procfs, entry, opts);
  } catch (err) {
    // Anything unexpected (EIO, a procfs that is not one) fails this entry only: the others are still applied.
    const message = `cannot set the oom_score_adj of ${describeTarget(entry)} under ${procfs.root}: ${reasonOf(err)}. Check that procfs is mounted there (or fix --proc-root).`;
    return { entry, outcome: 'failed', fromAdj: null, toAdj: entry.targetAdj, message };
  }
}

function tryApplyOne(procfs: ProcFs, entry: PlanEntry, opts: ApplyOptions): ApplyResult {
  const { pid, startTimeTicks, bootId } = entry.process;
  const toAdj = entry.targetAdj;
  const result = (outcome: ApplyOutcome, fromAdj: number | null, message: string | null = null): ApplyResult => ({
    entry,
    outcome,
    fromAdj,
    toAdj,
    message,
  });
  if (bootId !== opts.bootId) return result('identity-changed', null, `planned under boot ${bootId}, running ${opts.bootId}`);
  let writer: OomScoreAdjWriter | null = null;
  try {
    if (!opts.dryRun) {
      const opened = procfs.openOomScoreAdj(pid);
      if (opened.kind === 'gone') return result('gone', null);
      if (opened.kind === 'denied') return result('denied', null, deniedMessage(entry, null));
      if (opened.kind === 'failed') throw opened.error;
      writer = opened.value;
    }
    const stat = procfs.pidFile(pid, 'stat');
    if (stat.kind === 'gone') return result('gone', null);
    if (stat.kind === 'denied') throw new Error(`permission denied reading ${stat.path}`);
    // parsePidStat reads after the LAST ')' (comm may contain ')'); a garbled stat throws and fails this entry.
    const seen = parsePidStat(stat.value).startTimeTicks;
    if (seen !== startTimeTicks) {
      return result('identity-changed', null, `pid ${pid} now has start time ${seen}, the plan was made for ${startTimeTicks}`);
    }
    const fromAdj = readAdj(procfs, pid);
    if (fromAdj === toAdj) return result('unchanged', fromAdj);
    if (opts.dryRun || writer === null) return result('would-apply', fromAdj);
    const written = writer.write(toAdj);
    if (written.kind === 'gone') return result('gone', fromAdj);
    if (written.kind === 'denied') return result('denied', fromAdj, deniedMessage(entry, fromAdj));
    if (written.kind === 'failed') return result('failed', fromAdj, `writing ${toAdj} to ${writer.path} failed: ${written.error.message}`);
    return result('applied', fromAdj);
  } finally {
    writer?.close();
  }
}

function deniedMessage(entry: PlanEntry, fromAdj: number | null): string {
  if (entry.targetAdj < 0) return cannotProtectMessage(describeTarget(entry), fromAdj, entry.targetAdj);
  return (
    `writing ${entry.targetAdj} to the oom_score_adj of ${describeTarget(entry)} was refused (permission denied): ` +
    'oomwatch must run as root or as the process owner, and no security module (SELinux, AppArmor) may deny it.'
  );
}

/** Counts per outcome, for tick summaries and the CLI. */
export function countOutcomes(results: readonly ApplyResult[]): Record<ApplyOutcome, number> {
  const counts: Record<ApplyOutcome, number> = {
    applied: 0,
    unchanged: 0,
    gone: 0,
    'identity-changed': 0,
    denied: 0,
    'would-apply': 0,
    failed: 0,
  };
  for (const r of results) counts[r.outcome]++;
  return counts;
}
