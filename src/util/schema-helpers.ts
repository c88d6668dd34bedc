/**
 * Schema pieces shared by config sections and rule kinds: durations and sizes written as text, normalised
 * to milliseconds and bytes. A leaf: it imports only zod and util/, so rules/kinds/* can build their
 * schemas without importing config/ (which composes them).
 */
import { z } from 'zod';
import { parseDurationMs } from './duration.js';

/** A duration written as text (`10s`, `5m`, `14d`), normalised to milliseconds. */
// `what` names the key for readers of the schema; the message gets the key's full path from the validator.
// `minMs` refuses values that would break the feature (a zero timeout aborts every request).
export const durationMs = (what: string, opts: { minMs?: number } = {}) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const ms = typeof v === 'number' ? (Number.isFinite(v) && v >= 0 ? v * 1000 : null) : parseDurationMs(v); // bare numbers are seconds
    if (ms === null) {
      const message =
        typeof v === 'number'
          ? `a duration cannot be negative, got ${v}`
          : `expected a duration such as 10s, 5m, 2h or 14d, got ${JSON.stringify(v)}`;
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    if (opts.minMs !== undefined && ms < opts.minMs) {
      ctx.addIssue({
        code: 'custom',
        message: `must be at least ${opts.minMs >= 1000 ? `${opts.minMs / 1000}s` : `${opts.minMs}ms`}, got ${JSON.stringify(v)}`,
      });
      return z.NEVER;
    }
    return ms;
  });

/** A size written as text (`512MiB`, `2G`, `1048576`), normalised to bytes. */
export const sizeBytes = (_what: string) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    if (typeof v === 'number') {
      if (Number.isFinite(v) && v >= 0) return v;
      ctx.addIssue({ code: 'custom', message: `a size cannot be negative, got ${v}` });
      return z.NEVER;
    }
    const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?\s*$/i.exec(v);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `expected a size such as 512MiB or 2GiB, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    const unit = (m[2] ?? 'b').toLowerCase()[0];
    const mult = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[unit] ?? 1;
    return Math.round(Number(m[1]) * mult);
  });
