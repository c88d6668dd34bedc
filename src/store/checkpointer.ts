import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import type { Log } from '../log.js';

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that crosses
 * 1000 pages and fsyncs the database: on a slow disk that blocks the agent's event loop for 100 ms and
 * more. The agent turns it off and a worker thread with its own connection checkpoints (PASSIVE: it never
 * waits for the writer) every `everyMs`. If the worker dies, automatic checkpoints come back on.
 */
export function startCheckpointer(db: Database, dbPath: string, log: Log, everyMs = 30_000): { stop(): Promise<void> } {
  const sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.sqlitePath);
    const db = new Database(workerData.dbPath);
    db.pragma('busy_timeout = 5000');
    const timer = setInterval(() => {
      try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage({ error: String(err && err.message || err) }); }
    }, workerData.everyMs);
    parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); db.close(); parentPort.close(); } });
  `;
  db.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(code, { eval: true, workerData: { sqlitePath, dbPath, everyMs } });
  let stopped = false;
  const fallback = (why: string) => {
    if (stopped) return;
    log.warn(`WAL checkpoints fall back to SQLite's automatic ones (${why})`);
    db.pragma('wal_autocheckpoint = 1000');
  };
  worker.on('message', (m: { error?: string }) => m.error && log.warn(`background WAL checkpoint failed: ${m.error}`));
  worker.on('error', (err) => fallback(err.message));
  worker.on('exit', (code) => code !== 0 && fallback(`checkpoint worker exited with ${code}`));
  worker.unref();
  return {
    async stop() {
      stopped = true;
      worker.postMessage('stop');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => void worker.terminate().then(() => resolve()), 2000);
        worker.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    },
  };
}
