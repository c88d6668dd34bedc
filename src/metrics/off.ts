/**
 * The metrics module when metrics.enabled is false: the agent then loads neither prom-client nor the
 * registry (module.ts). Like the real module, it says that a changed metrics section waits for a restart.
 */
import type { AgentContext, AgentModule } from '../agent/module.js';
import type { MetricsConfig } from './config.js';

export const METRICS_RESTART_HINT = 'metrics: the changed metrics section takes effect at the next restart (systemctl restart oomwatch)';

export function metricsOffModule(ctx: Pick<AgentContext, 'config' | 'log'>): AgentModule {
  const started = JSON.stringify(ctx.config.metrics);
  const log = ctx.log.child({ mod: 'metrics' });
  return {
    name: 'metrics',
    reload(config: { metrics: MetricsConfig }) {
      if (JSON.stringify(config.metrics) !== started) log.warn(METRICS_RESTART_HINT);
    },
  };
}
