import { StoreLockedError } from '../errors.js';
import { isExitedState } from '../sample/dying.js';
import { parsePidStat } from '../sample/parse/pid-stat.js';
import type { ProcFs } from '../sample/procfs.js';
import type { LockHolder, LockRepo } from '../store/lock-repo.js';

export interface LockOwner {
  pid: number;
  startTimeTicks: number;
  bootId: string;
  hostname: string;
}

/**
 * One agent per database. The lock row names its holder by process identity, so a lock left by a
 * crashed agent (or one from an earlier boot, or a reused pid) is taken over instead of blocking forever.
 * A holder that is a zombie (exited, not yet reaped by its parent) is dead too.
 */
export function acquireAgentLock(lock: LockRepo, dbPath: string, me: LockOwner, procfs: ProcFs, nowMs: number): void {
  const keeper = lock.claim(
    me,
    nowMs,
    (held) => !(held.pid === me.pid && held.startTimeTicks === me.startTimeTicks) && isAlive(procfs, held, me.bootId),
  );
  if (keeper) throw new StoreLockedError(dbPath, keeper.pid);
}

export function releaseAgentLock(lock: LockRepo, me: LockOwner): void {
  lock.release(me);
}

function isAlive(procfs: ProcFs, held: LockHolder, bootId: string): boolean {
  if (held.bootId !== bootId) return false;
  const r = procfs.pidFile(held.pid, 'stat');
  if (r.kind === 'gone') return false;
  if (r.kind === 'denied') return true;
  try {
    const stat = parsePidStat(r.value);
    return stat.startTimeTicks === held.startTimeTicks && !isExitedState(stat.state);
  } catch {
    return false;
  }
}

/** This process's own identity. */
export function selfIdentity(procfs: ProcFs, bootId: string, hostname: string): LockOwner {
  const r = procfs.file('self/stat');
  const startTimeTicks = r.kind === 'ok' ? parsePidStat(r.value).startTimeTicks : 0;
  return { pid: process.pid, startTimeTicks, bootId, hostname };
}
