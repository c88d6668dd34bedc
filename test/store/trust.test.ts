import { chmodSync, existsSync, lchownSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { enqueueNotifications } from '../../src/store/outbox-repo.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { CLI, runCli } from '../helpers/cli.js';
import { OTHER_USER } from '../helpers/other-user.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { makeTempDir } from '../helpers/tmp.js';
import { draft } from '../notify/factories.js';

/**
 * Root's agent and another local user (uid 65534) on one machine: whatever that user can create or change must
 * never become root's database. Real files, a real second user, a loopback SMTP server with root's login.
 */
const FIXTURE = join(import.meta.dirname, '../fixtures/kmsg/3.10.0-514.6.1.el7-global-1.txt');
const needsRoot = process.getuid?.() !== 0 && !process.env.CI;

let t: ReturnType<typeof makeTempDir>;
let sink: SmtpSink | undefined;
let shared: string;
beforeEach(() => {
  t = makeTempDir();
  chmodSync(t.dir, 0o755);
  shared = join(t.dir, 'shared');
  mkdirSync(shared);
  chmodSync(shared, 0o777); // a folder every local user can write, like a shared scratch folder
});
afterEach(async () => {
  await sink?.close();
  sink = undefined;
  t.cleanup();
});

/**
 * uid 65534 plants data/oomwatch.db in the shared folder: a real oomwatch database (with `pending` outbox rows
 * when given), copied there by that user, so the file and its folder are that user's.
 */
function plantDatabase(pending: (db: Database) => void = () => {}): string {
  const source = join(t.dir, 'crafted');
  mkdirSync(source, { mode: 0o755 });
  const db = openDatabase(join(source, 'oomwatch.db'));
  pending(db);
  db.close();
  chmodSync(join(source, 'oomwatch.db'), 0o644);
  const planted = join(shared, 'data', 'oomwatch.db');
  const cp = spawnSync('sh', ['-c', 'mkdir "$1" && cp "$2" "$3"', 'sh', join(shared, 'data'), join(source, 'oomwatch.db'), planted], {
    ...OTHER_USER,
    encoding: 'utf8',
  });
  expect(cp.stderr).toBe('');
  expect(statSync(planted).uid).toBe(OTHER_USER.uid);
  return planted;
}

function rootConfig(smtpPort: number): string {
  const cfg = join(t.dir, 'root-config.yaml');
  writeFileSync(
    cfg,
    [
      'channels:',
      '  mail:',
      '    type: email',
      '    host: 127.0.0.1',
      `    port: ${smtpPort}`,
      '    requireTLS: false',
      '    auth: {user: root-smtp, password: root-secret}',
      '    from: oomwatch@example.com',
      '    to: [oncall@example.com]',
      '    timeout: 2s',
      'metrics: {enabled: false}',
      '',
    ].join('\n'),
  );
  return cfg;
}

describe.skipIf(needsRoot)('root never adopts a database another user planted (needs root to switch user)', () => {
  it('refuses a planted database with a pending outbox row (exit 77, naming file, owner, mode and fix) and sends nothing', async () => {
    // The planted row: the attacker's subject and body, to be sent with root's SMTP login.
    const planted = plantDatabase((db) =>
      enqueueNotifications(db, [draft(systemClock.nowMs(), { channel: 'mail', dedupKey: 'planted-1' })]),
    );
    sink = await startSmtpSink({ auth: { user: 'root-smtp', password: 'root-secret' } });
    const r = await runCli(['run', '--config', rootConfig(sink.port), '--db', planted, '--interval', '200ms'], {
      cwd: shared,
      timeoutMs: 20_000,
    });
    expect(r.code).toBe(77);
    expect(r.stderr).toContain(`Refusing to open the database ${planted}`);
    // The first entry that fails is its folder, which that user created too.
    expect(r.stderr).toMatch(/\(owner uid 65534, mode 0[0-7]{3}\) cannot be trusted: it belongs to another user \(uid 65534\)/);
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    expect(sink.attempts).toBe(0);
  });

  it('does not look in the working directory: from a shared folder holding a planted data/oomwatch.db, every command uses the fixed state folder', async () => {
    plantDatabase();
    const state = join(t.dir, 'state');
    const env = { OOMWATCH_STATE_DIR: state };
    const r = await runCli(['incidents'], { cwd: shared, env });
    expect(r.code).toBe(66);
    expect(r.stderr).toContain(`No database at ${join(state, 'oomwatch.db')}`);
    // After an import from one folder, a read command from another finds the same database without --db.
    expect((await runCli(['import', FIXTURE, '--db'], { cwd: shared, env })).code).toBe(0);
    const list = await runCli(['incidents', '--since', '100000d', '--json'], { cwd: '/', env });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).incidents).toHaveLength(1);
    expect(statSync(state).mode & 0o777).toBe(0o700);
  });

  it('refuses a symlink at the database without creating its target', async () => {
    const data = join(shared, 'data');
    mkdirSync(data);
    chmodSync(data, 0o777);
    const target = join(t.dir, 'elsewhere', 'made-by-root.db');
    mkdirSync(join(t.dir, 'elsewhere'));
    symlinkSync(target, join(data, 'oomwatch.db'));
    lchownSync(join(data, 'oomwatch.db'), OTHER_USER.uid, OTHER_USER.gid);
    const r = await runCli(['run', '--db', join(data, 'oomwatch.db'), '--interval', '200ms'], { timeoutMs: 20_000 });
    expect(r.code).toBe(77);
    expect(existsSync(target)).toBe(false);
    // Even in a folder only root can write, a symlink at the database itself is refused.
    const safe = join(t.dir, 'safe');
    mkdirSync(safe, { mode: 0o700 });
    symlinkSync(target, join(safe, 'oomwatch.db'));
    const s = await runCli(['run', '--db', join(safe, 'oomwatch.db'), '--interval', '200ms'], { timeoutMs: 20_000 });
    expect(s.code).toBe(77);
    expect(s.stderr).toContain('it is a symbolic link');
    expect(existsSync(target)).toBe(false);
  });

  it('refuses a database folder other users can write, and creates folders 0700 and the file 0600 whatever the umask', async () => {
    const r = await runCli(['import', FIXTURE, '--db', join(shared, 'oomwatch.db')]);
    expect(r.code).toBe(77);
    expect(r.stderr).toMatch(
      new RegExp(`the folder ${shared} \\(owner uid 0, mode 0777\\) cannot be trusted: it is writable by group or other users. chmod go-w`),
    );
    expect(readdirSync(shared)).toEqual([]);

    const fresh = join(t.dir, 'new', 'deeper', 'oomwatch.db');
    const out = spawnSync('sh', ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, CLI, 'import', FIXTURE, '--db', fresh], {
      encoding: 'utf8',
      env: { ...process.env, OOMWATCH_CONFIG: '' },
    });
    expect(out.status).toBe(0);
    expect(statSync(join(t.dir, 'new')).mode & 0o777).toBe(0o700);
    expect(statSync(join(t.dir, 'new', 'deeper')).mode & 0o777).toBe(0o700);
    expect(statSync(fresh).mode & 0o777).toBe(0o600);
  });
});
