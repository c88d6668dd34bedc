import type { Config } from './schema.js';

export interface CrossCheckContext {
  config: Config;
  errors: string[];
  warnings: string[];
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
];
