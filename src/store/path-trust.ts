/**
 * Whether a file or folder on the way to the database can be trusted, judged the way OpenSSH's StrictModes
 * judges ~/.ssh (auth.c safe_path): every entry must be owned by the running user or root and not writable
 * by group or others, and the database itself must not be a symbolic link. Pure: the facts come from lstat.
 *
 * Why: the agent runs as root and sends what the outbox holds with root's channel secrets. A database that
 * another user could create, replace or write is a database that user controls (planted outbox rows,
 * a symlink that makes root create or overwrite a file elsewhere).
 */
export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

export interface EntryFacts {
  kind: EntryKind;
  uid: number;
  /** st_mode permission bits (including setuid/setgid/sticky). */
  mode: number;
}

/**
 * - database: the database file itself;
 * - sidecar: its -wal, -shm or -journal file;
 * - folder: the folder holding the database (SQLite creates -wal and -shm there later: nobody else may write it);
 * - ancestor: every folder above it up to `/`. A root-owned sticky folder such as /tmp is accepted here,
 *   since only the owner of an entry in it can rename or remove that entry.
 */
export type EntryRole = 'database' | 'sidecar' | 'folder' | 'ancestor';

export interface TrustProblem {
  path: string;
  role: EntryRole;
  facts: EntryFacts;
  /** What is wrong, e.g. "it is writable by other users". */
  reason: string;
  /** What to do, e.g. "chmod go-w /srv/x". */
  fix: string;
}

const GROUP_OR_OTHER_WRITE = 0o022;
const STICKY = 0o1000;

/** Octal permission string as ls -l would show the bits, e.g. 0644 or 1777. */
export const formatMode = (mode: number): string => (mode & 0o7777).toString(8).padStart(4, '0');

/** The problem with one entry, or null when it can be trusted by a process running as `myUid`. */
export function judgeStoreEntry(path: string, role: EntryRole, facts: EntryFacts, myUid: number): TrustProblem | null {
  const problem = (reason: string, fix: string): TrustProblem => ({ path, role, facts, reason, fix });
  const isFileRole = role === 'database' || role === 'sidecar';
  if (isFileRole && facts.kind === 'symlink') {
    return problem(
      'it is a symbolic link, and oomwatch never follows one at the database',
      `Remove the link (rm ${path}) and set --db / store.path to the real file instead.`,
    );
  }
  if (isFileRole && facts.kind !== 'file') return problem('it is not a regular file', `Move it away, or choose another --db / store.path.`);
  if (!isFileRole && facts.kind !== 'dir') return problem('it is not a folder', 'Choose another --db / store.path.');
  const ownedByUs = facts.uid === myUid || facts.uid === 0;
  if (!ownedByUs) {
    return isFileRole
      ? problem(
          `it belongs to another user (uid ${facts.uid}), who may have planted it`,
          `Do not use it: move it aside for forensics (mv ${path} ${path}.untrusted) and start again, or, if its content is known to be yours, chown ${myUid} ${path}.`,
        )
      : problem(
          `it belongs to another user (uid ${facts.uid}), who can replace anything inside it`,
          `Keep the database in a folder owned by this user or root (the default is /var/lib/oomwatch for root), or chown ${myUid} ${path}.`,
        );
  }
  if ((facts.mode & GROUP_OR_OTHER_WRITE) !== 0) {
    if (role === 'ancestor' && facts.uid === 0 && (facts.mode & STICKY) !== 0) return null;
    return problem(
      role === 'folder' && (facts.mode & STICKY) !== 0
        ? 'it is writable by other users (sticky, but other users could still create the -wal and -shm files in it first)'
        : 'it is writable by group or other users',
      isFileRole
        ? `chmod 600 ${path} (after checking its content is yours).`
        : `chmod go-w ${path}, or choose a --db / store.path in a folder only this user and root can write.`,
    );
  }
  return null;
}

/** The user-facing sentence for a refused database: the file, its owner and mode, why, and the fix. */
export function describeTrustProblem(dbPath: string, p: TrustProblem): string {
  const what = p.role === 'database' ? 'the file' : p.role === 'sidecar' ? 'its companion file' : 'the folder';
  return (
    `Refusing to open the database ${dbPath}: ${what} ${p.path} (owner uid ${p.facts.uid}, mode ${formatMode(p.facts.mode)}) cannot be trusted: ${p.reason}. ` +
    `${p.fix} The database, its -wal/-shm files and every folder above them must belong to this user or root and not be writable by others (docs/operate.md, "Where the data lives").`
  );
}
