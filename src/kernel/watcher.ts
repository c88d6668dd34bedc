/**
 * The kernel side of the agent: follows /dev/kmsg, assembles OOM reports, commits each incident the
 * moment its kill line is read (one transaction, cursor included), and on every sampler tick runs the
 * counters cross-check so a kill whose report was lost is still recorded.
 *
 * Without permission to read /dev/kmsg it says so once (log + agent_event), keeps running, and the
 * counters alone record kills.
 */
import type { Clock } from '../clock.js';
import type { Log } from '../log.js';
import type { HostSnapshot } from '../model/snapshot.js';
import { type KmsgCursor } from '../store/incidents-repo.js';
import type { Store } from '../store/store.js';
import { crossCheckCounters, emptyLedger, type CounterLedger, type ReportRef } from './counter-check.js';
import type { IncidentView } from '../model/incident.js';
import { KmsgSource, type KmsgGap } from './kmsg-source.js';
import { OomReportAssembler, type AssemblerEvent } from './oom-assembler.js';
import type { KernelRecord, OomReport, ReaperOutcome } from '../model/kernel-report.js';

export interface KernelWatcherDeps {
  /** Incidents are stored with the kmsg cursor in one transaction; gaps and agent events go to the agent's record. */
  store: Pick<Store, 'incidents' | 'kmsgCursor' | 'events'>;
  log: Log;
  clock: Clock;
  kmsgPath: string;
  bootId: string;
  hostname: string;
  onIncident?: (incident: IncidentView) => void;
  /** Resolves and stores the workload of the cgroup a kill names, before the incident is stored (src/workload). */
  ensureWorkload?: (cgroupPath: string) => void;
  /** Victim linking: the identity must have been seen within this many ms before the kill (default 60 s: a few sample intervals). */
  linkSlackMs?: number;
  /** kmsg poll interval when idle (default 250 ms). */
  pollIntervalMs?: number;
  /** A report whose kill line has not come after this long is stored as truncated (default 3 s). */
  idleFlushMs?: number;
  /** ms spent suspended since boot (suspendedMsFrom(procfs, clock)); without it suspend shows as offset jumps only. */
  suspendedMs?: () => number | null;
}

export interface KernelWatcherStatus {
  readable: boolean;
  problem?: string;
  lastSeq?: number;
}

export interface KernelWatcher {
  start(): void;
  stop(): Promise<void>;
  status(): KernelWatcherStatus;
  onTick(prev: HostSnapshot | null, cur: HostSnapshot): void;
}

