/**
 * Worker thread entry (see daily-build.ts): builds and renders one daily report email on its own
 * read-only connection, so the agent's event loop keeps ticking while it reads days of history.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../store/store.js';
import { buildDailyReport, renderDailyEmail } from './index.js';
import type { DailyBuildRequest } from './daily-build.js';

const req = workerData as DailyBuildRequest;
try {
  const store = openStore(req.dbPath, { readonly: true });
  try {
    parentPort?.postMessage({ ok: true, payload: renderDailyEmail(buildDailyReport(store.reports, req)) });
  } finally {
    store.close();
  }
} catch (err) {
  parentPort?.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
}
