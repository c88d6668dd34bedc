/**
 * The named checks across sections, run on the validated whole (config/validate.ts). Each module owns the
 * checks of its section in its own `config.ts`, typed by the part of the config it reads (model/config-check.ts);
 * this list only puts them together. No module imports this file.
 */
import { metricsCrossChecks } from '../metrics/config.js';
import type { CrossCheck } from '../model/config-check.js';
import { channelCrossChecks } from '../notify/config.js';
import { policyCrossChecks } from '../policy/config.js';
import { reportCrossChecks } from '../report/config.js';
import { routingCrossChecks, rulesCrossChecks } from '../rules/config.js';
import { sampleCrossChecks } from '../sample/config.js';
import { storeCrossChecks } from '../store/config.js';
import type { Config } from './schema.js';
import { fleetCrossChecks } from '../fleet/config.js';

export const crossChecks: readonly CrossCheck<Config>[] = [
  ...sampleCrossChecks,
  ...storeCrossChecks,
  ...metricsCrossChecks,
  ...policyCrossChecks,
  ...routingCrossChecks,
  ...channelCrossChecks,
  ...rulesCrossChecks,
  ...reportCrossChecks,
  ...fleetCrossChecks,
];
