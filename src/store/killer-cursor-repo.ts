/** Where each user-space killer log reader resumes (migration 0011): a journal cursor, or a syslog file's inode:offset. */
import type { Database } from 'better-sqlite3';

export function createKillerCursorRepo(db: Database) {
  const get = db.prepare('SELECT cursor FROM killer_cursor WHERE source = ?');
  const put = db.prepare(`INSERT INTO killer_cursor (source, cursor, updated_ms) VALUES (?, ?, ?)
    ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_ms = excluded.updated_ms`);
  return {
    get(source: string): string | null {
      return (get.get(source) as { cursor: string } | undefined)?.cursor ?? null;
    },
    save(source: string, cursor: string, nowMs: number): void {
      put.run(source, cursor, nowMs);
    },
  };
}

export type KillerCursorRepo = ReturnType<typeof createKillerCursorRepo>;
