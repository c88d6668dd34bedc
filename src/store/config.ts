import { z } from 'zod';
import type { CrossCheck } from '../model/config-check.js';
import { durationMs } from '../util/schema-helpers.js';

/** `store:` — where the SQLite database lives and how long it keeps history (config/oomwatch.example.yaml, docs/operate.md). */
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

export type StoreConfig = z.output<typeof storeSection>;

/** Cross-checks of `store:` (run by config/cross-checks.ts). */
export const storeCrossChecks: CrossCheck<{ store: StoreConfig }>[] = [
  function retentionLongerThanKeyframe({ config, errors }) {
    if (config.store.retention < 3_600_000) {
      errors.push('store.retention: keep at least 1h of history, or reports cannot reconstruct anything. Set e.g. 14d.');
    }
  },
];
