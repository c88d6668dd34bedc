import type { Config } from '../config/schema.js';
import type { Clock } from '../clock.js';
import { storeErrorFrom } from '../store/db.js';
import type { Log } from '../log.js';
import type { ProcFs } from '../sample/procfs.js';
import { createSampler } from '../sample/host.js';
import type { HostSnapshot } from '../model/snapshot.js';
import type { Store } from '../store/store.js';
import { detectGap, type ClockReading, type Gap } from './gap.js';
import { acquireAgentLock, releaseAgentLock, selfIdentity } from './lock.js';
import type { AgentContext, AgentModule, TickContext } from './module.js';
import { Ticker } from './ticker.js';

/** Ticks stored in a row after a store fault before it counts as over. */
export const STORE_RECOVERY_TICKS = 3;

export interface AgentOptions {
  config: Config;
  /** The opened store; `store.path` is the database file. */
  store: Store;
  log: Log;
  clock: Clock;
  /**
   * The real /proc of the host the agent runs on (the agent's own identity, limits and uptime), whatever
   * sample.procRoot points at.
   */
  selfProc: ProcFs;
  /** Builds the agent's modules (kernel watcher, alerts, delivery, policy, metrics) once the context exists. */
  modules: (ctx: AgentContext) => AgentModule[] | Promise<AgentModule[]>;
  /** The database file was lost while an earlier agent ran in this process: record it in this (new) one. */
  storeLoss?: StoreLoss;
}

/** The database file deleted or replaced under a running agent. */
export interface StoreLoss {
  change: 'gone' | 'replaced';
  /** When the agent noticed. */
  atMs: number;
  /** When the lost file was opened: what was recorded from then on is in the lost file only. */
  openedAtMs: number;
  message: string;
}

export interface RunningAgent {
  ctx: AgentContext;
  /** Resolves when the agent has stopped. */
  done: Promise<void>;
  stop(reason: string): Promise<void>;
  reload(config: Config): void;
  /** Runs one tick now (tests). */
  tickNow(): Promise<void>;
  /** Set when the agent stopped because its database file was deleted or replaced: the caller opens a new one. */
  storeLoss(): StoreLoss | null;
}

/**
 * The agent: ticks on schedule without overlap, samples in slices so the event loop stays responsive,
 * stores each tick, records gaps (suspend, clock jump, stall, agent down) instead of inventing data,
 * and hands each tick to its modules. One agent per database (agent_lock).
 */
