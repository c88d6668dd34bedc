import { z } from 'zod';

// Owned by the policy module. Stub until then.
export const policySection = z.object({}).passthrough().default({});
