/**
 * A storm of real OOM kills against the running agent (default rules), delivered to a JSON webhook and
 * to Slack, both real HTTP servers on loopback: every kill is told exactly once across everything the
 * two receivers got, whether it went out alone or inside a digest. Real clock throughout.
 * CI (CI=true, root) must run it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import {
  createOomCgroup,
  memoryCgroupSupport,
  removeOomCgroup,
  runHogInCgroup,
  type HogRun,
  type OomCgroup,
} from '../helpers/oom-cgroup.js';
import { makeTempDir } from '../helpers/tmp.js';

const support = memoryCgroupSupport();
const missing = support.ok ? null : (support.reason ?? 'no memory cgroup');
const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const KILLS = 8;

interface KillEntry {
  ruleKind: string;
  incidentId: number | null;
  process: { pid: number } | null;
}

function query<T>(db: string, sql: string): T | null {
  try {
    const c = new BetterSqlite3(db, { readonly: true, fileMustExist: true });
    try {
      return c.prepare(sql).get() as T;
    } finally {
      c.close();
    }
  } catch {
    return null; // not created yet
  }
}

async function waitFor<T>(what: string, fn: () => T | null | undefined | false, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const killEntries = (sink: HttpSink): KillEntry[] =>
  sink.requests.flatMap((r) => ((r.body as { alerts?: KillEntry[] }).alerts ?? []).filter((a) => a.ruleKind === 'oom-kill'));

describe('a storm of real OOM kills', () => {
  it.runIf(process.env.CI === 'true' && missing !== null)('CI must be able to run the storm', () => {
    expect.fail(`CI=true but the OOM storm cannot run: ${missing}`);
  });

  it.skipIf(missing !== null)(
    `tells each of ${KILLS} kills once, on a webhook and on Slack${missing ? ` (skipped: ${missing})` : ''}`,
    async () => {
      const hook = await startHttpSink();
      const slack = await startHttpSink();
      const db = join(tmp.dir, 'storm.db');
      const cfg = join(tmp.dir, 'storm.yaml');
      writeFileSync(
        cfg,
        [
          'agent: {logLevel: warn}',
          'sample: {interval: 300ms, keyframeEvery: 1m}',
          'channels:',
          `  hook: {type: webhook, url: ${JSON.stringify(hook.url)}}`,
          `  team-slack: {type: slack, webhookUrl: ${JSON.stringify(slack.url)}}`,
        ].join('\n'),
      );
      const agent = spawn(process.execPath, [CLI, 'run', '--config', cfg, '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      agent.stderr.on('data', (d) => (stderr += d));
      const groups: OomCgroup[] = [];
      try {
        await waitFor('the agent to tick', () => (query<{ n: number }>(db, 'SELECT COUNT(*) AS n FROM tick')?.n ?? 0) > 2);
        for (let i = 0; i < KILLS; i++) groups.push(createOomCgroup({ limitBytes: 24 * 1024 * 1024 }));
        const hogs: HogRun[] = await Promise.all(groups.map((cg, i) => runHogInCgroup(cg, { comm: `storm-hog-${i}`, stepDelayMs: 5 })));
        const ends = await Promise.all(hogs.map((h) => h.exited));
        expect(ends.map((e) => e.signal)).toEqual(hogs.map(() => 'SIGKILL'));
        const pids = new Set(hogs.map((h) => h.pid));

        // every kill reached the webhook, and nothing is left to send on either channel
        await waitFor(
          'every kill on the webhook',
          () =>
            new Set(killEntries(hook).map((a) => a.process?.pid)).size >= pids.size &&
            [...pids].every((p) => killEntries(hook).some((a) => a.process?.pid === p)),
        );
        await waitFor(
          'an empty outbox',
          () => query<{ n: number }>(db, "SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")?.n === 0,
        );

        // webhook: each incident once across every body; our kills are exactly KILLS entries, one per victim
        const entries = killEntries(hook);
        const ids = entries.map((a) => a.incidentId);
        expect(ids.length).toBe(new Set(ids).size);
        const ours = entries.filter((a) => a.process && pids.has(a.process.pid));
        expect(ours.length).toBe(KILLS);
        expect(new Set(ours.map((a) => a.process!.pid)).size).toBe(KILLS);
        // a kill message names its new kill(s) in the title, and says how many earlier kills it is not repeating
        for (const r of hook.requests) {
          const b = r.body as { title: string; alerts: KillEntry[]; earlierKills: { count: number } | null };
          const mine = b.alerts.filter((a) => a.ruleKind === 'oom-kill' && a.process);
          if (mine.length) expect(b.title).toContain(`pid ${mine[0].process!.pid}`);
        }
        expect(hook.requests.every((r) => r.raw.length < 64 * 1024)).toBe(true);

        // Slack: each of our kills is in exactly one oom-kill section across all bodies. (Other alerts may name
        // the same incident: a cgroup alert that ends because its process was OOM-killed cites it.)
        const killSections = slack.requests.flatMap((r) =>
          ((r.body as { blocks?: { type: string; text?: { text: string } }[] }).blocks ?? [])
            .filter((b) => b.type === 'section' && b.text?.text.includes('`oom-kill`'))
            .map((b) => b.text!.text),
        );
        for (const a of ours) {
          const pid = a.process!.pid;
          expect(
            killSections.filter((t) => new RegExp(`\\(pid ${pid}\\)`).test(t)).length,
            `kill of pid ${pid} (incident ${a.incidentId}) on Slack`,
          ).toBe(1);
        }
      } finally {
        for (const cg of groups) await removeOomCgroup(cg);
        agent.kill('SIGTERM');
        if (agent.exitCode === null) await once(agent, 'exit');
        await hook.close();
        await slack.close();
      }
      expect(agent.exitCode, stderr).toBe(0);
    },
    120_000,
  );
});