export function createKernelWatcher(deps: KernelWatcherDeps): KernelWatcher {
  const log = deps.log.child({ mod: 'kernel' });
  const repo = deps.store.incidents;
  const events = deps.store.events;
  const asm = new OomReportAssembler();
  let source: KmsgSource | null = null;
  let housekeeping: NodeJS.Timeout | null = null;
  let readable = false;
  let problem: string | undefined;
  let lastRecordMonoMs = 0;
  let lastSeq: number | null = null;
  let startedAtMs = 0;
  let lastErrorCode: string | undefined;
  let savedSeq: number | null = null;
  let ledger: CounterLedger = emptyLedger();
  let refsSinceTick: ReportRef[] = [];
  // Reports the store refused (disk full, locked): retried, never dropped.
  const unsaved: { report?: OomReport; reaper?: ReaperOutcome }[] = [];

  const cursorNow = (): KmsgCursor | undefined => {
    const next = asm.pendingSinceSeq ?? (lastSeq === null ? null : lastSeq + 1);
    return next === null ? undefined : { bootId: deps.bootId, nextSeq: next };
  };

  function ensureWorkload(path: string | null): void {
    if (path === null || !deps.ensureWorkload) return;
    try {
      deps.ensureWorkload(path);
    } catch (err) {
      log.warn({ err, cgroup: path }, 'Cannot resolve the workload of a killed cgroup; the incident names its path only');
    }
  }

  function commitReport(report: OomReport): boolean {
    ensureWorkload(report.taskMemcg ?? report.oomMemcg);
    try {
      const cursor = cursorNow();
      const res = repo.insertReport(report, { source: 'kmsg', hostname: deps.hostname, bootId: deps.bootId, nowMs: deps.clock.nowMs(), linkSlackMs: deps.linkSlackMs, cursor });
      if (cursor) savedSeq = cursor.nextSeq;
      if (!res.inserted) return true; // replayed after a restart: stored already
      // As stored: a kill line without its header is placed in the victim's sampled cgroup there.
      const view = repo.get(res.id);
      // Kills from before this start are in the counters' baseline already: they must not explain a later rise.
      if (report.wallMs === null || report.wallMs >= startedAtMs)
        refsSinceTick.push({ constraint: view?.constraint ?? report.constraint, oomMemcg: view?.oomMemcg ?? report.oomMemcg, taskMemcg: view?.taskMemcg ?? report.taskMemcg });
      log.info({ incident: res.id, pid: report.victim?.pid, constraint: view?.constraint ?? report.constraint, memcg: view?.oomMemcg ?? report.oomMemcg }, 'OOM kill recorded');
      if (view) deps.onIncident?.(view);
      return true;
    } catch (err) {
      log.error({ err }, 'Cannot store an OOM incident; keeping it in memory and retrying. Check the database (disk space, permissions).');
      return false;
    }
  }

  function commitReaper(reaper: ReaperOutcome): boolean {
    try {
      const cursor = cursorNow();
      repo.markReaped(reaper, deps.bootId, cursor, deps.clock.nowMs());
      if (cursor) savedSeq = cursor.nextSeq;
      return true;
    } catch (err) {
      log.error({ err }, 'Cannot store an oom_reaper outcome; retrying.');
      return false;
    }
  }

  function handle(events: AssemblerEvent[]): void {
    for (const e of events) {
      if (unsaved.length > 0) {
        unsaved.push(e.kind === 'report' ? { report: e.report } : { reaper: e.reaper });
        continue;
      }
      const ok = e.kind === 'report' ? commitReport(e.report) : commitReaper(e.reaper);
      if (!ok) unsaved.push(e.kind === 'report' ? { report: e.report } : { reaper: e.reaper });
    }
  }

  function retryUnsaved(): void {
    while (unsaved.length > 0) {
      const u = unsaved[0];
      const ok = u.report ? commitReport(u.report) : commitReaper(u.reaper!);
      if (!ok) return;
      unsaved.shift();
    }
  }

  function onRecords(records: KernelRecord[]): void {
    if (lastErrorCode !== undefined) {
      lastErrorCode = undefined;
      problem = undefined;
    }
    retryUnsaved();
    for (const rec of records) {
      lastSeq = rec.seq;
      handle(asm.push(rec));
    }
    lastRecordMonoMs = deps.clock.monotonicMs();
    // Keep the cursor near the head even when nothing OOM-related is logged (a cheap one-row upsert, at most once a second).
    const cursor = cursorNow();
    if (cursor && unsaved.length === 0 && cursor.nextSeq !== savedSeq && (savedSeq === null || cursor.nextSeq - savedSeq > 0)) {
      try {
        deps.store.kmsgCursor.save(cursor, deps.clock.nowMs());
        savedSeq = cursor.nextSeq;
      } catch (err) {
        log.warn({ err }, 'Cannot save the kmsg cursor; will retry.');
      }
    }
  }

  function onGap(gap: KmsgGap): void {
    const now = deps.clock.nowMs();
    const detail = `kmsg records ${gap.fromSeq}..${gap.toSeq} (${gap.toSeq - gap.fromSeq + 1}) were lost (${gap.reason}); the counters cross-check still records kills in them`;
    log.warn({ gap }, detail);
    try {
      events.recordGap({ startMs: now, endMs: now, reason: 'kmsg-overrun', detail });
    } catch (err) {
      log.warn({ err }, 'Cannot record a kmsg gap');
    }
  }

  function houseKeep(): void {
    retryUnsaved();
    if (asm.hasPending && deps.clock.monotonicMs() - lastRecordMonoMs > (deps.idleFlushMs ?? 3000)) handle(asm.flush());
  }

  return {
    start() {
      if (source) return;
      startedAtMs = deps.clock.nowMs();
      source = new KmsgSource({
        path: deps.kmsgPath,
        bootId: deps.bootId,
        clock: deps.clock,
        resume: deps.store.kmsgCursor.get(),
        pollIntervalMs: deps.pollIntervalMs,
        suspendedMs: deps.suspendedMs,
        onRecords,
        onGap,
        onError: (err) => {
          const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
          const message = `Reading ${deps.kmsgPath} failed (${code}); retrying every poll. Kills are still counted by the counters cross-check.`;
          if (code !== lastErrorCode) log.error({ err }, message);
          lastErrorCode = code;
          problem = message;
        },
      });
      try {
        source.start();
        readable = true;
        problem = undefined;
      } catch (err) {
        source = null;
        readable = false;
        problem = err instanceof Error ? err.message : String(err);
        // Said once: the agent keeps sampling and the counters keep recording kills.
        log.warn({ err }, problem);
        try {
          events.recordEvent(deps.clock.nowMs(), 'kmsg-unreadable', problem);
        } catch (e) {
          log.warn({ err: e }, 'Cannot record an agent event');
        }
      }
      housekeeping = setInterval(houseKeep, 1000);
      housekeeping.unref();
    },
    async stop() {
      if (housekeeping) clearInterval(housekeeping);
      housekeeping = null;
      source?.stop();
      source = null;
      retryUnsaved();
      // A report in progress is not flushed: the cursor stays at its first record so the next start re-reads it whole.
      const cursor = cursorNow();
      if (cursor && unsaved.length === 0) {
        try {
          deps.store.kmsgCursor.save(cursor, deps.clock.nowMs());
        } catch (err) {
          log.warn({ err }, 'Cannot save the kmsg cursor on stop');
        }
      }
    },
    status() {
      const s: KernelWatcherStatus = { readable };
      if (problem) s.problem = problem;
      if (lastSeq !== null) s.lastSeq = lastSeq;
      return s;
    },
    onTick(prev, cur) {
      const refs = refsSinceTick;
      refsSinceTick = [];
      const res = crossCheckCounters(ledger, prev, cur, refs);
      ledger = res.ledger;
      for (const f of res.findings) {
        ensureWorkload(f.cgroup);
        try {
          const { id, inserted } = repo.insertCounterIncident({ ...f, hostname: deps.hostname, bootId: cur.bootId }, deps.clock.nowMs());
          if (!inserted) continue;
          log.warn({ incident: id, bucket: f.bucket, count: f.killCount }, 'OOM kill counted by the kernel without a kernel report');
          const view = repo.get(id);
          if (view) deps.onIncident?.(view);
        } catch (err) {
          log.error({ err }, 'Cannot store a counter-only OOM incident');
        }
      }
    },
  };
}
