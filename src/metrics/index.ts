/**
 * Public entry of the metrics module. The agent uses it through module.ts (createMetricsModule), which
 * feeds it from each tick and pulls kills, alerts and channel state from the database before each scrape.
 */
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Log } from '../log.js';
import type { HostSnapshot } from '../model/snapshot.js';
import type { SampleConfig } from '../sample/config.js';
import { packageVersion } from '../util/package-root.js';
import type { MetricsConfig } from './config.js';
import { createOomwatchRegistry, type ChannelView, type FiringAlert, type IncidentInfo, type TickInfo } from './registry.js';
import { createMetricsServer, type HealthView, type MetricsServer } from './server.js';

export type { ChannelView, FiringAlert, IncidentInfo, TickInfo } from './registry.js';
export { MetricsListenError, type HealthView, type MetricsServer } from './server.js';

export interface Metrics {
  /** Null when metrics.enabled is false: the agent then skips start/stop, and the update calls are cheap no-ops on a private registry. */
  server: MetricsServer | null;
  /** After each sampling tick. */
  onTick(snapshot: HostSnapshot, tick: TickInfo): void;
  /** For each OOM kill recorded (from kmsg or from counters). */
  onIncident(incident: IncidentInfo): void;
  /** After each rules evaluation: every alert instance now firing (replaces the previous set). */
  setAlerts(firing: readonly FiringAlert[]): void;
  /** Every channel's delivery state (replaces the previous set): outbox depth, failures in a row, state, totals. */
  setChannels(channels: readonly ChannelView[]): void;
  /** The exposition text, as a scrape would see it (for `oomwatch doctor` or tests). */
  render(): Promise<string>;
}

/**
 * Builds the metrics for one agent.
 * @example
 * const metrics = createMetrics({ config, log });
 * if (metrics.server) await metrics.server.start();   // after the store opens
 * metrics.onTick(snapshot, { durationMs, missed: 0 }); // after every tick
 * await metrics.server?.stop();                        // on shutdown
 */
export function createMetrics(deps: {
  config: { metrics: MetricsConfig; sample: Pick<SampleConfig, 'interval'> };
  log: Log;
  clock?: Clock;
  version?: string;
  beforeScrape?: () => void;
}): Metrics {
  const clock = deps.clock ?? systemClock;
  const log = deps.log.child({ mod: 'metrics' });
  const m = createOomwatchRegistry({
    build: { version: deps.version ?? packageVersion(), node: process.versions.node },
    topN: deps.config.metrics.topN,
  });
  // Stale after three missed intervals (at least 30 s), so one slow tick does not flap /healthz.
  const staleAfterMs = Math.max(30_000, 3 * deps.config.sample.interval);
  let lastTickMonoMs: number | null = null;

  const health = (): HealthView => {
    if (lastTickMonoMs === null) return { status: 'starting', lastTickAgeMs: null };
    const age = clock.monotonicMs() - lastTickMonoMs;
    return { status: age > staleAfterMs ? 'stale' : 'ok', lastTickAgeMs: age };
  };

  return {
    server: deps.config.metrics.enabled
      ? createMetricsServer({ listen: deps.config.metrics.listen, registry: m.registry, health, log, beforeScrape: deps.beforeScrape })
      : null,
    onTick(snapshot, tick) {
      lastTickMonoMs = clock.monotonicMs();
      m.onTick(snapshot, tick, clock.nowMs());
    },
    onIncident: m.onIncident,
    setAlerts: m.setAlerts,
    setChannels: m.setChannels,
    render: () => {
      deps.beforeScrape?.();
      return m.registry.metrics();
    },
  };
}
