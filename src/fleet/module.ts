/**
 * Fleet shipping as one of the agent's parts (AgentModule). With `fleet.postgres` set: at start, after every
 * tick and when a kill is stored, new incidents and alert transitions go into the outbox (enqueue.ts), and
 * the shipper delivers them to PostgreSQL. Without it the module does nothing. Agents never migrate the
 * central schema: `oomwatch fleet migrate` does.
 */
import type { AgentContext, AgentModule } from '../agent/module.js';
import type { Shipper } from './shipper.js';
import { resolveFleetTarget } from './target.js';

type EnqueueFn = typeof import('./enqueue.js').enqueueFleetRows;

export interface FleetModule extends AgentModule {
  /** A kill was just stored: queue and ship it now rather than after the next tick. */
  onIncident(): void;
  shipper(): Shipper | null;
}

export function createFleetModule(ctx: AgentContext, opts: { env?: NodeJS.ProcessEnv; pollIntervalMs?: number } = {}): FleetModule {
  const log = ctx.log.child({ mod: 'fleet' });
  let shipper: Shipper | null = null;
  let enqueueFailing = false;
  let enqueueFleetRows: EnqueueFn | null = null;
  const host = ctx.config.agent.hostname ?? ctx.facts.hostname;

  function enqueue(): void {
    if (!shipper || !enqueueFleetRows) return;
    try {
      const n = enqueueFleetRows({ db: ctx.db, host, bootId: ctx.facts.bootId, timeZone: ctx.config.report.daily.timeZone, windowMs: 30 * 60_000, nowMs: ctx.clock.nowMs() });
      enqueueFailing = false;
      if (n) shipper.kick();
    } catch (err) {
      // A database refusing writes is told by the store alarm; the cursor did not move, so nothing is skipped.
      if (!enqueueFailing) log.warn({ err: (err as Error).message }, 'queueing incidents for the fleet database failed; retried after the next tick');
      enqueueFailing = true;
    }
  }

  return {
    name: 'fleet',
    shipper: () => shipper,
    async start() {
      const target = resolveFleetTarget(ctx.config.fleet, { env: opts.env ?? process.env });
      if (!target) return;
      // pg and the report builder are loaded only on agents that ship.
      const [{ describeTarget, openFleetPool }, { createShipper }, enqueueMod] = await Promise.all([import('./pg-client.js'), import('./shipper.js'), import('./enqueue.js')]);
      enqueueFleetRows = enqueueMod.enqueueFleetRows;
      const where = describeTarget(target.url);
      shipper = createShipper({
        db: ctx.db,
        log: ctx.log,
        clock: ctx.clock,
        pool: openFleetPool(target, 1),
        where,
        batchSize: ctx.config.fleet.batchSize,
        retry: ctx.config.fleet.retry,
        pollIntervalMs: opts.pollIntervalMs,
      });
      log.info({ postgres: where }, 'shipping incidents and alert transitions to the fleet database');
      enqueue();
      shipper.start();
    },
    onTick: enqueue,
    onIncident: enqueue,
    async stop() {
      await shipper?.stop();
      shipper = null;
    },
  };
}
