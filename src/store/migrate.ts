import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { MigrationChangedError } from '../errors.js';
import { packageRoot } from '../util/package-root.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  sha256: string;
}

/** Reads migrations/NNNN_name.sql in version order. */
export function readMigrations(dir = join(packageRoot(), 'migrations')): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(join(dir, f), 'utf8');
      return { version: Number(f.slice(0, 4)), name: f, sql, sha256: createHash('sha256').update(sql).digest('hex') };
    });
}

/** Applies pending migrations, each in its own transaction; refuses a database whose applied migration changed. */
export function migrate(db: Database, migrations = readMigrations()): { applied: string[] } {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migration (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)`);
  const rows = db.prepare('SELECT version, name, sha256 FROM schema_migration').all() as {
    version: number;
    name: string;
    sha256: string;
  }[];
  const byVersion = new Map(rows.map((r) => [r.version, r]));
  const record = db.prepare('INSERT INTO schema_migration (version, name, sha256, applied_at_ms) VALUES (?, ?, ?, ?)');
  const applied: string[] = [];
  for (const m of migrations) {
    const prev = byVersion.get(m.version);
    if (prev) {
      if (prev.sha256 !== m.sha256) throw new MigrationChangedError(m.name);
      continue;
    }
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, m.sha256, Date.now());
    })();
    applied.push(m.name);
  }
  return { applied };
}
