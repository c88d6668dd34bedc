import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  realpathSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { StoreError, UntrustedStoreError } from '../errors.js';
import { describeTrustProblem, judgeStoreEntry, type EntryFacts, type EntryRole } from './path-trust.js';

/** A file's identity: the same path with another device or inode is another file. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

export interface PreparedStoreFile {
  /** The path handed to SQLite: the checked real folder plus the file name (no symbolic link left in it). */
  sqlitePath: string;
  /** The database file as checked before SQLite opened it. */
  identity: FileIdentity;
  /** Whether this call created the (empty) file. */
  created: boolean;
  /**
   * Read-only media: the folder cannot be written and there is no -shm file, so SQLite could not set up WAL
   * shared memory. The file is then opened as immutable (no locks, no -shm; the -wal file is not read).
   */
  immutable: boolean;
}

const SIDECARS = ['-wal', '-shm', '-journal'] as const;

const factsOf = (st: Stats): EntryFacts => ({
  kind: st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other',
  uid: st.uid,
  mode: st.mode,
});

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The identity of whatever is at `path` now (not following a symbolic link), or null when nothing is. */
export function fileIdentityAt(path: string): FileIdentity | null {
  const st = lstatOrNull(path);
  return st && st.isFile() ? { dev: st.dev, ino: st.ino } : null;
}

export const sameFile = (a: FileIdentity, b: FileIdentity | null): boolean => b !== null && a.dev === b.dev && a.ino === b.ino;

function check(dbPath: string, path: string, role: EntryRole, st: Stats, uid: number): void {
  const problem = judgeStoreEntry(path, role, factsOf(st), uid);
  if (problem) throw new UntrustedStoreError(dbPath, describeTrustProblem(dbPath, problem));
}

/** Checks a real (symlink-free) folder as the database's folder and each folder above it as an ancestor. */
function checkFolderChain(dbPath: string, realDir: string, uid: number): void {
  for (let d = realDir, role: EntryRole = 'folder'; ; d = dirname(d), role = 'ancestor') {
    check(dbPath, d, role, lstatSync(d), uid);
    if (dirname(d) === d) return;
  }
}

/**
 * Creates the missing folders of `dir`, each 0700 whatever the umask. Folders that exist are left as they
 * are: the chain check that follows decides whether they can be trusted.
 */
function createFolders(dir: string): void {
  const missing: string[] = [];
  let d = dir;
  while (lstatOrNull(d) === null && dirname(d) !== d) {
    missing.unshift(d);
    d = dirname(d);
  }
  for (const m of missing) {
    try {
      mkdirSync(m, { mode: 0o700 });
      chmodSync(m, 0o700);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

/**
 * Makes a database path safe to hand to SQLite, or refuses it:
 * - creates missing folders (0700) and, for a new database, the empty file (0600, O_EXCL|O_NOFOLLOW);
 * - checks the database, its -wal/-shm/-journal and every folder up to `/` (see path-trust.ts): a problem
 *   is an UntrustedStoreError (exit 77) naming the entry, its owner and mode, and the fix;
 * - for a writable open, checks that the file can really be written (immutable, read-only mode for this
 *   user, read-only mount), since SQLite would otherwise quietly open it read-only.
 * fs errors are thrown as they are; openStore maps them to a StoreError with the fix.
 */
export function prepareStoreFile(path: string, opts: { readonly: boolean; uid: number }): PreparedStoreFile {
  const abs = resolve(path);
  if (!opts.readonly) createFolders(dirname(abs));
  const realDir = realpathSync(dirname(abs));
  checkFolderChain(path, realDir, opts.uid);
  const sqlitePath = join(realDir, basename(abs));
  let st = lstatOrNull(sqlitePath);
  let created = false;
  if (st === null) {
    if (opts.readonly) {
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${sqlitePath}'`), { code: 'ENOENT' });
    }
    const fd = openSync(sqlitePath, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      fchmodSync(fd, 0o600);
      st = fstatSync(fd);
    } finally {
      closeSync(fd);
    }
    created = true;
  } else {
    check(path, sqlitePath, 'database', st, opts.uid);
  }
  for (const suffix of SIDECARS) {
    const side = lstatOrNull(sqlitePath + suffix);
    if (side) check(path, sqlitePath + suffix, 'sidecar', side, opts.uid);
  }
  if (!opts.readonly) {
    try {
      accessSync(sqlitePath, constants.R_OK | constants.W_OK);
    } catch (err) {
      throw readOnlyFileError(path, err as NodeJS.ErrnoException);
    }
  }
  const immutable = opts.readonly && lstatOrNull(`${sqlitePath}-shm`) === null && !isWritable(realDir);
  return { sqlitePath, identity: { dev: st.dev, ino: st.ino }, created, immutable };
}

function isWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function readOnlyFileError(path: string, err: NodeJS.ErrnoException): StoreError {
  const why =
    err.code === 'EPERM'
      ? 'the file is marked immutable (chattr +i). Remove the flag (chattr -i FILE) if the agent should write to it'
      : err.code === 'EROFS'
        ? 'the filesystem is mounted read-only. Choose a writable --db / store.path; read-only commands (incidents, report, top --at, history) still read this copy'
        : 'this user may not write it (file mode or ownership). Run as the user that owns it, fix its mode (chmod u+w), or choose another --db / store.path';
  return new StoreError(`Cannot write the database ${path}: ${why}.`, { cause: err });
}
