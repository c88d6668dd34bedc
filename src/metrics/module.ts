/**
 * The metrics endpoint as an agent module: starts the server with the agent (when metrics.enabled),
 * feeds it every tick, and pulls kills, firing alerts and the outbox from the database (store-feed.ts),
 * so no other module needs metrics wiring. Wiring: add `createMetricsModule(ctx)` to createAgentModules,
 * after the kernel, alerts and delivery modules (its tick then sees their writes of the same tick).
 */
import type { AgentContext, AgentModule, TickContext } from '../agent/module.js';
import type { MetricsConfig } from './config.js';
import { createMetrics, type Metrics } from './index.js';
import { METRICS_RESTART_HINT } from './off.js';
import { createStoreFeed, type StoreFeed } from './store-feed.js';

export function createMetricsModule(
  ctx: Pick<AgentContext, 'config' | 'log' | 'clock' | 'store'>,
): AgentModule & { metrics: Metrics; port(): number | null } {
  const log = ctx.log.child({ mod: 'metrics' });
  const started = JSON.stringify(ctx.config.metrics);
  const channels = Object.keys(ctx.config.channels);
  let feed: StoreFeed | null = null;
  let port: number | null = null;

  const pull = () => {
    if (!feed || !ctx.store.isOpen) return;
    for (const incident of feed.newIncidents()) metrics.onIncident(incident);
    metrics.setAlerts(feed.firingAlerts());
    metrics.setChannels(feed.channels(channels));
  };
  const metrics = createMetrics({ config: ctx.config, log: ctx.log, clock: ctx.clock, beforeScrape: pull });

  return {
    name: 'metrics',
    metrics,
    /** The bound port once started (metrics.listen may say port 0), else null. */
    port: () => port,
    async start() {
      // Counts incidents recorded from now on; earlier ones are history (oomwatch incidents), not this run's rate.
      feed = createStoreFeed(ctx.store);
      // A MetricsListenError (exit 78) stops the agent: an endpoint that was asked for and is silently absent would look like a dead host.
      port = (await metrics.server?.start())?.port ?? null;
    },
    onTick(tick: TickContext) {
      if (!metrics.server) return; // metrics.enabled: false — nothing reads them
      metrics.onTick(tick.snapshot, { durationMs: tick.durationMs, missed: tick.missedTicks });
      try {
        pull();
      } catch (err) {
        log.warn({ err }, 'metrics: could not read alerts, outbox or incidents from the database');
      }
    },
    reload(config: { metrics: MetricsConfig }) {
      // The listening socket and the top-N are fixed at start; rebinding live could lose scrapes silently.
      if (JSON.stringify(config.metrics) !== started) {
        log.warn(METRICS_RESTART_HINT);
      }
    },
    async stop() {
      await metrics.server?.stop();
      port = null;
      feed = null;
    },
  };
}
