/**
 * The backup procedure in docs/operate.md, run for real against a live WAL database: `sqlite3 .backup`
 * and `VACUUM INTO` capture commits still in the -wal file; copying the .db file alone does not.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/db.js';

const hasSqlite3 = spawnSync('sqlite3', ['-version']).status === 0;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function liveStore() {
  const dir = mkdtempSync(join(tmpdir(), 'oomwatch-backup-'));
  dirs.push(dir);
  const path = join(dir, 'oomwatch.db');
  const db = openDatabase(path);
  // The schema goes to the main file; then automatic checkpoints stop, so the row below stays only in
  // the -wal file, as recent commits do between checkpoints on a running agent.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('wal_autocheckpoint = 0');
  db.prepare('INSERT INTO agent_event (ts_ms, kind, message) VALUES (?, ?, ?)').run(1, 'test', 'only in the WAL');
  return { dir, path, db };
}

const events = (path: string) => {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return {
      rows: db.prepare("SELECT message FROM agent_event WHERE kind = 'test'").all(),
      integrity: db.pragma('integrity_check', { simple: true }),
    };
  } finally {
    db.close();
  }
};

describe('backing up a running agent’s database (docs/operate.md)', () => {
  it('VACUUM INTO from a second connection captures everything committed', () => {
    const { dir, path, db } = liveStore();
    try {
      const out = join(dir, 'vacuum-into.db');
      const reader = new BetterSqlite3(path);
      reader.prepare('VACUUM INTO ?').run(out);
      reader.close();
      expect(events(out)).toEqual({ rows: [{ message: 'only in the WAL' }], integrity: 'ok' });
    } finally {
      db.close();
    }
  });

  it.skipIf(!hasSqlite3)(
    'sqlite3 .backup captures it too, while copying the .db file alone loses it (skipped only without the sqlite3 CLI)',
    () => {
      const { dir, path, db } = liveStore();
      try {
        const out = join(dir, 'backup.db');
        const r = spawnSync('sqlite3', [path, `.backup '${out}'`], { encoding: 'utf8' });
        expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
        expect(events(out)).toEqual({ rows: [{ message: 'only in the WAL' }], integrity: 'ok' });
        const naive = join(dir, 'naive-copy.db');
        copyFileSync(path, naive);
        expect(readFileSync(naive).length).toBeGreaterThan(0);
        expect(events(naive).rows).toEqual([]);
      } finally {
        db.close();
      }
    },
  );
});
