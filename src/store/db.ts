import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { StoreError } from '../errors.js';
import { migrate } from './migrate.js';

export type { Database };

export interface OpenOptions {
  /** Open read-only (reports, CLI queries): no migrations, no writes. */
  readonly?: boolean;
  busyTimeoutMs?: number;
}

/** Virtual filesystems hold no files of ours (and mkdir -p under /proc never returns on some Node versions). */
export const onVirtualFs = (path: string): boolean => /^\/(proc|sys)(\/|$)/.test(resolve(path));
export const VIRTUAL_FS_FIX = '/proc and /sys are virtual filesystems. Choose a real folder for --db / store.path (e.g. /var/lib/oomwatch/oomwatch.db).';

/**
 * Opens the SQLite store: WAL, synchronous=NORMAL, busy_timeout, foreign keys, then migrations.
 * Errors become StoreErrors whose message names the fix.
 */
export function openStore(path: string, opts: OpenOptions = {}): Database {
  let db: Database;
  if (path !== ':memory:' && onVirtualFs(path)) throw new StoreError(`Cannot open the database ${path}: ${VIRTUAL_FS_FIX}`);
  try {
    if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true });
    db = new BetterSqlite3(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw storeErrorFrom(err, path, 'open');
  }
  try {
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    // Opening is lazy: read the schema now, so a file that is not a database fails here, with the fix.
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    }
  } catch (err) {
    db.close();
    if (err instanceof Error && 'code' in err && typeof (err as { code: unknown }).code === 'string' && (err as { code: string }).code.startsWith('SQLITE')) {
      throw storeErrorFrom(err, path, 'open');
    }
    throw err;
  }
  return db;
}

/**
 * Memory settings for the agent's long-lived connection (the CLI keeps SQLite's defaults). The agent
 * appends a tick at a time and reads back little: a hot set of a few hundred pages (the right edge of the
 * sample and tick b-trees, their indexes, the identity lookups). better-sqlite3 builds SQLite with a 16 MB
 * page cache per connection, which the start-up trend refill and the hourly prune would fill and keep;
 * 2 MiB holds the hot set, and a page that falls out is read back from the OS page cache. No mmap: mapped
 * database pages would count in the agent's resident memory, and reads of a few pages gain nothing from it.
 */
export function applyAgentMemoryPragmas(db: Database): void {
  db.pragma('cache_size = -2048');
  db.pragma('mmap_size = 0');
}

/** Maps SQLite and fs errors to a StoreError that says what to do. */
export function storeErrorFrom(err: unknown, path: string, action: string): StoreError {
  const code = (err as { code?: string }).code ?? '';
  const fixes: Record<string, string> = {
    SQLITE_FULL: 'The disk holding the database is full. Free space or move store.path to a larger disk; nothing already recorded is lost.',
    SQLITE_READONLY: 'The database is read-only. Check file and folder permissions, or that the filesystem is not mounted read-only.',
    SQLITE_CANTOPEN: 'The database file cannot be opened. Check that its folder exists and is writable by this user, or pass another --db.',
    SQLITE_BUSY: 'The database stayed locked by another process. Check for a stuck oomwatch process or a backup holding a lock.',
    SQLITE_CORRUPT: 'The database file is corrupt. Move it aside (keep it for forensics) and start again with a new file.',
    SQLITE_NOTADB: 'The file is not an SQLite database. Point --db / store.path at an oomwatch database file.',
    SQLITE_IOERR: 'An I/O error hit the database file. Check the disk (dmesg) and free space.',
    EACCES: 'Permission denied. Run as a user that can write there, or choose another --db / store.path.',
    ENOENT: 'The database does not exist yet. Run the agent (oomwatch run) first, or pass the right --db.',
    EROFS: 'The filesystem is read-only. Choose a writable --db / store.path.',
    ENOTDIR: 'Part of the path is a file, not a folder. Choose another --db / store.path.',
    ENOSPC: 'The disk is full. Free space or move store.path to a larger disk; nothing already recorded is lost.',
  };
  const key = Object.keys(fixes).find((k) => code === k || code.startsWith(`${k}_`)) ?? '';
  const msg = err instanceof Error ? err.message : String(err);
  return new StoreError(
    `Cannot ${action} the database ${path}: ${msg}. ${fixes[key] ?? 'Check the path (--db or store.path), its permissions and free disk space.'}`,
    { cause: err },
  );
}
