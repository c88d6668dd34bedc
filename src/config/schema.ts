import { z } from 'zod';
import { agentSection } from '../agent/config.js';
import { kernelSection } from '../kernel/config.js';
import { metricsSection } from '../metrics/config.js';
import { channelsSection } from '../notify/config.js';
import { policySection } from '../policy/config.js';
import { reportSection } from '../report/config.js';
import { alertingSection, type RuleConfig } from '../rules/config.js';
import { sampleSection } from '../sample/config.js';
import { storeSection } from '../store/config.js';
import { workloadSection } from '../workload/config.js';
import { killersSection } from '../killers/config.js';
import { fleetSection } from '../fleet/config.js';

/**
 * The whole configuration, composed of the sections each module owns in its `config.ts` (schema, type and
 * cross-checks). Unknown keys are errors.
 */
export const ConfigSchema = z
  .object({
    agent: agentSection,
    sample: sampleSection,
    store: storeSection,
    kernel: kernelSection,
    killers: killersSection,
    /** Shape and content checked by config/rule-list.ts, which merges it with the default rules by id. */
    rules: z.unknown().optional(),
    alerting: alertingSection,
    channels: channelsSection,
    policy: policySection,
    report: reportSection,
    metrics: metricsSection,
    workload: workloadSection,
    fleet: fleetSection,
  })
  .strict();

/** The validated config; `rules` holds the effective rules (defaults merged with the config's by id). */
export type Config = Omit<z.output<typeof ConfigSchema>, 'rules'> & { rules: RuleConfig[] };
export type RawConfig = z.input<typeof ConfigSchema>;
