/**
 * A real leak drill against the running agent: the agent runs as a child process (as in production) with
 * its default rules, sampling every second, and a JSON webhook pointed at a loopback HTTP sink; a process
 * in a memory cgroup made for the drill grows at a steady rate until the kernel kills it. What the sink
 * received and when the kill happened are handed back, for the early-warning test and the lead-time bench.
 * Needs root and a memory cgroup (see oom-cgroup.ts). Uses the real clock throughout.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { startHttpSink, type ReceivedRequest } from './http-sink.js';
import { createOomCgroup, removeOomCgroup, runHogInCgroup } from './oom-cgroup.js';

export interface LeakDrillOptions {
  /** The agent's entry point (dist/src/cli/bin.js). */
  cli: string;
  /** Folder for the config and the database. */
  dir: string;
  limitMiB: number;
  rateMiBPerSecond: number;
  /** The leaker's comm (at most 15 characters). */
  comm: string;
  /** How long to wait after the kill for the kill's own message. */
  afterKillMs?: number;
}

export interface WebhookAlert {
  ruleId: string;
  state: string;
  summary: string;
}

export interface LeakDrillResult {
  /** When the leaker started growing and when the kernel's SIGKILL ended it, as seen by this process (ms since the epoch). */
  startedAtMs: number;
  killedAtMs: number;
  signal: NodeJS.Signals | null;
  pid: number;
  /** Every request the sink received, in order of arrival. */
  requests: ReceivedRequest[];
  /** The agent's stderr (for failure messages). */
  stderr: string;
  agentExitCode: number | null;
}

export const alertsOf = (r: ReceivedRequest): WebhookAlert[] =>
  ((r.body as { alerts?: WebhookAlert[] } | null)?.alerts ?? []).filter((a) => typeof a?.summary === 'string');

const ticks = (db: string): number => {
  try {
    const c = new BetterSqlite3(db, { readonly: true, fileMustExist: true });
    try {
      return (c.prepare('SELECT COUNT(*) AS n FROM tick').get() as { n: number }).n;
    } finally {
      c.close();
    }
  } catch {
    return 0; // not created yet
  }
};

async function until(what: string, ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`leak drill: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runLeakDrill(o: LeakDrillOptions): Promise<LeakDrillResult> {
  const sink = await startHttpSink();
  const cfg = join(o.dir, `${o.comm}.yaml`);
  const db = join(o.dir, `${o.comm}.db`);
  writeFileSync(
    cfg,
    [
      'agent: {logLevel: warn}',
      'sample: {interval: 1s}',
      'channels:',
      `  hook: {type: webhook, url: ${JSON.stringify(sink.url)}}`,
      '',
    ].join('\n'),
  );
  const agent = spawn(process.execPath, [o.cli, 'run', '--config', cfg, '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  agent.stderr.on('data', (d) => (stderr += d));
  const cg = createOomCgroup({ limitBytes: o.limitMiB * 1024 * 1024 });
  let result: LeakDrillResult;
  try {
    await until('the agent to tick', () => ticks(db) > 2, 30_000);
    const hog = await runHogInCgroup(cg, { comm: o.comm, stepDelayMs: 1000 / o.rateMiBPerSecond });
    const startedAtMs = Date.now();
    const ended = await hog.exited;
    const killedAtMs = Date.now();
    // the kill's own message (the kernel module pages it at once)
    const afterKillMs = o.afterKillMs ?? 10_000;
    const named = `${o.comm} (pid ${hog.pid})`;
    await until(
      'the kill message',
      () => sink.requests.some((r) => alertsOf(r).some((a) => a.ruleId === 'oom-kill' && a.summary.includes(named))),
      afterKillMs,
    ).catch(() => undefined);
    result = { startedAtMs, killedAtMs, signal: ended.signal, pid: hog.pid, requests: [...sink.requests], stderr: '', agentExitCode: null };
  } finally {
    await removeOomCgroup(cg);
    agent.kill('SIGTERM');
    if (agent.exitCode === null && agent.signalCode === null) await once(agent, 'exit');
    await sink.close();
  }
  return { ...result, stderr, agentExitCode: agent.exitCode };
}
