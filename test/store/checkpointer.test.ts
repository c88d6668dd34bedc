import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { pendingWalFrames, startCheckpointer } from '../../src/store/checkpointer.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { makeTempDir } from '../helpers/tmp.js';

let t: ReturnType<typeof makeTempDir>;
let db: Database;
let path: string;
beforeEach(() => {
  t = makeTempDir();
  path = join(t.dir, 'c.db');
  db = openDatabase(path);
  db.exec('CREATE TABLE filler (v BLOB)');
});
afterEach(() => {
  if (db.open) db.close();
  t.cleanup();
});

const fill = (rows: number) => {
  const ins = db.prepare('INSERT INTO filler (v) VALUES (randomblob(3000))');
  for (let i = 0; i < rows; i++) ins.run();
};

describe('WAL checkpoints', () => {
  it('reads the frames waiting in the WAL from the wal-index', () => {
    db.pragma('wal_autocheckpoint = 0');
    db.pragma('wal_checkpoint(TRUNCATE)');
    expect(pendingWalFrames(path)).toBe(0);
    fill(50);
    const [{ log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number; checkpointed: number }[];
    expect(log).toBeGreaterThanOrEqual(50);
    expect(checkpointed).toBe(log);
    expect(pendingWalFrames(path)).toBe(0);
    fill(20);
    // Appended after the checkpointed frames (no writer reset the log yet), or from the start once it was.
    const pending = pendingWalFrames(path)!;
    expect(pending).toBeGreaterThanOrEqual(20);
    expect(pending).toBeLessThan(log + 40);
    expect(pendingWalFrames(join(t.dir, 'none.db'))).toBeNull();
  });

  it('checkpoints in a worker once enough frames wait, and stops cleanly', async () => {
    const cp = startCheckpointer(db, path, silentLogger(), 10, 30);
    try {
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      fill(100);
      expect(pendingWalFrames(path)).toBeGreaterThanOrEqual(100);
      await vi.waitFor(() => expect(pendingWalFrames(path)).toBe(0), { timeout: 20_000, interval: 20 });
    } finally {
      await cp.stop();
    }
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
  });
});
