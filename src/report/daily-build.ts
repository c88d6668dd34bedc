/**
 * Where the daily report email is built. Reading a day (or, after downtime, a week) of history takes
 * 0.4 s to several seconds of CPU; inside the agent that would stall ticks and alerts, so the agent
 * builds it in a worker thread with its own read-only connection (WAL lets it read while the agent
 * writes). In this thread only where a worker cannot run (an in-memory database, no compiled worker).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Log } from '../log.js';
import type { ReportPayload } from '../model/notification.js';
import type { ReportQueries } from '../store/report-queries.js';
import { packageRoot } from '../util/package-root.js';
import { buildDailyReport, renderDailyEmail } from './index.js';

export interface DailyBuildRequest {
  dbPath: string;
  fromMs: number;
  toMs: number;
  host: string;
  timeZone: string;
  topN: number;
}

export type DailyPayloadBuilder = (req: DailyBuildRequest) => Promise<ReportPayload>;

/** Builds in the calling thread on the given store's connection. */
export const buildInThread =
  (reports: Pick<ReportQueries, 'dailyInput'>): DailyPayloadBuilder =>
  async (req) =>
    renderDailyEmail(buildDailyReport(reports, req));

/** The compiled worker entry: beside this file when running from dist/, else under dist/ (tests run the sources). */
export function workerEntry(): string | null {
  const beside = fileURLToPath(new URL('./daily-worker-main.js', import.meta.url));
  if (existsSync(beside)) return beside;
  const built = join(packageRoot(), 'dist', 'src', 'report', 'daily-worker-main.js');
  return existsSync(built) ? built : null;
}

/** Builds in a worker thread; rejects with the worker's error, or after `timeoutMs`. */
export function buildInWorker(req: DailyBuildRequest, opts: { entry?: string; timeoutMs?: number } = {}): Promise<ReportPayload> {
  const entry = opts.entry ?? workerEntry();
  if (!entry) return Promise.reject(new Error('the compiled report worker is missing (run npm run build)'));
  return new Promise((resolve, reject) => {
    const worker = new Worker(entry, { workerData: req });
    let settled = false;
    const done = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(
      () => done(() => void worker.terminate().then(() => reject(new Error(`the daily report took over ${opts.timeoutMs ?? 300_000} ms`)))),
      opts.timeoutMs ?? 300_000,
    );
    worker.once('message', (m: { ok: true; payload: ReportPayload } | { ok: false; error: string }) =>
      done(() => (m.ok ? resolve(m.payload) : reject(new Error(m.error)))),
    );
    worker.once('error', (err) => done(() => reject(err)));
    worker.once('exit', (code) => done(() => reject(new Error(`the report worker exited with code ${code} before answering`))));
  });
}

/** The agent's builder: a worker when one can run, else (or when the worker fails) this thread. */
export function agentBuilder(reports: Pick<ReportQueries, 'dailyInput'>, dbPath: string, log?: Log): DailyPayloadBuilder {
  const here = buildInThread(reports);
  const entry = dbPath === ':memory:' ? null : workerEntry();
  if (!entry) return here;
  return async (req) => {
    try {
      return await buildInWorker(req, { entry });
    } catch (err) {
      log?.warn(
        { err },
        `The daily report could not be built in a worker thread (${(err as Error).message}); building it on the main thread`,
      );
      return here(req);
    }
  };
}
