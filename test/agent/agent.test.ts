import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { CLI, runCli } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';
import { until } from '../helpers/until.js';

let t: ReturnType<typeof makeTempDir>;
beforeEach(() => (t = makeTempDir()));
afterEach(() => t.cleanup());

function startAgent(db: string, extra: string[] = []) {
  const child = spawn(process.execPath, [CLI, 'run', '--db', db, '--interval', '200ms', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: t.dir,
    env: { ...process.env, OOMWATCH_CONFIG: '' },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return { child, stderr: () => stderr };
}

/** One value read through a read-only connection (null while the database is being created). */
function readDb<T>(db: string, sql: string): T | null {
  try {
    const conn = new BetterSqlite3(db, { readonly: true, fileMustExist: true });
    try {
      return (conn.prepare(sql).get() as T | undefined) ?? null;
    } finally {
      conn.close();
    }
  } catch {
    return null;
  }
}

/** Ticks committed so far (0 while the database is being created). */
const committedTicks = (db: string): number => readDb<{ n: number }>(db, 'SELECT count(*) AS n FROM tick')?.n ?? 0;

const waitFor = (cond: () => boolean, ms = 10_000) => until(cond, ms);

describe('the agent', () => {
  it('ticks, refuses a second agent on the same database, and stops cleanly on SIGTERM with a consistent database', async () => {
    const db = join(t.dir, 'a.db');
    const a = startAgent(db);
    await waitFor(() => a.stderr().includes('oomwatch agent running'));
    await waitFor(() => committedTicks(db) >= 4);

    const second = await runCli(['run', '--db', db], { cwd: t.dir });
    expect(second.code).toBe(75);
    expect(second.stderr).toMatch(/Another oomwatch agent \(pid \d+\) is already running on .*a\.db/);

    a.child.kill('SIGTERM');
    const [code] = await once(a.child, 'exit');
    expect(code).toBe(0);

    const conn = new BetterSqlite3(db, { readonly: true });
    try {
      expect(conn.pragma('integrity_check', { simple: true })).toBe('ok');
      const ticks = conn.prepare('SELECT COUNT(*) AS n, SUM(keyframe) AS k FROM tick').get() as { n: number; k: number };
      expect(ticks.n).toBeGreaterThanOrEqual(4);
      expect(ticks.k).toBe(1);
      expect(conn.prepare('SELECT COUNT(*) AS n FROM agent_lock').get()).toEqual({ n: 0 });
      const events = conn
        .prepare('SELECT kind FROM agent_event ORDER BY id')
        .all()
        .map((r) => (r as { kind: string }).kind);
      expect(events[0]).toBe('agent-start');
      expect(events[events.length - 1]).toBe('agent-stop');
      // the agent's own process is in the record, keyed by its identity
      expect(conn.prepare('SELECT COUNT(*) AS n FROM process WHERE pid = ?').get(a.child.pid)).toEqual({ n: 1 });
    } finally {
      conn.close();
    }
  });

  it('takes over the lock of a crashed agent and records the time it was down as a gap', async () => {
    const db = join(t.dir, 'b.db');
    const a = startAgent(db);
    await waitFor(() => a.stderr().includes('oomwatch agent running'));
    // a tick committed before the crash, so the next agent knows when the record stopped (not a fixed sleep:
    // on a loaded machine the first tick can take longer than any guess)
    await waitFor(() => committedTicks(db) > 0);
    a.child.kill('SIGKILL');
    await once(a.child, 'exit');
    // The record has stopped for longer than two intervals (what makes it a gap) once the wall clock is past the
    // last committed tick by that much: wait for exactly that, not a guessed time.
    const lastTickMs = readDb<{ ts: number }>(db, 'SELECT max(ts_ms) AS ts FROM tick')!.ts;
    await waitFor(() => Date.now() - lastTickMs > 2 * 200);
    const b = startAgent(db);
    await waitFor(() => b.stderr().includes('oomwatch agent running'));
    b.child.kill('SIGINT');
    const [code] = await once(b.child, 'exit');
    expect(code).toBe(0);
    const conn = new BetterSqlite3(db, { readonly: true });
    try {
      const gaps = conn.prepare('SELECT reason FROM gap').all() as { reason: string }[];
      expect(gaps.map((g) => g.reason)).toEqual(['agent-down']);
    } finally {
      conn.close();
    }
  });

  it('reloads its config on SIGHUP, and keeps the old one when the new one is bad', async () => {
    const { writeFileSync } = await import('node:fs');
    const cfg = join(t.dir, 'c.yaml');
    writeFileSync(cfg, 'sample:\n  interval: 200ms\n  keyframeEvery: 1m\n');
    const db = join(t.dir, 'c.db');
    const a = startAgent(db, ['--config', cfg]);
    await waitFor(() => a.stderr().includes('oomwatch agent running'));
    writeFileSync(cfg, 'sample:\n  interval: nonsense\n');
    a.child.kill('SIGHUP');
    await waitFor(() => a.stderr().includes('configuration NOT reloaded'));
    expect(a.stderr()).toContain('sample.interval');
    writeFileSync(cfg, 'sample:\n  interval: 300ms\n  keyframeEvery: 1m\n');
    a.child.kill('SIGHUP');
    await waitFor(() => a.stderr().includes('configuration reloaded'));
    a.child.kill('SIGTERM');
    expect((await once(a.child, 'exit'))[0]).toBe(0);
  });
});

describe('an agent part that cannot start', () => {
  it('stops the agent with its exit code instead of leaving it idle (metrics port taken → 78)', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as { port: number }).port;
    try {
      const { writeFileSync } = await import('node:fs');
      const cfg = join(t.dir, 'm.yaml');
      writeFileSync(cfg, `metrics: {enabled: true, listen: "127.0.0.1:${port}"}\n`);
      const r = await runCli(['run', '--config', cfg, '--db', join(t.dir, 'm.db'), '--interval', '1s'], { cwd: t.dir, timeoutMs: 20_000 });
      expect(r.signal).toBeNull();
      expect(r.code).toBe(78);
      expect(r.stderr).toMatch(/port is already in use/);
      // the lock was released: another agent can start on the database
      const conn = new BetterSqlite3(join(t.dir, 'm.db'), { readonly: true });
      expect(conn.prepare('SELECT COUNT(*) AS n FROM agent_lock').get()).toEqual({ n: 0 });
      conn.close();
    } finally {
      blocker.close();
    }
  });
});
