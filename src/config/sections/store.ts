import { z } from 'zod';
import { durationMs } from './common.js';

export const storeSection = z
  .object({
    /** SQLite database file; default: <agent.dataDir>/oomwatch.db, else /var/lib/oomwatch/oomwatch.db for root (see config/state-dir.ts). */
    path: z.string().min(1).optional(),
    /** How long samples, incidents and alerts are kept. */
    retention: durationMs('store.retention').default(14 * 86_400_000),
    /** Rows deleted per pruning batch (each batch is its own short transaction). */
    pruneBatchRows: z.number().int().min(100).max(100_000).default(5000),
  })
  .strict()
  .default({ retention: 14 * 86_400_000, pruneBatchRows: 5000 });
