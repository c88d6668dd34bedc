import { z } from 'zod';
import { agentSection } from './sections/agent.js';
import { sampleSection } from './sections/sample.js';
import { storeSection } from './sections/store.js';
import { kernelSection } from './sections/kernel.js';
import { alertingSection, type RuleConfig } from './sections/rules.js';
import { channelsSection } from './sections/channels.js';
import { policySection } from './sections/policy.js';
import { reportSection } from './sections/report.js';
import { metricsSection } from './sections/metrics.js';
import { fleetSection } from '../fleet/config-section.js';

/** The whole configuration. Each section lives in sections/<name>.ts, owned by its module. Unknown keys are errors. */
export const ConfigSchema = z
  .object({
    agent: agentSection,
    sample: sampleSection,
    store: storeSection,
    kernel: kernelSection,
    /** Shape and content checked by config/rule-list.ts, which merges it with the default rules by id. */
    rules: z.unknown().optional(),
    alerting: alertingSection,
    channels: channelsSection,
    policy: policySection,
    report: reportSection,
    metrics: metricsSection,
    fleet: fleetSection,
  })
  .strict();

/** The validated config; `rules` holds the effective rules (defaults merged with the config's by id). */
export type Config = Omit<z.output<typeof ConfigSchema>, 'rules'> & { rules: RuleConfig[] };
export type RawConfig = z.input<typeof ConfigSchema>;
