import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { OomwatchError, StoreError, UntrustedStoreError } from '../errors.js';
import { migrate } from './migrate.js';
import { fileIdentityAt, prepareStoreFile, sameFile, type FileIdentity, type PreparedStoreFile } from './store-file.js';

export type { Database };

export interface OpenOptions {
  /** Open read-only (reports, CLI queries): no migrations, no writes. */
  readonly?: boolean;
  busyTimeoutMs?: number;
  /** The user whose files are trusted besides root's (default: this process's uid). */
  uid?: number;
}

/** Virtual filesystems hold no files of ours (and mkdir -p under /proc never returns on some Node versions). */
export const onVirtualFs = (path: string): boolean => /^\/(proc|sys)(\/|$)/.test(resolve(path));
export const VIRTUAL_FS_FIX =
  '/proc and /sys are virtual filesystems. Choose a real folder for --db / store.path (e.g. /var/lib/oomwatch/oomwatch.db).';

/** The file each open database was opened from, so the agent can notice it being deleted or replaced. */
const openedFiles = new WeakMap<Database, { sqlitePath: string; identity: FileIdentity }>();

/**
 * Opens the SQLite database: WAL, synchronous=NORMAL, busy_timeout, foreign keys, then migrations. The rest
 * of oomwatch opens it through openStore (store.ts), which wraps it in the Store's repositories.
 * Before SQLite sees the path, store-file.ts checks who owns it and everything above it (refusing a planted
 * or symlinked database with an UntrustedStoreError) and creates a new database 0600 in 0700 folders.
 * Errors become StoreErrors whose message names the fix.
 */
export function openDatabase(path: string, opts: OpenOptions = {}): Database {
  if (path === ':memory:') return configure(new BetterSqlite3(':memory:'), path, opts);
  if (onVirtualFs(path)) throw new StoreError(`Cannot open the database ${path}: ${VIRTUAL_FS_FIX}`);
  const readonly = opts.readonly ?? false;
  let file: PreparedStoreFile;
  let db: Database;
  try {
    file = prepareStoreFile(path, { readonly, uid: opts.uid ?? process.getuid?.() ?? 0 });
    db = openSqlite(file, readonly);
  } catch (err) {
    if (err instanceof OomwatchError) throw err;
    throw storeErrorFrom(err, path, 'open');
  }
  // Nobody but this user and root can change the checked folders, so this only fails on a real race with them;
  // it also proves SQLite opened the very file that was checked.
  if (!sameFile(file.identity, fileIdentityAt(file.sqlitePath))) {
    db.close();
    throw new UntrustedStoreError(
      path,
      `Refusing to open the database ${path}: it was replaced while it was being opened. Check who else writes to ${dirname(file.sqlitePath)}, then start again.`,
    );
  }
  openedFiles.set(db, { sqlitePath: file.sqlitePath, identity: file.identity });
  return configure(db, path, opts);
}

function openSqlite(file: PreparedStoreFile, readonly: boolean): Database {
  if (!file.immutable) return new BetterSqlite3(file.sqlitePath, { readonly, fileMustExist: readonly });
  // A copy on read-only media: without immutable=1 SQLite would need to create the -shm file it cannot write.
  // URI file names are switched on for this process before the addon loads (a path here always starts with
  // "/", so it is never read as a URI by accident); when the addon was loaded earlier without them, the file
  // is read into memory instead.
  process.env.SQLITE_USE_URI ??= '1';
  try {
    return new BetterSqlite3(`file:${encodeURI(file.sqlitePath).replace(/[?#]/g, encodeURIComponent)}?immutable=1`, {
      readonly: true,
      fileMustExist: true,
    });
  } catch {
    return new BetterSqlite3(readFileSync(file.sqlitePath), { readonly: true });
  }
}

function configure(db: Database, path: string, opts: OpenOptions): Database {
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
    if (isSqliteError(err)) throw storeErrorFrom(err, path, 'open');
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

export const isSqliteError = (err: unknown): boolean =>
  err instanceof Error &&
  typeof (err as { code?: unknown }).code === 'string' &&
  (err as unknown as { code: string }).code.startsWith('SQLITE');

/**
 * Whether the file the database was opened from is still at its path: 'gone' when it was deleted,
 * 'replaced' when another file took its place, null when it is the same file (or an in-memory database).
 */
export function storeFileChange(db: Database): 'gone' | 'replaced' | null {
  const opened = openedFiles.get(db);
  if (!opened) return null;
  const now = fileIdentityAt(opened.sqlitePath);
  if (now === null) return 'gone';
  return sameFile(opened.identity, now) ? null : 'replaced';
}

/** What to do about a SQLite or fs error code (SQLITE_FULL, EACCES, …) met on the database. */
export function storeFixFor(code: string): string {
  const fixes: Record<string, string> = {
    SQLITE_FULL: 'The disk holding the database is full. Free space or move store.path to a larger disk; nothing already recorded is lost.',
    SQLITE_READONLY:
      'The database is read-only. Check file and folder permissions (and chattr -i), or that the filesystem is not mounted read-only.',
    SQLITE_CANTOPEN: 'The database file cannot be opened. Check that its folder exists and is writable by this user, or pass another --db.',
    SQLITE_BUSY: 'The database stayed locked by another process. Check for a stuck oomwatch process or a backup holding a lock.',
    SQLITE_CORRUPT:
      'The database file is corrupt. Stop the agent, move the file aside (keep it for forensics; `sqlite3 FILE .recover` can save what is readable) and start again with a new file.',
    SQLITE_NOTADB: 'The file is not an SQLite database. Point --db / store.path at an oomwatch database file.',
    SQLITE_IOERR: 'An I/O error hit the database file. Check the disk (dmesg) and free space.',
    EPERM: 'Operation not permitted (an immutable file, chattr +i?). Remove the flag (chattr -i) or choose another --db / store.path.',
    EACCES: 'Permission denied. Run as a user that can write there, or choose another --db / store.path.',
    ENOENT: 'The database does not exist yet. Run the agent (oomwatch run) first, or pass the right --db.',
    EROFS: 'The filesystem is read-only. Choose a writable --db / store.path.',
    ENOTDIR: 'Part of the path is a file, not a folder. Choose another --db / store.path.',
    ENOSPC: 'The disk is full. Free space or move store.path to a larger disk; nothing already recorded is lost.',
  };
  const key = Object.keys(fixes).find((k) => code === k || code.startsWith(`${k}_`)) ?? '';
  return fixes[key] ?? 'Check the path (--db or store.path), its permissions and free disk space.';
}

/** Maps SQLite and fs errors to a StoreError that says what to do. */
export function storeErrorFrom(err: unknown, path: string, action: string): StoreError {
  const code = (err as { code?: string }).code ?? '';
  const msg = err instanceof Error ? err.message : String(err);
  return new StoreError(`Cannot ${action} the database ${path}: ${msg}. ${storeFixFor(code)}`, { cause: err });
}
