import type { Config } from './schema.js';
import { isLoopbackHost } from '../util/net.js';
import { policyCrossChecks } from '../policy/config-checks.js';
import { channelCrossChecks } from '../notify/config-checks.js';
import { rulesCrossChecks } from '../rules/config-checks.js';
import { reportCrossChecks } from '../report/config-checks.js';
import { fleetCrossChecks } from '../fleet/config-checks.js';
import type { RuleSource } from './rule-list.js';

export interface CrossCheckContext {
  config: Config;
  errors: string[];
  warnings: string[];
  /** Where each of config.rules came from (same order), so a message can name the entry in the file. */
  ruleSources: readonly RuleSource[];
}

/** How a message names config.rules[i]: the entry's dot-path in the file, or the default rule's id. */
export function ruleWhere(ctx: Pick<CrossCheckContext, 'config' | 'ruleSources'>, i: number): string {
  const id = ctx.config.rules[i].id;
  const path = ctx.ruleSources[i]?.path;
  return path ? `${path} (rule ${JSON.stringify(id)})` : `rules (default rule ${JSON.stringify(id)})`;
}
export type CrossCheck = (ctx: CrossCheckContext) => void;

/** Named checks across sections. Modules add theirs here. */
export const crossChecks: CrossCheck[] = [
  function keyframeAfterInterval({ config, errors }) {
    if (config.sample.keyframeEvery < config.sample.interval) {
      errors.push(
        `sample.keyframeEvery: ${config.sample.keyframeEvery} ms is shorter than sample.interval (${config.sample.interval} ms). ` +
          'Set it to a multiple of the interval, e.g. 5m.',
      );
    }
  },
  function retentionLongerThanKeyframe({ config, errors }) {
    if (config.store.retention < 3_600_000) {
      errors.push('store.retention: keep at least 1h of history, or reports cannot reconstruct anything. Set e.g. 14d.');
    }
  },
  function metricsListenBeyondLoopback({ config, warnings }) {
    const { enabled, listen } = config.metrics;
    if (enabled && !isLoopbackHost(listen.host)) {
      warnings.push(
        `metrics.listen: ${listen.host}:${listen.port} accepts connections from other hosts; /metrics names processes and units. ` +
          'Restrict it with a firewall or a TLS reverse proxy, or listen on 127.0.0.1.',
      );
    }
  },
  ...policyCrossChecks,
  ...channelCrossChecks,
  ...rulesCrossChecks,
  ...reportCrossChecks,
  ...fleetCrossChecks,
];
