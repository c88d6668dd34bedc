/**
 * Benchmark: the whole agent as a process, against the C floor, with N extra idle processes that the bench
 * starts and reaps itself. For each size and interval it runs the real agent binary (`oomwatch run`, the
 * embedded default config, a fresh database) and, in the same run and at the same rate, the C floor
 * (scripts/bench/floor.c: open/read/close of oom_score, oom_score_adj, statm, comm and stat of every process).
 * Prints figures; asserts nothing.
 *
 *   npm run build && node dist/scripts/bench/whole-agent.js [sizes=2000,8000] [intervals=1s,10s] [seconds=30|75]
 *
 * The agent runs with the node flags and environment of the systemd unit (src/agent/node-runtime.ts);
 * BENCH_BARE_NODE=1 runs it as plain `node` instead.
 *
 * Figures, per run:
 * - CPU ratio: the agent's CPU (utime + stime) after its first tick, divided by the floor's CPU over the same
 *   number of passes at the same rate. The first tick (identities, cgroups, a keyframe) is start-up, told apart.
 * - VmHWM and VmRSS at the end, threads (/proc/PID/task).
 * - the longest event-loop block after start-up and during it, from perf_hooks.monitorEventLoopDelay loaded into
 *   the agent with `--import` (a histogram sampled every 10 ms: it adds next to nothing and changes no behaviour).
 * - stored bytes per process per day: growth of the pages in use after the first tick, scaled to a day. A short run
 *   holds at most one keyframe, so this is indicative; bench/tick.ts and docs/sampling.md have the long figure.
 * - start-up: from spawn to "agent running" in the log and to the first tick committed in the database.
 * Run as root (the agent reads /dev/kmsg and writes its own oom_score_adj as it does in production).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_ENV, AGENT_NODE_FLAGS } from '../../src/agent/node-runtime.js';
import { openDatabase } from '../../src/store/db.js';
import { packageRoot } from '../../src/util/package-root.js';
import { compileC, startIdleProcesses } from './c-helpers.js';
import { cpuSeconds, statusKib, threadCount } from './proc-stats.js';

const sizes = (process.argv[2] ?? '2000,8000').split(',').map(Number);
const intervals = (process.argv[3] ?? '1s,10s').split(',');
const secondsArg = process.argv[4] ? Number(process.argv[4]) : null;
// The agent runs with the flags the systemd unit and npm start give it (src/agent/node-runtime.ts); BENCH_BARE_NODE=1 leaves them out.
const bare = process.env.BENCH_BARE_NODE === '1';
const nodeFlags = bare ? [] : AGENT_NODE_FLAGS;
const nodeEnv = bare ? {} : AGENT_ENV;
const root = packageRoot();
const work = mkdtempSync(join(tmpdir(), 'oomwatch-bench-whole-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const fileBytes = (path: string) => (existsSync(path) ? statSync(path).size : 0);

/** The database's logical size (pages in use, as committed, WAL included), through a read-only connection. */
function usedBytes(dbPath: string): number {
  const db = openDatabase(dbPath, { readonly: true });
  try {
    const n = (pragma: string) => Number(db.pragma(pragma, { simple: true }));
    return (n('page_count') - n('freelist_count')) * n('page_size');
  } finally {
    db.close();
  }
}
const parseMs = (d: string) => Number(d.slice(0, -1)) * (d.endsWith('s') ? 1000 : 60_000);

/** Preloaded into the agent: records the event loop's longest delay and writes it out when the agent exits. */
const LOOP_PROBE = `import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
let startupMaxMs = null;
// SIGUSR2 from the bench marks the end of start-up (the first tick is committed): start-up's longest block is kept apart.
process.on('SIGUSR2', () => { startupMaxMs = h.max / 1e6; h.reset(); });
process.on('exit', () => writeFileSync(process.env.OOMWATCH_BENCH_LOOP_OUT, JSON.stringify({ startupMaxMs, maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6 })));
`;

