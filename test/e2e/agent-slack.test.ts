/**
 * End to end: the agent with a real config, a real process on the real /proc that raises its own
 * oom_score_adj to 1000, and a real HTTP server standing in for Slack's webhook endpoint.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { makeTempDir } from '../helpers/tmp.js';
import { until } from '../helpers/until.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const textOf = (body: unknown) => JSON.stringify(body);

/** Ticks the agent committed so far (read-only; 0 while the database is being created). */
function ticks(db: string): number {
  try {
    const conn = new BetterSqlite3(db, { readonly: true, fileMustExist: true });
    try {
      return (conn.prepare('SELECT count(*) AS n FROM tick').get() as { n: number }).n;
    } finally {
      conn.close();
    }
  } catch {
    return 0;
  }
}

describe('agent → Slack', () => {
  it('posts one firing alert naming the risky process, then one "exited" resolution', async () => {
    const sink = await startHttpSink();
    const cfg = join(tmp.dir, 'slack.yaml');
    writeFileSync(
      cfg,
      [
        'agent: {logLevel: warn}',
        'sample: {interval: 300ms, keyframeEvery: 1m}',
        'kernel: {enabled: false}',
        'channels:',
        `  team-slack: {type: slack, webhookUrl: ${JSON.stringify(sink.url)}}`,
        'alerting: {groupWait: 0s, groupInterval: 1s, repeatInterval: 1h, vanishWaitTicks: 2}',
        'rules:',
        '  replaceDefaults: true',
        '  list:',
        '  - {id: risky, kind: process-risk, severity: warning, above: 900, clearBelow: 800, for: 0s, scope: {name: e2e-risky}}',
      ].join('\n'),
    );
    const db = join(tmp.dir, 'slack.db');
    const agent = spawn(process.execPath, [CLI, 'run', '--config', cfg, '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    agent.stderr.on('data', (d) => (stderr += d));
    const risky = spawn(
      'python3',
      [
        '-c',
        [
          'import ctypes, time',
          'ctypes.CDLL(None).prctl(15, b"e2e-risky", 0, 0, 0)',
          "open('/proc/self/oom_score_adj', 'w').write('1000')",
          'time.sleep(600)',
        ].join('\n'),
      ],
      { stdio: 'ignore' },
    );
    try {
      const [firing] = await sink.waitFor(1, 20_000);
      expect(textOf(firing.body)).toContain('e2e-risky');
      expect(textOf(firing.body)).toContain(`pid ${risky.pid}`);
      expect(textOf(firing.body)).toMatch(/firing/i);
      expect(firing.body).not.toHaveProperty('link_names');

      risky.kill('SIGKILL');
      await once(risky, 'exit');
      const [, resolved] = await sink.waitFor(2, 20_000);
      expect(textOf(resolved.body)).toContain('e2e-risky');
      expect(textOf(resolved.body)).toMatch(/exited/i);
      expect(textOf(resolved.body)).not.toMatch(/oom-killed/i);
      // Nothing more: the agent goes on ticking (three more ticks evaluate the rules again with the process gone),
      // then stops, which waits for any delivery in flight; the outbox holds the two messages, both sent.
      const ticksAtResolution = ticks(db);
      await until(() => ticks(db) >= ticksAtResolution + 3, 10_000);
      agent.kill('SIGTERM');
      await once(agent, 'exit');
      expect(sink.requests.length).toBe(2);
      const conn = new BetterSqlite3(db, { readonly: true });
      try {
        expect(conn.prepare('SELECT status FROM outbox ORDER BY id').all()).toEqual([{ status: 'sent' }, { status: 'sent' }]);
      } finally {
        conn.close();
      }
    } finally {
      if (risky.exitCode === null && risky.signalCode === null) risky.kill('SIGKILL');
      agent.kill('SIGTERM');
      if (agent.exitCode === null) await once(agent, 'exit');
      await sink.close();
    }
    expect(agent.exitCode, stderr).toBe(0);
  });
});
