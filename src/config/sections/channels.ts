import { z } from 'zod';

// Owned by the notify module. Stub until then.
export const channelsSection = z.record(z.string(), z.unknown()).default({});