/** Polls `check` every 20 ms until it returns a value; the bench's own wall clock, not a test. */
async function until<T>(check: () => T | null, timeoutMs: number, what: string): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== null) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function runOnce(n: number, interval: string, floorBin: string, probe: string): Promise<void> {
  const intervalMs = parseMs(interval);
  const seconds = secondsArg ?? (intervalMs >= 10_000 ? 75 : 30);
  const dir = mkdtempSync(join(work, 'run-'));
  const dbPath = join(dir, 'agent.db');
  const loopOut = join(dir, 'loop.json');
  const t0 = performance.now();
  const agent = spawn(
    process.execPath,
    [...nodeFlags, '--import', probe, join(root, 'dist/src/cli/bin.js'), 'run', '--db', dbPath, '--interval', interval],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...nodeEnv, OOMWATCH_CONFIG: '', OOMWATCH_BENCH_LOOP_OUT: loopOut },
    },
  );
  let stderr = '';
  let runningAtMs = null as number | null;
  agent.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    if (runningAtMs === null && stderr.includes('oomwatch agent running')) runningAtMs = performance.now() - t0;
  });
  try {
    await until(
      () => {
        if (agent.exitCode !== null) throw new Error(`the agent exited with ${agent.exitCode}:\n${stderr}`);
        return fileBytes(dbPath) > 0 && firstTickDone(dbPath) ? true : null;
      },
      120_000,
      'the first tick',
    );
    const firstTickMs = performance.now() - t0;
    agent.kill('SIGUSR2');
    const cpuAfterFirst = cpuSeconds(agent.pid!);
    const bytesAfterFirst = usedBytes(dbPath);
    const passes = Math.max(1, Math.round((seconds * 1000) / intervalMs));
    const floor = spawn(floorBin, ['/proc', String(passes), String(intervalMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let floorOut = '';
    floor.stdout.on('data', (d) => (floorOut += d));
    await new Promise((r) => floor.once('exit', r));
    if (agent.exitCode !== null) throw new Error(`the agent exited with ${agent.exitCode}:\n${stderr}`);
    const floorCpuS = JSON.parse(floorOut).cpuUsTotal / 1e6;
    const agentCpuTotalS = cpuSeconds(agent.pid!);
    const agentCpuS = agentCpuTotalS - cpuAfterFirst;
    const elapsedS = (performance.now() - t0) / 1000;
    const hwmKib = statusKib(agent.pid!, 'VmHWM');
    const rssKib = statusKib(agent.pid!, 'VmRSS');
    const nThreads = threadCount(agent.pid!);
    const grown = usedBytes(dbPath) - bytesAfterFirst;
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));
    const loop = existsSync(loopOut)
      ? (JSON.parse(readFileSync(loopOut, 'utf8')) as { startupMaxMs: number | null; maxMs: number; p99Ms: number })
      : null;
    const perProcDay = (grown / n) * (86_400 / seconds);
    console.log(
      [
        `${n} idle processes at ${interval}, ${seconds} s (${passes} floor passes):`,
        `  CPU after the first tick: agent ${agentCpuS.toFixed(2)} s, floor ${floorCpuS.toFixed(2)} s, ratio ${(agentCpuS / floorCpuS).toFixed(2)}`,
        `  CPU from spawn (start-up included): agent ${agentCpuTotalS.toFixed(2)} s in ${elapsedS.toFixed(0)} s, ratio to the floor at the same rate ${(agentCpuTotalS / ((floorCpuS * elapsedS) / seconds)).toFixed(2)}`,
        `  memory: VmHWM ${(hwmKib / 1024).toFixed(0)} MB, VmRSS ${(rssKib / 1024).toFixed(0)} MB; threads ${nThreads}`,
        `  event loop after start-up: longest block ${loop ? loop.maxMs.toFixed(0) : '?'} ms, p99 ${loop ? loop.p99Ms.toFixed(0) : '?'} ms; during start-up ${loop?.startupMaxMs?.toFixed(0) ?? '?'} ms`,
        `  stored: ${(perProcDay / 1024).toFixed(1)} KiB per process per day (pages in use grown after the first tick, scaled to a day)`,
        `  start-up: "agent running" after ${runningAtMs?.toFixed(0) ?? '?'} ms, first tick committed after ${firstTickMs.toFixed(0)} ms`,
      ].join('\n'),
    );
  } finally {
    if (agent.exitCode === null) agent.kill('SIGKILL');
  }
}

/** Whether the agent has committed a tick (a row in `tick`, read through a read-only connection). */
function firstTickDone(dbPath: string): boolean {
  try {
    const db = openDatabase(dbPath, { readonly: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM tick').get() as { n: number }).n > 0;
    } finally {
      db.close();
    }
  } catch {
    return false; // not created or not migrated yet
  }
}

async function main(): Promise<void> {
  if (!existsSync(join(root, 'dist/src/cli/bin.js'))) throw new Error('build first: npm run build');
  const floorBin = compileC('floor', work);
  const probe = join(work, 'loop-probe.mjs');
  writeFileSync(probe, LOOP_PROBE);
  for (const n of sizes) {
    const idle = await startIdleProcesses(n, work);
    try {
      for (const interval of intervals) await runOnce(n, interval, floorBin, probe);
    } finally {
      idle.kill('SIGTERM');
      await new Promise((r) => idle.once('exit', r));
    }
  }
}

try {
  await main();
} finally {
  rmSync(work, { recursive: true, force: true });
}
