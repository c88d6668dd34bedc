import { z } from 'zod';

// Durations and sizes live in a leaf (util/schema-helpers.ts) that rule kinds import too; re-exported for the sections.
export { durationMs, sizeBytes } from '../../util/schema-helpers.js';

/** A secret: inline, from a file (`*_file`), or from an environment variable. Resolved by config/secrets.ts. */
export const secretRef = z.union([
  z.string(),
  z.object({ file: z.string() }).strict(),
  z.object({ env: z.string() }).strict(),
]);
export type SecretRef = z.infer<typeof secretRef>;
