/**
 * The metric names the agent exports, as a scrape sees them (histograms with their _bucket, _sum and _count),
 * so a test can check that every name a rule or a dashboard query uses still exists.
 */
import { validateConfig } from '../../src/config/validate.js';
import { silentLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/index.js';
import { snapshotWith } from '../metrics/snapshot-factory.js';

/** The exposition of an agent with the default config after one tick of 20 processes, a kill, an alert and a failing channel. */
export async function exampleExposition(): Promise<string> {
  const r = validateConfig({});
  if (!r.ok) throw new Error(r.errors.join('\n'));
  const metrics = createMetrics({ config: r.config, log: silentLogger() });
  metrics.onTick(snapshotWith(20), { durationMs: 10, missed: 1 });
  metrics.onIncident({ constraint: 'memcg', source: 'kmsg' });
  metrics.setAlerts([{ ruleId: 'r', severity: 'warning' }]);
  metrics.setChannels([{ channel: 'c', pending: 1, state: 'failing', consecutiveFailures: 2, sentTotal: 3, failedTotal: 1 }]);
  return metrics.render();
}

export async function exportedMetricNames(): Promise<Set<string>> {
  const text = await exampleExposition();
  return new Set([...text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{| )/gm)].map((m) => m[1]));
}

/** Names in a PromQL expression that look like oomwatch metrics (and `up`, which Prometheus adds per target). */
export function metricNamesIn(expr: string): string[] {
  return [...new Set([...expr.matchAll(/\b(oomwatch_[a-z0-9_]+|up)\b(?!\s*\()/g)].map((m) => m[1]))];
}