export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const { config, store, log, clock, selfProc } = opts;
  const dbPath = store.path;
  const { sampler, procfs, facts } = createSampler({
    procRoot: config.sample.procRoot,
    cgroupRoot: config.sample.cgroupRoot,
    refreshEveryMs: config.sample.keyframeEvery,
    hostname: config.agent.hostname,
    keepDescriptors: selfProc,
  });
  const me = selfIdentity(selfProc, facts.bootId, facts.hostname);
  acquireAgentLock(store.lock, dbPath, me, selfProc, clock.nowMs());
  const ctx: AgentContext = { config, store, log, clock, facts, procfs, selfProc };
  const repo = store.createSamplesRepo({ keyframeEveryMs: config.sample.keyframeEvery, deadBandFraction: config.sample.deadBandFraction });
  const modules = await opts.modules(ctx);
  const events = store.events;
  const recordGap = (g: Gap) => {
    log.warn({ gap: g }, `gap in the record: ${g.reason} (${g.detail})`);
    events.recordGap(g);
  };

  // The agent was down: say so in the record rather than let a report interpolate across it.
  const lastMs = events.lastTickMsOfHost(facts.hostname);
  const startMs = clock.nowMs();
  if (lastMs !== null && startMs - lastMs > 2 * config.sample.interval) {
    recordGap({
      reason: 'agent-down',
      startMs: lastMs,
      endMs: startMs,
      detail: `no samples for ${Math.round((startMs - lastMs) / 1000)} s`,
    });
  }
  events.recordEvent(startMs, 'agent-start', `oomwatch agent started (pid ${process.pid})`);
  // The first tick carries the loss as a store problem, so the agent-health rule pages it once.
  let lossNotice: string | null = null;
  if (opts.storeLoss) {
    const loss = opts.storeLoss;
    events.recordEvent(loss.atMs, 'database-replaced', loss.message);
    events.recordGap({ startMs: loss.openedAtMs, endMs: loss.atMs, reason: 'database-replaced', detail: loss.message });
    lossNotice = loss.message;
  }

  const checkpointer = store.startCheckpointer(log);
  const started: AgentModule[] = [];
  try {
    for (const m of modules) {
      await m.start?.();
      started.push(m);
    }
  } catch (err) {
    // A part that cannot start (e.g. the metrics port is taken) stops the agent: undo what started, so the
    // process exits with the error's code instead of idling without ticking.
    for (const m of started.reverse()) await Promise.resolve(m.stop?.()).catch(() => {});
    await checkpointer?.stop();
    releaseAgentLock(store.lock, me);
    store.close();
    throw err;
  }

  let prevReading: ClockReading | null = null;
  let prevSnapshot: HostSnapshot | null = null;
  /**
   * Writes fail since `sinceMs` (disk full, read-only…); `lastStoredMs` is the last tick stored before.
   * A nearly full disk takes some writes and refuses others: the fault ends only after STORE_RECOVERY_TICKS
   * ticks in a row were stored (`storedInARow`, the first of them at `resumedMs`), so it is not told as
   * ended and begun again every few seconds.
   */
  let storeFault: { message: string; sinceMs: number; lastStoredMs: number | null; storedInARow: number; resumedMs: number } | null = null;
  let lastStoredMs: number | null = null;
  let stopping = false;
  let storeLoss: StoreLoss | null = null;

  /**
   * Deleted (rm, a clean-up script) or replaced (a restore, mv) while the agent holds it open: SQLite would
   * go on writing to a file nobody can reach any more, and everything recorded would vanish at the next
   * restart. One lstat per tick notices it; the agent then stops and the caller starts over on a new file.
   */
  const checkStoreFile = (nowMs: number): boolean => {
    const change = store.fileChange();
    if (!change) return true;
    const what = change === 'gone' ? 'was deleted' : 'was replaced by another file';
    const message =
      `The database ${dbPath} ${what} at ${new Date(nowMs).toISOString()} while the agent was running: ` +
      `what was recorded since ${new Date(startMs).toISOString()} is not in the database at that path any more. ` +
      'A new database was started there. Restore the lost history from a backup if you need it (docs/operate.md), and find what removed the file.';
    log.error({ db: dbPath, change }, message);
    storeLoss = { change, atMs: nowMs, openedAtMs: startMs, message };
    void stop('database-replaced');
    return false;
  };

  const tick = async (missed: number): Promise<void> => {
    if (!checkStoreFile(clock.nowMs())) return;
    const reading: ClockReading = { wallMs: clock.nowMs(), monoMs: clock.monotonicMs(), bootMs: readBootMs(selfProc) };
    const gap = prevReading ? detectGap(prevReading, reading, config.sample.interval) : null;
    prevReading = reading;
    const t0 = clock.monotonicMs();
    const snapshot = await sampler.takeSnapshotSliced(reading.wallMs);
    const durationMs = clock.monotonicMs() - t0;
    let tickId = -1;
    try {
      if (gap) recordGap(gap);
      tickId = (await repo.writeTickSliced(snapshot, Math.round(durationMs * 1000))).tickId;
      if (storeFault && ++storeFault.storedInARow === 1) storeFault.resumedMs = reading.wallMs;
      if (storeFault && storeFault.storedInARow >= STORE_RECOVERY_TICKS) {
        // The hole runs from the last stored tick to the first of the run stored again: reports show it
        // instead of interpolating.
        const startMs = storeFault.lastStoredMs ?? storeFault.sinceMs;
        const lostS = Math.round((storeFault.resumedMs - startMs) / 1000);
        events.recordGap({
          startMs,
          endMs: storeFault.resumedMs,
          reason: 'store-unwritable',
          detail: `${lostS} s of samples not stored: ${storeFault.message}`,
        });
        log.info(
          { sinceMs: storeFault.sinceMs },
          `the database takes writes again after ${lostS} s; the samples missed are recorded as a gap (store-unwritable)`,
        );
        storeFault = null;
      }
      if (!storeFault) lastStoredMs = reading.wallMs;
    } catch (err) {
      // Told once per fault (the store alarm sends it to the channels), not at every tick it lasts.
      const e = storeErrorFrom(err, dbPath, 'write to');
      if (!storeFault) {
        log.error({ err }, e.message);
        storeFault = { message: e.message, sinceMs: reading.wallMs, lastStoredMs, storedInARow: 0, resumedMs: 0 };
      }
      storeFault.storedInARow = 0;
    }
    const tc: TickContext = {
      snapshot,
      previous: prevSnapshot,
      tickId,
      fresh: gap === null,
      nowMs: reading.wallMs,
      durationMs,
      missedTicks: missed,
      storeProblem: storeFault?.message ?? lossNotice,
    };
    lossNotice = null;
    for (const m of modules) {
      try {
        await m.onTick?.(tc);
      } catch (err) {
        log.error({ err, module: m.name }, `${m.name}: tick failed: ${(err as Error).message}`);
      }
    }
    prevSnapshot = snapshot;
    if (missed > 0) log.warn({ missed }, `${missed} tick(s) skipped: the previous tick overran the ${config.sample.interval} ms interval`);
  };

  const ticker = new Ticker(config.sample.interval, tick, () => clock.monotonicMs());
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));

  const stop = async (reason: string) => {
    if (stopping) return done;
    stopping = true;
    log.info({ reason }, 'stopping');
    await ticker.stop();
    sampler.close();
    for (const m of [...modules].reverse()) {
      try {
        await m.stop?.();
      } catch (err) {
        log.error({ err, module: m.name }, `${m.name}: stop failed`);
      }
    }
    await checkpointer?.stop();
    try {
      events.recordEvent(clock.nowMs(), 'agent-stop', `oomwatch agent stopped (${reason})`);
      releaseAgentLock(store.lock, me);
      store.checkpoint();
    } catch (err) {
      // A full disk must not turn a clean stop into a failure: the next start takes over the lock.
      log.warn({ err: (err as Error).message }, 'could not record the stop in the database; the next start takes over the lock');
    } finally {
      store.close();
      resolveDone();
    }
    return done;
  };

  ticker.start();
  log.info({ db: dbPath, intervalMs: config.sample.interval, host: facts.hostname, kernel: facts.kernelRelease }, 'oomwatch agent running');
  return {
    ctx,
    done,
    stop,
    reload(newConfig: Config) {
      ctx.config = newConfig;
      ticker.setInterval(newConfig.sample.interval);
      for (const m of modules) m.reload?.(newConfig);
    },
    tickNow: () => tick(0),
    storeLoss: () => storeLoss,
  };
}

/** CLOCK_BOOTTIME in ms from uptime (counts suspended time; the monotonic clock does not); null when unreadable. */
function readBootMs(selfProc: ProcFs): number | null {
  try {
    const r = selfProc.uptimeMs();
    return r.kind === 'ok' ? r.value : null;
  } catch {
    return null;
  }
}
