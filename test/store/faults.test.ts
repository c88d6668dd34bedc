import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, copyFileSync, mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../helpers/cli.js';
import { OTHER_USER } from '../helpers/other-user.js';
import { makeTempDir } from '../helpers/tmp.js';

/**
 * The database as a disk or an operator leaves it: immutable, read-only for this user, corrupt pages, a copy
 * on read-only media. Each is a clear exit 73 naming the file and the fix, never "this is a bug"; read-only
 * commands still read a read-only copy. Real files, the real CLI, a real second user.
 */
const FIXTURE = join(import.meta.dirname, '../fixtures/kmsg/3.10.0-514.6.1.el7-global-1.txt');
const needsRoot = process.getuid?.() !== 0 && !process.env.CI;

let t: ReturnType<typeof makeTempDir>;
const immutable: string[] = [];
beforeEach(() => {
  t = makeTempDir();
  chmodSync(t.dir, 0o755);
});
afterEach(() => {
  for (const f of immutable.splice(0)) spawnSync('chattr', ['-i', f]);
  t.cleanup();
});

/** A database with samples (a short real agent run, stopped cleanly) and one imported incident. */
async function recordedDatabase(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const db = join(dir, 'oomwatch.db');
  const agent = spawn(process.execPath, [CLI, 'run', '--db', db, '--interval', '200ms'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, OOMWATCH_CONFIG: '' },
  });
  let seen = '';
  // The second tick is logged as stored only after the first one is; "agent running" comes before the first.
  await new Promise<void>((resolve) => agent.stderr.on('data', (d) => (seen += String(d)).includes('agent running') && resolve()));
  const stored = new BetterSqlite3(db, { readonly: true });
  try {
    while (!(stored.prepare('SELECT COUNT(*) AS n FROM tick').get() as { n: number }).n) await new Promise((r) => setImmediate(r));
  } finally {
    stored.close();
  }
  agent.kill('SIGTERM');
  await once(agent, 'exit');
  expect((await runCli(['import', FIXTURE, '--db', db])).code).toBe(0);
  chmodSync(db, 0o644);
  return db;
}

/** Overwrites every page of `table` (and its indexes' pages are left alone) with garbage. */
function corruptTable(db: string, table: string): void {
  const d = new BetterSqlite3(db, { readonly: true });
  const pages = (d.prepare('SELECT pageno FROM dbstat WHERE name = ?').all(table) as { pageno: number }[]).map((r) => r.pageno);
  const pageSize = d.pragma('page_size', { simple: true }) as number;
  d.close();
  expect(pages.length).toBeGreaterThan(0);
  const fd = openSync(db, 'r+');
  try {
    for (const p of pages) writeSync(fd, Buffer.alloc(pageSize, 0xff), 0, pageSize, (p - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(needsRoot)('a database the agent cannot trust to write or read (needs root for chattr and another user)', () => {
  it('an immutable file (chattr +i): exit 73 naming the file and the fix, not "this is a bug"', async () => {
    const db = await recordedDatabase(join(t.dir, 'imm'));
    const r0 = spawnSync('chattr', ['+i', db], { encoding: 'utf8' });
    expect(r0.status, `chattr +i failed: ${r0.stderr} (the test folder must be on a filesystem with immutable flags, e.g. ext4)`).toBe(0);
    immutable.push(db);
    const r = await runCli(['run', '--db', db, '--interval', '200ms'], { timeoutMs: 20_000 });
    expect(r.code).toBe(73);
    expect(r.stderr).toContain(
      `Cannot write the database ${db}: the file is marked immutable (chattr +i). Remove the flag (chattr -i FILE)`,
    );
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  });

  it('a 0444 file for a user who does not own it: exit 73 with the fix', async () => {
    const dir = join(t.dir, 'ro-mode');
    const db = await recordedDatabase(dir);
    chmodSync(db, 0o444);
    const r = await runCli(['run', '--db', db, '--interval', '200ms'], { ...OTHER_USER, cwd: '/', timeoutMs: 20_000 });
    expect(r.code).toBe(73);
    expect(r.stderr).toContain(`Cannot write the database ${db}: this user may not write it`);
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
  });

  it('corrupt pages: every command exits 73 naming the file and the fix, and doctor says corrupt', async () => {
    const db = await recordedDatabase(join(t.dir, 'corrupt'));
    corruptTable(db, 'incident');
    corruptTable(db, 'tick');
    for (const args of [
      ['incidents', '--since', '100000d'],
      ['report', '--incident', '1'],
      ['run', '--interval', '200ms'],
    ]) {
      const r = await runCli([...args, '--db', db], { timeoutMs: 20_000 });
      expect({ args, code: r.code }).toEqual({ args, code: 73 });
      expect(r.stderr).toContain(`the database ${db}: database disk image is malformed. The database file is corrupt.`);
      // (the agent's JSON log may carry an error's stack in a field; no bare stack trace is printed)
      expect(r.stderr).not.toMatch(/internal error|^\s+at /m);
    }
    const d = await runCli(['doctor', '--json', '--db', db]);
    const check = (JSON.parse(d.stdout).checks as { name: string; status: string; detail: string; fix: string }[]).find(
      (c) => c.name === 'database',
    )!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(`${db} is corrupt`);
    expect(check.fix).toContain('move the file aside');
    expect(d.code).toBe(1);
  });

  it('read-only media: incidents, report, top --at and history read a copy in a folder nobody may write', async () => {
    const source = await recordedDatabase(join(t.dir, 'live'));
    const media = join(t.dir, 'media');
    mkdirSync(media);
    copyFileSync(source, join(media, 'oomwatch.db'));
    chmodSync(join(media, 'oomwatch.db'), 0o444);
    chmodSync(media, 0o555);
    const db = join(media, 'oomwatch.db');
    const as = { ...OTHER_USER, cwd: '/' };
    const incidents = await runCli(['incidents', '--since', '100000d', '--json', '--db', db], as);
    expect(incidents.stderr).toBe('');
    // the imported one, and whatever kills the agent read from this machine's kernel log
    expect(JSON.parse(incidents.stdout).incidents.length).toBeGreaterThan(0);
    const report = await runCli(['report', '--incident', '1', '--format', 'json', '--db', db], as);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    const top = await runCli(['top', '--at', new Date().toISOString(), '--json', '--db', db], as);
    expect(top.stderr).toBe('');
    expect(top.code).toBe(0);
    const self = await runCli(['history', 'node', '--since', '100000d', '--json', '--db', db], as);
    expect(self.stderr).toBe('');
    expect(self.code).toBe(0);
  });
});
