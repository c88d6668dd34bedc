/**
 * The whole chain on a real kernel: the agent runs (as a child process, as in production), a process in
 * a memory cgroup it did not create grows past the limit, the kernel kills it, and the agent records the
 * incident linked to the victim's sampled history and keeps sampling. CI (CI=true, root) must run it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { CLI, runCli } from '../helpers/cli.js';
import { createOomCgroup, memoryCgroupSupport, removeOomCgroup, runHogInCgroup, type OomCgroup } from '../helpers/oom-cgroup.js';
import { makeTempDir } from '../helpers/tmp.js';

const support = memoryCgroupSupport();
const missing = support.ok ? null : (support.reason ?? 'no memory cgroup');
const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const ticks = (db: string) => {
  const c = new BetterSqlite3(db, { readonly: true, fileMustExist: true });
  try {
    return (c.prepare('SELECT COUNT(*) AS n FROM tick').get() as { n: number }).n;
  } finally {
    c.close();
  }
};

async function waitFor<T>(what: string, fn: () => T | null | undefined | Promise<T | null | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('OOM drill with the running agent', () => {
  it.runIf(process.env.CI === 'true' && missing !== null)('CI must be able to run the drill', () => {
    expect.fail(`CI=true but the OOM drill cannot run: ${missing}`);
  });

  it.skipIf(missing !== null)(
    `records the kill with victim identity, constraint, cgroup and history, and survives${missing ? ` (skipped: ${missing})` : ''}`,
    async () => {
      const db = join(tmp.dir, 'drill.db');
      const cfg = join(tmp.dir, 'drill.yaml');
      writeFileSync(cfg, 'sample:\n  interval: 300ms\n  keyframeEvery: 1m\nagent:\n  logLevel: warn\n');
      const agent = spawn(process.execPath, [CLI, 'run', '--config', cfg, '--db', db], {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, OOMWATCH_LOG_LEVEL: 'warn' },
      });
      let stderr = '';
      agent.stderr.on('data', (d) => (stderr += d));
      let cg: OomCgroup | null = null;
      try {
        await waitFor('the agent to tick', () => {
          try {
            return ticks(db) > 2;
          } catch {
            return false;
          }
        });
        cg = createOomCgroup({ limitBytes: 96 * 1024 * 1024 });
        // grows ~1 MiB per 20 ms: about 2 s to the limit, so the agent samples it on its way up
        const hog = await runHogInCgroup(cg, { comm: 'drill-hog', stepDelayMs: 20 });
        const ended = await hog.exited;
        expect(ended.signal).toBe('SIGKILL');

        const list = await waitFor('the incident', async () => {
          const r = await runCli(['incidents', '--since', '1h', '--json', '--db', db]);
          const doc = JSON.parse(r.stdout);
          const items: { id: number; victim: { pid: number } | null }[] = Array.isArray(doc) ? doc : doc.incidents;
          return items.find((i) => i.victim?.pid === hog.pid);
        });
        const detail = JSON.parse((await runCli(['incident', String(list.id), '--json', '--db', db])).stdout);
        expect(detail.incident).toMatchObject({
          constraint: 'memcg',
          oomMemcg: cg.cgroupPath,
          victim: { pid: hog.pid, comm: 'drill-hog', startTimeTicks: hog.startTimeTicks },
        });
        expect(detail.incident.victim.anonRssBytes).toBeGreaterThan(32 * 1024 * 1024);
        // linked to sampled history: the victim's rows before the kill, rising
        expect(detail.victimSamples.length).toBeGreaterThanOrEqual(2);
        const rss = detail.victimSamples.map((s: { rssBytes: number }) => s.rssBytes);
        expect(Math.max(...rss)).toBeGreaterThan(Math.min(...rss));
        // the kernel's task table came with it
        expect(detail.tasks.some((t: { pid: number }) => t.pid === hog.pid)).toBe(true);

        // the agent survived the drill and keeps sampling
        const before = ticks(db);
        await waitFor('a tick after the drill', () => ticks(db) > before);
        expect(agent.exitCode).toBeNull();
      } finally {
        if (cg) await removeOomCgroup(cg);
        agent.kill('SIGTERM');
        if (agent.exitCode === null) await once(agent, 'exit');
      }
      expect(agent.exitCode, stderr).toBe(0);
    },
  );
});
