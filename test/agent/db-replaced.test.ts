import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { makeTempDir } from '../helpers/tmp.js';

/**
 * The database file removed or replaced while the real agent runs: it notices within a tick, says so once with
 * the fix, raises an agent-health alert, and keeps recording into a new database at the path that records the
 * loss, so nothing recorded afterwards disappears at the next restart.
 */
let t: ReturnType<typeof makeTempDir>;
beforeEach(() => (t = makeTempDir()));
afterEach(() => t.cleanup());

function startAgent(db: string) {
  const child = spawn(process.execPath, [CLI, 'run', '--db', db, '--interval', '200ms'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, OOMWATCH_CONFIG: '' },
  });
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stderr.on('data', (d) => {
    stderr += String(d);
    for (const w of waiters.filter((x) => stderr.includes(x.text))) w.resolve();
  });
  return {
    child,
    stderr: () => stderr,
    waitFor: (text: string) => new Promise<void>((resolve) => (stderr.includes(text) ? resolve() : waiters.push({ text, resolve }))),
  };
}

const read = (db: string) => {
  const d = new BetterSqlite3(db, { readonly: true });
  try {
    return {
      events: d.prepare('SELECT kind, message FROM agent_event ORDER BY id').all() as { kind: string; message: string }[],
      gaps: d.prepare('SELECT reason FROM gap').all() as { reason: string }[],
      ticks: (d.prepare('SELECT COUNT(*) AS n FROM tick').get() as { n: number }).n,
    };
  } finally {
    d.close();
  }
};

describe('the database file deleted or replaced under a running agent', () => {
  for (const how of ['deleted', 'replaced'] as const) {
    it(`${how}: noticed, logged once with the fix, alerted, and recording goes on in a new file that records the loss`, async () => {
      const db = join(t.dir, 'oomwatch.db');
      const agent = startAgent(db);
      await agent.waitFor('agent running');
      if (how === 'deleted') rmSync(db);
      else {
        // A restore or a `mv` puts another inode at the path, in one step: an empty database, as a restore of an
        // older backup would be, made beside it and renamed over it (never a moment with no file at the path,
        // which a tick would rightly report as "deleted").
        const restored = join(t.dir, 'restored.db');
        const other = new BetterSqlite3(restored);
        other.pragma('journal_mode = WAL');
        other.close();
        renameSync(restored, db);
      }
      const what = how === 'deleted' ? 'was deleted' : 'was replaced by another file';
      await agent.waitFor(`The database ${db} ${what}`);
      // The new agent's first tick pages the loss through the agent-health rule (console channel by default).
      await agent.waitFor('database error: The database');
      await agent.waitFor('oomwatch agent running');
      agent.child.kill('SIGTERM');
      const [code] = await once(agent.child, 'exit');
      expect({ code, tail: code === 0 ? '' : agent.stderr().slice(-3000) }).toEqual({ code: 0, tail: '' });
      // one error line in the log (the alert and the rules' transition say it again, as alerts)
      const errorLines = agent
        .stderr()
        .split('\n')
        .filter((l) => l.includes('"level":50') && l.includes(`The database ${db} ${what}`));
      expect(errorLines).toHaveLength(1);
      expect(existsSync(db)).toBe(true);
      const after = read(db);
      expect(after.events.map((e) => e.kind)).toContain('database-replaced');
      expect(after.events.find((e) => e.kind === 'database-replaced')!.message).toContain('Restore the lost history from a backup');
      expect(after.gaps.map((g) => g.reason)).toContain('database-replaced');
      expect(after.ticks).toBeGreaterThan(0);
    });
  }
});
