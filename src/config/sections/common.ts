import { z } from 'zod';
import { parseDurationMs } from '../../util/duration.js';

/** A duration written as text (`10s`, `5m`, `14d`), normalised to milliseconds. */
// `what` names the key for readers of the schema; the message gets the key's full path from the validator.
export const durationMs = (what: string) =>
  z
    .union([z.string(), z.number()])
    .transform((v, ctx) => {
      if (typeof v === 'number') return v * 1000; // bare numbers are seconds
      const ms = parseDurationMs(v);
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: `expected a duration such as 10s, 5m, 2h or 14d, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return ms;
    });

/** A size written as text (`512MiB`, `2G`, `1048576`), normalised to bytes. */
export const sizeBytes = (what: string) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    if (typeof v === 'number') return v;
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?\s*$/i.exec(v);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `expected a size such as 512MiB or 2GiB, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    const unit = (m[2] ?? 'b').toLowerCase()[0];
    const mult = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[unit] ?? 1;
    return Math.round(Number(m[1]) * mult);
  });

/** A secret: inline, from a file (`*_file`), or from an environment variable. Resolved by config/secrets.ts. */
export const secretRef = z.union([
  z.string(),
  z.object({ file: z.string() }).strict(),
  z.object({ env: z.string() }).strict(),
]);
export type SecretRef = z.infer<typeof secretRef>;
