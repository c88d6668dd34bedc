import { describe, expect, it } from 'vitest';
import { describeTrustProblem, judgeStoreEntry, type EntryFacts, type EntryRole } from '../../src/store/path-trust.js';

const ME = 1000;
const entry = (kind: EntryFacts['kind'], uid: number, mode: number): EntryFacts => ({ kind, uid, mode });

describe('judgeStoreEntry (OpenSSH StrictModes rules for the database path)', () => {
  const cases: [string, EntryRole, EntryFacts, string | null][] = [
    ['my database 0600', 'database', entry('file', ME, 0o600), null],
    ["root's database 0644", 'database', entry('file', 0, 0o644), null],
    ['a database planted by another user', 'database', entry('file', 65534, 0o600), 'belongs to another user (uid 65534)'],
    ['a group-writable database', 'database', entry('file', ME, 0o660), 'writable by group or other users'],
    ['a symlink at the database', 'database', entry('symlink', 0, 0o777), 'symbolic link'],
    ['a folder at the database', 'database', entry('dir', ME, 0o700), 'not a regular file'],
    ['a -wal planted by another user', 'sidecar', entry('file', 65534, 0o644), 'belongs to another user'],
    ['a symlinked -shm', 'sidecar', entry('symlink', ME, 0o777), 'symbolic link'],
    ['my folder 0700', 'folder', entry('dir', ME, 0o700), null],
    ['a world-writable folder', 'folder', entry('dir', ME, 0o777), 'writable by group or other users'],
    ['/tmp itself as the folder', 'folder', entry('dir', 0, 0o1777), 'other users could still create the -wal and -shm'],
    ["another user's folder", 'folder', entry('dir', 65534, 0o755), 'can replace anything inside it'],
    ['/tmp above the folder', 'ancestor', entry('dir', 0, 0o1777), null],
    ['a world-writable folder above, not sticky', 'ancestor', entry('dir', 0, 0o777), 'writable by group or other users'],
    ['a sticky world-writable folder above owned by another user', 'ancestor', entry('dir', 65534, 0o1777), 'belongs to another user'],
    ['a group-writable folder above', 'ancestor', entry('dir', ME, 0o775), 'writable by group or other users'],
  ];
  for (const [name, role, facts, reason] of cases) {
    it(name, () => {
      const p = judgeStoreEntry('/x', role, facts, ME);
      if (reason === null) expect(p).toBeNull();
      else expect(p?.reason).toContain(reason);
    });
  }

  it('says which file, its owner and mode, and the fix', () => {
    const p = judgeStoreEntry('/srv/shared/data/oomwatch.db', 'database', entry('file', 65534, 0o100600), 0)!;
    expect(describeTrustProblem('data/oomwatch.db', p)).toBe(
      'Refusing to open the database data/oomwatch.db: the file /srv/shared/data/oomwatch.db (owner uid 65534, mode 0600) cannot be trusted: ' +
        'it belongs to another user (uid 65534), who may have planted it. Do not use it: move it aside for forensics ' +
        '(mv /srv/shared/data/oomwatch.db /srv/shared/data/oomwatch.db.untrusted) and start again, or, if its content is known to be yours, ' +
        'chown 0 /srv/shared/data/oomwatch.db. The database, its -wal/-shm files and every folder above them must belong to this user or root ' +
        'and not be writable by others (docs/operate.md, "Where the data lives").',
    );
  });
});
