/**
 * The alerts part of the agent (AgentModule). After every tick it runs the engine on the tick's
 * snapshot; when the kernel module stores an OOM kill it runs the engine at once without a snapshot,
 * so the kill pages within the dispatcher's reach of 2 s instead of waiting for the next tick.
 * Incidents are read back from the store from a persisted cursor, so a kill stored just before a crash
 * is still paged after the restart (the engine drops an incident it has already seen).
 * Place it before the notify module: that one drains the outbox right after each tick.
 */
import type { AgentContext, AgentModule, TickContext } from '../agent/module.js';
import type { Config } from '../config/schema.js';
import { StoreError } from '../errors.js';
import type { IncidentView, Incident } from '../model/incident.js';
import type { ProcessSample } from '../model/snapshot.js';
import { historyWindows } from '../rules/evaluate.js';
import type { RuleHistory } from '../rules/history.js';
import type { HealthFacts } from '../model/rule-state.js';
import { createAlertEngine, type AlertEngine } from './engine.js';
import { historyFromStore, historyFromStoreSliced } from './seed.js';

export interface AlertsModuleSources {
  /** policy module: isProtected */
  isProtected?: (p: ProcessSample) => boolean;
  /** kernel watcher: status().problem */
  kmsgProblem?: () => string | undefined;
  /** policy module: health().unprotected */
  unprotected?: () => string[];
  /** Called after a commit that queued notifications. The agent needs none: the store tells delivery (store.outbox.onEnqueued). */
  onQueued?: () => void;
}

export interface AlertsModule extends AgentModule {
  /** A stored incident, evaluated at once (the agent subscribes it to store.onIncidentRecorded). */
  onIncident(view: IncidentView): void;
  engine(): AlertEngine;
}

/** The rules' view of a stored incident; null for one that was not stored (no id). */
export function incidentFromView(v: IncidentView, nowMs: number): Incident | null {
  if (v.id === null) return null;
  // A user-space killer's incident names the cgroup it killed in taskMemcg (oomMemcg: the one it watched).
  const cgroup = (v.killer !== 'kernel' ? (v.taskMemcg ?? v.oomMemcg) : (v.oomMemcg ?? v.taskMemcg)) ?? undefined;
  return {
    id: v.id,
    atMs: v.timeMs ?? nowMs,
    constraint: v.constraintRaw ?? v.constraint ?? 'unknown',
    ...(cgroup ? { cgroup } : {}),
    ...(v.victim
      ? {
          victim: {
            pid: v.victim.pid,
            comm: v.victim.comm,
            ...(typeof v.victim.startTimeTicks === 'number' ? { startTimeTicks: v.victim.startTimeTicks } : {}),
          },
        }
      : {}),
    source: v.noKernelReport ? 'counter' : 'kernel',
    ...(v.workload ? { workload: v.workload } : {}),
    ...(v.killer !== 'kernel' ? { killer: v.killer, ...(v.reason ? { reason: v.reason } : {}) } : {}),
    ...(v.groupCgroup ? { groupVictimCount: v.groupVictims.length, groupCgroup: v.groupCgroup } : {}),
  };
}

const CURSOR_KEY = 'incidentCursor';
const PAGE_SINCE_KEY = 'pageKillsSinceMs';
/**
 * Kills older than this when oomwatch first runs on a database are history (the kernel's ring buffer
 * still holds them): recorded and reported, not paged. Younger ones are paged: the operator may be
 * installing oomwatch in the middle of an incident.
 */
export const HISTORY_GRACE_MS = 5 * 60_000;

