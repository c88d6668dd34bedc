/**
 * The metrics endpoint as an agent module: starts the server with the agent (when metrics.enabled),
 * feeds it every tick, stops it with the agent. Other modules push kills, alerts and queue depth
 * through `metrics` (see index.ts). Wiring: add `createMetricsModule(ctx)` to createAgentModules, and
 * hand its `.metrics` to the kernel, alerts and dispatcher modules.
 */
import type { AgentContext, AgentModule, TickContext } from '../agent/module.js';
import type { Config } from '../config/schema.js';
import { createMetrics, type Metrics } from './index.js';

export function createMetricsModule(ctx: Pick<AgentContext, 'config' | 'log' | 'clock'>): AgentModule & { metrics: Metrics; port(): number | null } {
  const metrics = createMetrics({ config: ctx.config, log: ctx.log, clock: ctx.clock });
  const log = ctx.log.child({ mod: 'metrics' });
  const started = JSON.stringify(ctx.config.metrics);
  let port: number | null = null;
  return {
    name: 'metrics',
    metrics,
    /** The bound port once started (metrics.listen may say 0), else null. */
    port: () => port,
    async start() {
      // A MetricsListenError (exit 78) stops the agent: an endpoint that was asked for and is silently absent would look like a dead host.
      port = (await metrics.server?.start())?.port ?? null;
    },
    onTick(tick: TickContext) {
      metrics.onTick(tick.snapshot, { durationMs: tick.durationMs, missed: tick.missedTicks });
    },
    reload(config: Config) {
      // The listening socket and the registry's top-N are fixed at start; rebinding live could lose scrapes silently.
      if (JSON.stringify(config.metrics) !== started) {
        log.warn('metrics: the changed metrics section takes effect at the next restart (systemctl restart oomwatch)');
      }
    },
    async stop() {
      await metrics.server?.stop();
      port = null;
    },
  };
}
