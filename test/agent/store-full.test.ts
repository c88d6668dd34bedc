/**
 * A full disk under the database, for real: a 2 MiB tmpfs mounted by the test holds the database, the agent
 * (the built CLI) writes into it, a ballast file takes the rest of the space, and a loopback HTTP server
 * stands in for the webhook channel. The storage alert must arrive WHILE the disk is full (it cannot wait
 * in the outbox, which is in that disk); freeing space must be told, and leave a gap in the record.
 * Needs root (mount); under CI=true it must run.
 */
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { makeTempDir } from '../helpers/tmp.js';

const isRoot = process.getuid?.() === 0;
const inCi = process.env.CI === 'true';

/** Writes into `path` until the filesystem says ENOSPC. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

async function waitFor(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface WebhookAlert {
  state: string;
  summary: string;
  ruleKind: string;
  labels: Record<string, string>;
}
const alertsOf = (body: unknown) => (body as { alerts: WebhookAlert[] }).alerts;
/** The requests that carry the store check (other agent-health checks may speak too). */
const storeMessages = (sink: HttpSink) => sink.requests.filter((r) => alertsOf(r.body).some((a) => a.labels.check === 'store'));

describe('a full disk under the database', () => {
  let t: ReturnType<typeof makeTempDir>;
  let sink: HttpSink;
  beforeEach(() => (t = makeTempDir()));
  afterEach(async () => {
    await sink?.close();
    t.cleanup();
  });

  it.runIf(inCi && !isRoot)('CI runs this as root', () => {
    expect.fail('CI=true but not root: the full-disk test needs to mount a tmpfs');
  });

  it.skipIf(!isRoot)(
    'is told through the channel while the disk is full, its end is told and recorded as a gap, and the log says it once',
    async () => {
      sink = await startHttpSink();
      const mnt = join(t.dir, 'small');
      mkdirSync(mnt);
      // mode=0700: the agent refuses a database folder other users could write (a tmpfs root is 1777 by default)
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m,mode=0700', 'tmpfs', mnt]);
      const agent = { child: null as ReturnType<typeof spawn> | null, stderr: '' };
      try {
        const cfg = join(t.dir, 'agent.yaml');
        writeFileSync(
          cfg,
          [
            'agent: {logLevel: info}',
            // one keyframe, then change-only ticks of similar size: the disk stays full once it is
            'sample: {interval: 250ms, keyframeEvery: 1m}',
            'kernel: {enabled: false}',
            'channels:',
            `  ops: {type: webhook, url: ${JSON.stringify(sink.url)}, minInterval: 0s}`,
            'alerting: {groupWait: 0s, groupInterval: 1s, repeatInterval: 1h}',
          ].join('\n'),
        );
        const db = join(mnt, 'oomwatch.db');
        const child = spawn(process.execPath, [CLI, 'run', '--config', cfg, '--db', db], {
          stdio: ['ignore', 'ignore', 'pipe'],
          cwd: t.dir,
          env: { ...process.env, OOMWATCH_CONFIG: '' },
        });
        agent.child = child;
        child.stderr!.on('data', (d) => (agent.stderr += d));
        await waitFor(() => agent.stderr.includes('oomwatch agent running'), 'the agent to start');
        // a stored tick first, so the hole has a start (on a busy host the agent may fill the 2 MiB by itself)
        const ticksStored = () => {
          const c = new BetterSqlite3(db, { readonly: true });
          try {
            return (c.prepare('SELECT COUNT(*) AS n FROM tick').get() as { n: number }).n;
          } finally {
            c.close();
          }
        };
        await waitFor(() => existsSync(db) && ticksStored() >= 1, 'a stored tick');

        const ballast = join(mnt, 'ballast');
        fillDisk(ballast);
        await waitFor(() => storeMessages(sink).length >= 1, 'the storage alert');
        const alert = storeMessages(sink);
        // Received while the disk is still full: the ballast is still there and the filesystem has no room.
        expect(existsSync(ballast)).toBe(true);
        expect(statfsSync(mnt).bavail * statfsSync(mnt).bsize).toBeLessThan(64 * 1024);
        const [firing] = alertsOf(alert[0].body);
        expect(firing).toMatchObject({ state: 'firing', ruleKind: 'agent-health', labels: expect.objectContaining({ check: 'store' }) });
        expect(firing.summary).toContain('The disk holding the database is full');
        const fullAtMs = alert[0].atMs;

        // The fault lasts 12 sampling intervals (3 s) before space is freed, so "said once" covers many ticks.
        await new Promise((r) => setTimeout(r, 3_000));
        expect(storeMessages(sink), JSON.stringify(storeMessages(sink).map((r) => r.body))).toHaveLength(1);
        // Free space: the ballast goes, and the filesystem grows, so the agent's own growth (its WAL) cannot
        // fill it again at once on a host with many processes.
        rmSync(ballast);
        execFileSync('mount', ['-o', 'remount,size=16m', mnt]);
        await waitFor(() => storeMessages(sink).length >= 2, 'the recovery');
        const [resolved] = alertsOf(storeMessages(sink)[1].body);
        expect(resolved).toMatchObject({ state: 'resolved', ruleKind: 'agent-health' });
        expect(resolved.summary).toMatch(/^the database takes writes again after \S+; the samples missed are recorded as a gap$/);

        child.kill('SIGTERM');
        const [code] = await once(child, 'exit');
        agent.child = null;
        expect(code, agent.stderr).toBe(0);

        const conn = new BetterSqlite3(db, { readonly: true });
        try {
          const gaps = conn.prepare("SELECT start_ms, end_ms, detail FROM gap WHERE reason = 'store-unwritable'").all() as {
            start_ms: number;
            end_ms: number;
            detail: string;
          }[];
          expect(gaps).toHaveLength(1);
          // the hole covers the time the disk was seen full, at least the 3 s it was kept full
          expect(gaps[0].start_ms).toBeLessThanOrEqual(fullAtMs);
          expect(gaps[0].end_ms).toBeGreaterThan(fullAtMs);
          expect(gaps[0].end_ms - gaps[0].start_ms).toBeGreaterThanOrEqual(3_000);
          expect(gaps[0].detail).toMatch(/^\d+ s of samples not stored: /);
        } finally {
          conn.close();
        }
        // Only the two notifications: nothing repeated from the outbox afterwards.
        expect(storeMessages(sink), JSON.stringify(storeMessages(sink).map((r) => r.body))).toHaveLength(2);
        const lines = agent.stderr.split('\n');
        expect(
          lines.filter((l) => l.includes('The disk holding the database is full')),
          agent.stderr,
        ).toHaveLength(1);
        // the agent's recovery line (delivery may also have said, once, that it waits until the database "takes writes again")
        expect(
          lines.filter((l) => l.includes('the database takes writes again after')),
          agent.stderr,
        ).toHaveLength(1);
        // nothing else logs the fault at every tick (the alerts module did, and delivery polls every 250 ms)
        expect(
          lines.filter((l) => l.startsWith('{"level":50')),
          agent.stderr,
        ).toHaveLength(1);
      } finally {
        if (agent.child) {
          agent.child.kill('SIGKILL');
          await once(agent.child, 'exit');
        }
        execFileSync('umount', [mnt]);
      }
    },
  );
});
