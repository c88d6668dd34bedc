import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import type { Log } from '../log.js';

/** Frames waiting in the WAL before a checkpoint is worth a worker: SQLite's own automatic threshold. */
export const CHECKPOINT_AFTER_FRAMES = 1000;

/**
 * WAL frames not yet copied into the database, from the wal-index header in the `-shm` file
 * (https://www.sqlite.org/walformat.html: mxFrame at byte 16, nBackfill at byte 96, native byte order).
 * Null when the file cannot be read (no WAL yet).
 */
export function pendingWalFrames(dbPath: string): number | null {
  let fd: number;
  try {
    fd = openSync(`${dbPath}-shm`, 'r');
  } catch {
    return null;
  }
  try {
    const b = Buffer.alloc(100);
    if (readSync(fd, b, 0, 100, 0) < 100) return null;
    const le = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    const u32 = (off: number) => (le ? b.readUInt32LE(off) : b.readUInt32BE(off));
    return Math.max(0, u32(16) - u32(96));
  } finally {
    closeSync(fd);
  }
}

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that crosses
 * 1000 pages and fsyncs the database: on a slow disk that blocks the agent's event loop for 100 ms and
 * more. The agent turns it off; every `everyMs` it reads how many frames wait in the WAL (a 100-byte read)
 * and, from CHECKPOINT_AFTER_FRAMES on, starts a worker thread with its own connection that checkpoints
 * once (PASSIVE: it never waits for the writer) and ends. A worker thread costs several MB and a few tens of
 * ms to start, so none lives between checkpoints. If a worker fails, automatic checkpoints come back on.
 */
export function startCheckpointer(
  db: Database,
  dbPath: string,
  log: Log,
  everyMs = 30_000,
  afterFrames = CHECKPOINT_AFTER_FRAMES,
): { stop(): Promise<void> } {
  const sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.sqlitePath);
    const db = new Database(workerData.dbPath);
    try {
      db.pragma('busy_timeout = 5000');
      db.pragma('cache_size = -256');
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch (err) {
      parentPort.postMessage({ error: String(err && err.message || err) });
    } finally {
      db.close();
    }
  `;
  db.pragma('wal_autocheckpoint = 0');
  let stopped = false;
  let failed = false;
  let running: Promise<void> | null = null;
  const fallback = (why: string) => {
    if (stopped || failed) return;
    failed = true;
    log.warn(`WAL checkpoints fall back to SQLite's automatic ones (${why})`);
    db.pragma('wal_autocheckpoint = 1000');
  };
  const checkpoint = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const worker = new Worker(code, {
        eval: true,
        workerData: { sqlitePath, dbPath },
        resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
      });
      worker.on('message', (m: { error?: string }) => m.error && log.warn(`background WAL checkpoint failed: ${m.error}`));
      worker.on('error', (err) => fallback(err.message));
      worker.once('exit', (code) => {
        if (code !== 0) fallback(`checkpoint worker exited with ${code}`);
        resolve();
      });
    });
  const timer = setInterval(() => {
    if (running || failed || stopped) return;
    const pending = pendingWalFrames(dbPath);
    if (pending === null || pending < afterFrames) return;
    running = checkpoint().finally(() => (running = null));
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