export function createAlertsModule(ctx: AgentContext, sources: AlertsModuleSources = {}): AlertsModule {
  const log = ctx.log.child({ mod: 'alerts' });
  const repo = ctx.store.alerts;
  const incidents = ctx.store.incidents;
  const build = (config: Config, history?: RuleHistory) =>
    createAlertEngine({
      store: ctx.store,
      log: ctx.log,
      config,
      hostname: config.agent.hostname ?? ctx.facts.hostname,
      ...(history ? { history } : {}),
    });
  /** Trend history for `config`: the running engine's when its windows are the same, else refilled from the store. */
  const historyFor = (config: Config, current?: RuleHistory): RuleHistory => {
    const windows = historyWindows(config.rules);
    if (current && current.processWindowMs === windows.processWindowMs && current.hostWindowMs === windows.hostWindowMs) return current;
    return historyFromStore(ctx.store.history, { bootId: ctx.facts.bootId, nowMs: ctx.clock.nowMs(), windows }, log).history;
  };
  let config = ctx.config;
  // Built here, not in start(): the kernel module starts first and may hand over its backlog before. Its
  // trend history is refilled in start(), in slices (a kill needs no trend to page).
  let engine = build(ctx.config);
  let cursor = 0;
  let buffered: Incident[] = [];
  /** This tick's sample write failed: the agent has told the store fault; do not tell it again. */
  let storeToldByTick = false;
  /** A write of ours failed and was logged: say nothing more until one goes through. */
  let storeFailing = false;
  let lastHealth: HealthFacts = { samplerStalled: false, brokenChannels: [] };
  // Read here too, for the same reason. A database an earlier version already alerted from (it has a
  // cursor) is not new: it pages all it missed.
  const savedSince = repo.getMeta<number>(PAGE_SINCE_KEY);
  const pageSince = savedSince ?? (repo.getMeta<number>(CURSOR_KEY) !== undefined ? 0 : ctx.clock.nowMs() - HISTORY_GRACE_MS);
  if (savedSince === undefined) repo.setMeta(PAGE_SINCE_KEY, pageSince);
  const isNews = (i: Incident | null): i is Incident => i !== null && i.atMs >= pageSince;

  // Store faults are not health facts here: the store alarm tells them without the database (rules/store-fault.ts).
  const health = (samplerStalled: boolean): HealthFacts => {
    // Only channels still configured: one removed or renamed in the config is no longer anyone's problem.
    const configured = new Set(Object.keys(config.channels));
    let brokenChannels = lastHealth.brokenChannels;
    try {
      brokenChannels = ctx.store.outbox
        .channelHealth()
        .filter((c) => c.state === 'broken' && configured.has(c.channel))
        .map((c) => c.channel);
    } catch (err) {
      log.debug({ err }, 'channel health unreadable; keeping the last known broken channels');
    }
    return { samplerStalled, kmsgProblem: sources.kmsgProblem?.(), brokenChannels, unprotected: sources.unprotected?.() };
  };

  /** Incidents stored after the cursor (a crash between storing and alerting leaves some behind). */
  const catchUp = (): Incident[] => {
    // Every tick asks; the answer is nearly always "none": one indexed lookup instead of listing 200 incidents.
    if (incidents.maxId() <= cursor) return [];
    const nowMs = ctx.clock.nowMs();
    return incidents
      .list({ limit: 200 })
      .filter((v) => v.id !== null && v.id > cursor)
      .map((v) => incidentFromView(v, nowMs))
      .filter(isNews);
  };

  const run = (snapshot: TickContext['snapshot'] | null, dataFresh: boolean, nowMs: number) => {
    const batch = [...buffered];
    const seen = new Set(batch.map((i) => i.id));
    for (const i of catchUp()) if (!seen.has(i.id)) batch.push(i);
    try {
      const r = engine.onTick(
        { snapshot, incidents: batch, health: lastHealth, dataFresh, isProtected: sources.isProtected ?? (() => false) },
        nowMs,
      );
      storeFailing = false;
      buffered = [];
      const maxId = batch.reduce((m, i) => Math.max(m, i.id), cursor);
      if (maxId > cursor) {
        cursor = maxId;
        repo.setMeta(CURSOR_KEY, cursor);
      }
      if (r.queued > 0) sources.onQueued?.();
      log.debug({ firing: r.firing, pending: r.pending, incidents: batch.length }, 'alerts evaluated');
    } catch (err) {
      // Keep the incidents for the next try. A database fault is logged with its fix once, by the agent
      // (its tick write fails too, and the store alarm tells the channels); here one short warning, not one
      // at every tick it lasts.
      buffered = batch;
      if (!(err instanceof StoreError)) log.error({ err }, 'alert evaluation failed; retrying at the next tick');
      else if (!storeToldByTick && !storeFailing) {
        log.warn(
          { err: (err.cause as Error | undefined)?.message ?? err.message },
          'alert state could not be stored; retrying at every tick until the database takes writes',
        );
      } else log.debug({ err }, 'alert state could not be stored; retrying at the next tick');
      if (err instanceof StoreError) storeFailing = true;
    }
  };

  return {
    name: 'alerts',
    async start() {
      const saved = repo.getMeta<number>(CURSOR_KEY);
      if (saved !== undefined) cursor = saved;
      else {
        // First start on this database: earlier kills are history, not news.
        cursor = incidents.maxId();
        repo.setMeta(CURSOR_KEY, cursor);
      }
      // At 8,000 processes the refill is a second or more of work: in slices, so kills and signals are served meanwhile.
      const seeded = await historyFromStoreSliced(
        ctx.store.history,
        { bootId: ctx.facts.bootId, nowMs: ctx.clock.nowMs(), windows: historyWindows(config.rules) },
        log,
      );
      const own = engine.history();
      // Taken only while the engine has seen no tick (the agent ticks after every module started).
      if (
        own.lastTakenAtMs === null &&
        own.processWindowMs === seeded.history.processWindowMs &&
        own.hostWindowMs === seeded.history.hostWindowMs
      ) {
        Object.assign(own, seeded.history);
      }
    },
    onTick(tc: TickContext) {
      storeToldByTick = Boolean(tc.storeProblem);
      lastHealth = health(!tc.fresh && tc.missedTicks > 0);
      run(tc.snapshot, tc.fresh, tc.nowMs);
    },
    onIncident(view: IncidentView) {
      const nowMs = ctx.clock.nowMs();
      const inc = incidentFromView(view, nowMs);
      if (!isNews(inc)) return;
      buffered.push(inc);
      run(null, true, nowMs);
    },
    reload(next: Config) {
      config = next;
      engine = build(next, historyFor(next, engine.history()));
    },
    engine: () => engine,
  };
}
