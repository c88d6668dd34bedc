import { z } from 'zod';
import { durationMs } from './common.js';

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
