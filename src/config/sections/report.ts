import { z } from 'zod';

// Owned by the report module. Stub until then.
export const reportSection = z.object({}).passthrough().default({});
