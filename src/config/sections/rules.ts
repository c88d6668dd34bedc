import { z } from 'zod';

// Owned by the rules module (issue: rules engine). Stub until then.
export const rulesSection = z.array(z.unknown()).default([]);
export const alertingSection = z.object({}).passthrough().default({});
