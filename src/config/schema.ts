import { z } from 'zod';
import { agentSection } from './sections/agent.js';
import { sampleSection } from './sections/sample.js';
import { storeSection } from './sections/store.js';
import { kernelSection } from './sections/kernel.js';
import { rulesSection, alertingSection } from './sections/rules.js';
import { channelsSection } from './sections/channels.js';
import { policySection } from './sections/policy.js';
import { reportSection } from './sections/report.js';
import { metricsSection } from './sections/metrics.js';

/** The whole configuration. Each section lives in sections/<name>.ts, owned by its module. Unknown keys are errors. */
export const ConfigSchema = z
  .object({
    agent: agentSection,
    sample: sampleSection,
    store: storeSection,
    kernel: kernelSection,
    rules: rulesSection,
    alerting: alertingSection,
    channels: channelsSection,
    policy: policySection,
    report: reportSection,
    metrics: metricsSection,
  })
  .strict();

export type Config = z.output<typeof ConfigSchema>;
export type RawConfig = z.input<typeof ConfigSchema>;
