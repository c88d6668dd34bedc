/**
 * A real OOM drill for the report: the agent runs as a child process (sampling every 500 ms, reading
 * /dev/kmsg) while a hog grows slowly in a memory cgroup beside an innocent sibling; the kernel kills the
 * hog; then `oomwatch report --incident ID --format json` must name the hog as the culprit with its rising
 * history, name the kernel's victim, and show the sibling's flat history. Needs root, a memory cgroup
 * and /dev/kmsg: with CI=true a missing capability is a failure, elsewhere the test is skipped with the reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { IncidentReport } from '../../src/report/types.js';
import { CLI, runCli } from '../helpers/cli.js';
import { createOomCgroup, memoryCgroupSupport, removeOomCgroup, runHogInCgroup, type OomCgroup } from '../helpers/oom-cgroup.js';
import { makeTempDir } from '../helpers/tmp.js';

const support = memoryCgroupSupport();
const missing = !support.ok
  ? support.reason
  : !existsSync('/dev/kmsg')
    ? '/dev/kmsg does not exist'
    : !existsSync(CLI)
      ? `${CLI} is not built (npx tsc -p .)`
      : null;
const inCi = process.env.CI === 'true';
const tmp = makeTempDir('oomwatch-drill-');
afterAll(() => tmp.cleanup());
const MiB = 1024 ** 2;

/** Ticks the agent committed so far (read-only; 0 while the database is being created). */
function committedTicks(dbPath: string): number {
  try {
    const db = new BetterSqlite3(dbPath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM tick').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

async function waitFor(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A steady process holding `mb` MiB, moved into the cgroup: the innocent sibling. */
async function startSibling(cg: OomCgroup, mb: number): Promise<ChildProcess> {
  const code = [
    'import ctypes, sys, time',
    `ctypes.CDLL(None).prctl(15, b"innocent", 0, 0, 0)`,
    `b = bytearray(${mb} * 1024 * 1024)`,
    'for j in range(0, len(b), 4096): b[j] = 1',
    "print('ready', flush=True)",
    'time.sleep(600)',
  ].join('\n');
  const child = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
    child.once('error', reject);
  });
  writeFileSync(join(cg.dir, 'cgroup.procs'), String(child.pid));
  return child;
}

describe('report after a real OOM drill', () => {
  it.runIf(inCi && missing !== null)('CI must be able to run the drill', () => {
    expect.fail(`CI=true but the OOM drill cannot run: ${missing}`);
  });

  it.skipIf(missing !== null)(
    `names the growing hog as the culprit and the kernel's victim${missing ? ` (skipped: ${missing})` : ''}`,
    async () => {
      const dbPath = join(tmp.dir, 'drill.db');
      const configPath = join(tmp.dir, 'config.yaml');
      writeFileSync(configPath, 'sample:\n  interval: 500ms\n  keyframeEvery: 5s\n');
      let cg: OomCgroup | null = null;
      let sibling: ChildProcess | null = null;
      let agent: ChildProcess | null = null;
      try {
        cg = createOomCgroup({ limitBytes: 160 * MiB });
        sibling = await startSibling(cg, 24);
        agent = spawn(process.execPath, [CLI, 'run', '--db', dbPath, '--interval', '500ms', '--config', configPath], {
          stdio: ['ignore', 'pipe', 'pipe'],
          cwd: tmp.dir,
          env: { ...process.env, OOMWATCH_CONFIG: '' },
        });
        let stderr = '';
        let agentExit: number | null = null;
        agent.stderr!.on('data', (d) => (stderr += d));
        agent.once('exit', (c) => (agentExit = c ?? -1));
        const running = () => {
          if (agentExit !== null) throw new Error(`the agent exited (${agentExit}): ${stderr}`);
          return true;
        };
        await waitFor(() => running() && stderr.includes('oomwatch agent running'), 'the agent to start');
        await waitFor(() => running() && committedTicks(dbPath) >= 4, 'a few ticks before the growth starts');

        const hog = await runHogInCgroup(cg, { comm: 'oomwatch-hog', stepDelayMs: 100 });
        const end = await hog.exited;
        expect(end.signal).toBe('SIGKILL');
        const db = new BetterSqlite3(dbPath, { readonly: true });
        let incidentId: number | null = null;
        try {
          const find = db.prepare('SELECT id FROM incident WHERE victim_pid = ? AND oom_memcg = ? ORDER BY id DESC LIMIT 1');
          await waitFor(
            () => running() && (incidentId = (find.get(hog.pid, cg!.cgroupPath) as { id: number } | undefined)?.id ?? null) !== null,
            'the kill to be stored',
          );
        } finally {
          db.close();
        }
        // two more ticks: the samples after the kill
        const ticksAtKill = committedTicks(dbPath);
        await waitFor(() => running() && committedTicks(dbPath) >= ticksAtKill + 2, 'two ticks after the kill');
        agent.kill('SIGTERM');
        await once(agent, 'exit');
        agent = null;

        const r = await runCli(['report', '--incident', String(incidentId), '--window', '1m', '--format', 'json', '--db', dbPath], {
          cwd: tmp.dir,
        });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const report = JSON.parse(r.stdout) as IncidentReport;
        expect(report.incident).toMatchObject({
          constraint: 'memcg',
          oomMemcg: cg.cgroupPath,
          victim: { pid: hog.pid, comm: 'oomwatch-hog' },
        });
        expect(report.verdict.kernelVictim).toEqual({ pid: hog.pid, comm: 'oomwatch-hog' });
        expect(
          report.culprit,
          JSON.stringify({ growth: report.growth, missing: report.missing, rankings: report.rankings.at(-1) }),
        ).toMatchObject({ pid: hog.pid, comm: 'oomwatch-hog', isVictim: true });
        expect(report.culprit!.growthBytes).toBeGreaterThan(50 * MiB);
        // Its rising history: at least four sampled buckets, ending far above where it started.
        const hist = report.culprit!.series.filter((v): v is number => v !== null);
        const ctx = JSON.stringify(report.culprit);
        expect(hist.length, ctx).toBeGreaterThanOrEqual(4);
        expect(hist[hist.length - 1]).toBeGreaterThan(hist[0] + 50 * MiB);
        // The innocent sibling was there all along and did not grow.
        const innocent = report.growth.find((g) => g.comm === 'innocent');
        expect(innocent, JSON.stringify(report.growth.map((g) => g.comm))).toBeDefined();
        expect(Math.abs(innocent!.growthBytes)).toBeLessThan(8 * MiB);
        expect(report.rankings.at(-1)).toMatchObject({ domain: 'cgroup', cgroup: cg.cgroupPath });
        expect(report.cgroup).toMatchObject({ path: cg.cgroupPath, limitBytes: 160 * MiB });
      } finally {
        if (agent) {
          agent.kill('SIGTERM');
          await once(agent, 'exit');
        }
        sibling?.kill('SIGKILL');
        if (cg) await removeOomCgroup(cg);
      }
    },
    90_000,
  );
});
