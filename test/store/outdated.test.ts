/**
 * A read-only open (reports, CLI queries, the daily report worker) applies no migrations: it checks the
 * schema version once, and a database older than this release is refused with the fix, not half-read.
 */
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreOutdatedError, exitCodeFor } from '../../src/errors.js';
import { migrate, readMigrations } from '../../src/store/migrate.js';
import { codeSchemaVersion, openStore } from '../../src/store/store.js';
import { runCliInProcess } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';

const FIXTURE_PROC = join(import.meta.dirname, '..', 'fixtures', 'proc', 'busy-host');

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir('oomwatch-outdated-');
});
afterEach(() => tmp.cleanup());

/** A database as the previous release left it: every migration but the newest. */
function previousReleaseDb(): { path: string; version: number } {
  const path = join(tmp.dir, 'oomwatch.db');
  const older = readMigrations().slice(0, -1);
  const db = new BetterSqlite3(path);
  try {
    migrate(db, older);
  } finally {
    db.close();
  }
  return { path, version: older.at(-1)!.version };
}

function appliedVersion(path: string): number {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return (db.prepare('SELECT MAX(version) AS v FROM schema_migration').get() as { v: number }).v;
  } finally {
    db.close();
  }
}

describe('a read-only open of a database older than this release', () => {
  it('is refused with a typed error that names the fix and the file, and leaves the file as it was', () => {
    const { path, version } = previousReleaseDb();
    expect(version).toBeLessThan(codeSchemaVersion());
    let caught: unknown;
    try {
      openStore(path, { readonly: true }).close();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoreOutdatedError);
    const err = caught as StoreOutdatedError;
    expect(err.message).toContain(`Run the agent once to upgrade this database (${path})`);
    expect(err.message).toContain(`schema version ${version}`);
    expect(exitCodeFor(err.code)).toBe(66);
    expect(appliedVersion(path)).toBe(version);
  });

  it('is read once the agent (a read-write open) has upgraded it', () => {
    const { path } = previousReleaseDb();
    openStore(path).close();
    expect(appliedVersion(path)).toBe(codeSchemaVersion());
    const store = openStore(path, { readonly: true });
    try {
      expect(store.incidents.list({ limit: 1 })).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('makes the CLI say what to do next and exit 66, for each command that reads the store', async () => {
    const { path, version } = previousReleaseDb();
    for (const args of [['report', '--last'], ['incidents'], ['alerts'], ['history', 'sshd']]) {
      const r = await runCliInProcess([...args, '--db', path]);
      expect({ args, code: r.code }).toEqual({ args, code: 66 });
      expect(r.stderr).toContain(`Run the agent once to upgrade this database (${path})`);
    }
    expect(appliedVersion(path)).toBe(version);
  });

  it('still lets top show the live host (the trend it would read is optional), while top --at needs the history', async () => {
    const { path } = previousReleaseDb();
    const live = await runCliInProcess(['top', '--proc-root', FIXTURE_PROC, '--json', '--db', path]);
    expect(live.code).toBe(0);
    expect(JSON.parse(live.stdout).schema).toMatch(/top/);
    const past = await runCliInProcess(['top', '--at', '5m', '--db', path]);
    expect(past.code).toBe(66);
    expect(past.stderr).toContain(`Run the agent once to upgrade this database (${path})`);
  });
});
