/**
 * Fleet shipping as one of the agent's parts (AgentModule). With `fleet.postgres` set: at start, after every
 * tick and when a kill is stored, new incidents and alert transitions go into the outbox (enqueue.ts), and
 * the shipper delivers them to PostgreSQL. Without it the module does nothing. Agents never migrate the
 * central schema: `oomwatch fleet migrate` does.
 */
import type { JobSpec } from '../model/job.js';
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
      const n = enqueueFleetRows({
        store: ctx.store,
        host,
        bootId: ctx.facts.bootId,
        timeZone: ctx.config.report.daily.timeZone,
        windowMs: 30 * 60_000,
        nowMs: ctx.clock.nowMs(),
      });
      enqueueFailing = false;
      if (n) shipper.kick();
    } catch (err) {
      // A database refusing writes is told by the store alarm; the cursor did not move, so nothing is skipped.
      if (!enqueueFailing)
        log.warn({ err: (err as Error).message }, 'queueing incidents for the fleet database failed; retried after the next tick');
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
      const [{ describeTarget, openFleetPool }, { createShipper }, enqueueMod] = await Promise.all([
        import('./pg-client.js'),
        import('./shipper.js'),
        import('./enqueue.js'),
      ]);
      enqueueFleetRows = enqueueMod.enqueueFleetRows;
      const where = describeTarget(target.url);
      shipper = createShipper({
        store: ctx.store,
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

/**
 * The scheduled fleet report as a calendar job (src/agent/jobs.ts), or null when fleet.report is not
 * enabled on this agent. `onQueued`: the dispatcher's kick.
 */
export function fleetReportJob(ctx: AgentContext, opts: { env?: NodeJS.ProcessEnv; onQueued?: () => void } = {}): JobSpec | null {
  const report = ctx.config.fleet.report;
  if (!report?.enabled) return null;
  const log = ctx.log.child({ mod: 'fleet' });
  const target = resolveFleetTarget(ctx.config.fleet, { env: opts.env ?? process.env });
  if (!target) {
    log.warn('fleet.report is enabled but fleet.postgres is not set: no fleet report from this agent. Set fleet.postgres.url.');
    return null;
  }
  const host = ctx.config.agent.hostname ?? ctx.facts.hostname;
  return {
    name: 'fleet-report',
    cron: report.cron,
    timeZone: report.timeZone,
    runAtStart: true,
    run: async () => {
      const [{ openFleetPool, describeTarget, describePgFailure }, { runFleetReport }] = await Promise.all([
        import('./pg-client.js'),
        import('./report-job.js'),
      ]);
      const pool = openFleetPool(target, 1);
      try {
        const client = await pool.connect();
        try {
          const r = await runFleetReport({ store: ctx.store, client, host, report, nowMs: ctx.clock.nowMs() });
          if (r.kind === 'queued') {
            log.info({ periodEndMs: r.toMs, channels: report.channels }, 'fleet report queued');
            opts.onQueued?.();
          } else if (r.kind === 'claimed-elsewhere')
            log.info({ periodEndMs: r.toMs, by: r.by }, 'fleet report for this period is sent by another agent');
        } finally {
          client.release();
        }
      } catch (err) {
        log.warn(
          { err: describePgFailure(err, describeTarget(target.url)).message },
          'fleet report not sent this time; the next run (or a restart) tries again',
        );
      } finally {
        await pool.end().catch(() => undefined);
      }
    },
  };
}
