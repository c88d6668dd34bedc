import { z } from 'zod';

// Owned by the metrics module. Stub until then.
export const metricsSection = z.object({}).passthrough().default({});
