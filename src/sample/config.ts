import { z } from 'zod';
import type { CrossCheck } from '../model/config-check.js';
import { durationMs } from '../util/schema-helpers.js';

/** `sample:` — how often and from where the sampler reads /proc and cgroupfs, and what it stores (config/oomwatch.example.yaml, docs/sampling.md). */
export const sampleSection = z
  .object({
    /** Time between ticks. */
    interval: durationMs('sample.interval').default(10_000),
    /** Root of procfs (point it at a fixture tree for tests). */
    procRoot: z.string().default('/proc'),
    /** Root of the cgroup filesystem(s). */
    cgroupRoot: z.string().default('/sys/fs/cgroup'),
    /** A full row for every process is stored this often; between keyframes only changes are stored. */
    keyframeEvery: durationMs('sample.keyframeEvery').default(300_000),
    /** RSS/swap changes smaller than this fraction (and than 1 MiB) are not stored between keyframes. */
    deadBandFraction: z.number().min(0).max(1).default(0.02),
  })
  .strict()
  .default({ interval: 10_000, procRoot: '/proc', cgroupRoot: '/sys/fs/cgroup', keyframeEvery: 300_000, deadBandFraction: 0.02 });

export type SampleConfig = z.output<typeof sampleSection>;

/** Cross-checks of `sample:` (run by config/cross-checks.ts). */
export const sampleCrossChecks: CrossCheck<{ sample: SampleConfig }>[] = [
  function keyframeAfterInterval({ config, errors }) {
    if (config.sample.keyframeEvery < config.sample.interval) {
      errors.push(
        `sample.keyframeEvery: ${config.sample.keyframeEvery} ms is shorter than sample.interval (${config.sample.interval} ms). ` +
          'Set it to a multiple of the interval, e.g. 5m.',
      );
    }
  },
];
