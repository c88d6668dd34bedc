import { readFileSync } from 'node:fs';
import type { Config } from '../config/schema.js';
import type { Clock } from '../clock.js';
import { storeErrorFrom } from '../store/db.js';
import type { Log } from '../log.js';
import { ProcFs } from '../sample/procfs.js';
import { createSampler } from '../sample/host.js';
import type { HostSnapshot } from '../sample/types.js';
import { SamplesRepo } from '../store/samples-repo.js';
import { startCheckpointer } from '../store/checkpointer.js';
import type { Database } from 'better-sqlite3';
import { detectGap, type ClockReading, type Gap } from './gap.js';
import { acquireAgentLock, releaseAgentLock, selfIdentity } from './lock.js';
import type { AgentContext, AgentModule, TickContext } from './module.js';
import { Ticker } from './ticker.js';

export interface AgentOptions {
  config: Config;
  db: Database;
  dbPath: string;
  log: Log;
  clock: Clock;
  /** Builds the agent's modules (kernel watcher, alerts, delivery, policy, metrics) once the context exists. */
  modules: (ctx: AgentContext) => AgentModule[] | Promise<AgentModule[]>;
}

export interface RunningAgent {
  ctx: AgentContext;
  /** Resolves when the agent has stopped. */
  done: Promise<void>;
  stop(reason: string): Promise<void>;
  reload(config: Config): void;
  /** Runs one tick now (tests). */
  tickNow(): Promise<void>;
}

/**
 * The agent: ticks on schedule without overlap, samples in slices so the event loop stays responsive,
 * stores each tick, records gaps (suspend, clock jump, stall, agent down) instead of inventing data,
 * and hands each tick to its modules. One agent per database (agent_lock).
 */
export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const { config, db, log, clock } = opts;
  const { sampler, facts } = createSampler({
    procRoot: config.sample.procRoot,
    cgroupRoot: config.sample.cgroupRoot,
    refreshEveryMs: config.sample.keyframeEvery,
    hostname: config.agent.hostname,
    keepDescriptors: true,
  });
  const realProc = new ProcFs('/proc');
  const me = selfIdentity(realProc, facts.bootId, facts.hostname);
  acquireAgentLock(db, opts.dbPath, me, realProc, clock.nowMs());
  const ctx: AgentContext = { config, db, dbPath: opts.dbPath, log, clock, facts };
  const repo = new SamplesRepo(db, { keyframeEveryMs: config.sample.keyframeEvery, deadBandFraction: config.sample.deadBandFraction });
  const modules = await opts.modules(ctx);
  const insertGap = db.prepare('INSERT INTO gap (start_ms, end_ms, reason, detail) VALUES (?, ?, ?, ?)');
  const insertEvent = db.prepare('INSERT INTO agent_event (ts_ms, kind, message) VALUES (?, ?, ?)');
  const recordGap = (g: Gap) => {
    log.warn({ gap: g }, `gap in the record: ${g.reason} (${g.detail})`);
    insertGap.run(g.startMs, g.endMs, g.reason, g.detail);
  };

  // The agent was down: say so in the record rather than let a report interpolate across it.
  const last = db.prepare('SELECT ts_ms FROM tick WHERE hostname = ? ORDER BY id DESC LIMIT 1').get(facts.hostname) as { ts_ms: number } | undefined;
  const startMs = clock.nowMs();
  if (last && startMs - last.ts_ms > 2 * config.sample.interval) {
    recordGap({ reason: 'agent-down', startMs: last.ts_ms, endMs: startMs, detail: `no samples for ${Math.round((startMs - last.ts_ms) / 1000)} s` });
  }
  insertEvent.run(startMs, 'agent-start', `oomwatch agent started (pid ${process.pid})`);

  const checkpointer = opts.dbPath === ':memory:' ? null : startCheckpointer(db, opts.dbPath, log);
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
    releaseAgentLock(db, me);
    db.close();
    throw err;
  }

  let prevReading: ClockReading | null = null;
  let prevSnapshot: HostSnapshot | null = null;
  let storeProblem: string | null = null;
  let stopping = false;

  const tick = async (missed: number): Promise<void> => {
    const reading: ClockReading = { wallMs: clock.nowMs(), monoMs: clock.monotonicMs(), bootMs: readBootMs() };
    const gap = prevReading ? detectGap(prevReading, reading, config.sample.interval) : null;
    prevReading = reading;
    const t0 = clock.monotonicMs();
    const snapshot = await sampler.takeSnapshotSliced(reading.wallMs);
    const durationMs = clock.monotonicMs() - t0;
    let tickId = -1;
    try {
      if (gap) recordGap(gap);
      tickId = (await repo.writeTickSliced(snapshot, Math.round(durationMs * 1000))).tickId;
      if (storeProblem) log.info('the database is writable again');
      storeProblem = null;
    } catch (err) {
      const e = storeErrorFrom(err, opts.dbPath, 'write to');
      if (storeProblem !== e.message) log.error({ err }, e.message);
      storeProblem = e.message;
    }
    const tc: TickContext = { snapshot, previous: prevSnapshot, tickId, fresh: gap === null, nowMs: reading.wallMs, durationMs, missedTicks: missed, storeProblem };
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
      insertEvent.run(clock.nowMs(), 'agent-stop', `oomwatch agent stopped (${reason})`);
      releaseAgentLock(db, me);
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
      resolveDone();
    }
    return done;
  };

  ticker.start();
  log.info({ db: opts.dbPath, intervalMs: config.sample.interval, host: facts.hostname, kernel: facts.kernelRelease }, 'oomwatch agent running');
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
  };
}

/** CLOCK_BOOTTIME in ms from /proc/uptime (counts suspended time; the monotonic clock does not). */
function readBootMs(): number | null {
  try {
    return Math.round(Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000);
  } catch {
    return null;
  }
}
