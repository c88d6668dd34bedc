/**
 * Benchmark: how much memory Node.js itself needs for the agent's job, beside the agent, in one run.
 * With N extra idle processes (started and reaped by the bench), each of these runs for the same time at
 * the same interval with the agent's node flags and environment (src/agent/node-runtime.ts), one after the
 * other, and the bench prints its VmHWM, VmRSS and their anonymous and file-backed parts:
 *
 * - bare: Node.js with a timer;
 * - read: plus the five files per process the C floor reads, into one reused buffer, no strings kept;
 * - store: plus the agent's SQLite (its pragmas and schema) and a row per changed process per tick;
 * - agent: the real agent (`oomwatch run`, the embedded default config, a fresh database).
 *
 * The first three are the floor any Node.js agent doing this job stands on; the agent's figure above
 * `store` is everything else it does (rules, trends, reports, alerts, the kernel watcher, metrics, the code
 * of all of it). Prints figures; asserts nothing.
 *
 *   npm run build && node dist/scripts/bench/node-floor.js [processes=2000] [interval=10s] [seconds=60]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_ENV, AGENT_NODE_FLAGS } from '../../src/agent/node-runtime.js';
import { packageRoot } from '../../src/util/package-root.js';
import { startIdleProcesses } from './c-helpers.js';
import { statusKib, threadCount } from './proc-stats.js';

const processes = Number(process.argv[2] ?? 2000);
const interval = process.argv[3] ?? '10s';
const seconds = Number(process.argv[4] ?? 60);
const intervalMs = Number(interval.slice(0, -1)) * (interval.endsWith('m') ? 60_000 : 1000);
const root = packageRoot();
const work = mkdtempSync(join(tmpdir(), 'oomwatch-bench-floor-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const MiB = (kib: number) => `${(kib / 1024).toFixed(1)} MB`;

async function measure(name: string, args: string[]): Promise<void> {
  const child = spawn(process.execPath, [...AGENT_NODE_FLAGS, ...args], {
    // The agent's log is left out; a floor's error shows.
    stdio: ['ignore', 'ignore', name === 'agent' ? 'ignore' : 'inherit'],
    env: { ...process.env, ...AGENT_ENV, OOMWATCH_CONFIG: '' },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await sleep(seconds * 1000);
  const pid = child.pid!;
  const [hwm, rss, anon, file] = ['VmHWM', 'VmRSS', 'RssAnon', 'RssFile'].map((k) => statusKib(pid, k));
  const threads = threadCount(pid);
  child.kill('SIGTERM');
  await exited;
  console.log(
    `  ${name.padEnd(6)} VmHWM ${MiB(hwm)}, VmRSS ${MiB(rss)} (anonymous ${MiB(anon)}, file-backed ${MiB(file)}), threads ${threads}`,
  );
}

const idle = await startIdleProcesses(processes, work);
try {
  console.log(`${processes} idle processes, ${interval} interval, each measured after ${seconds} s:`);
  const child = join(root, 'dist/scripts/bench/node-floor-child.js');
  await measure('bare', [child, 'bare', String(intervalMs)]);
  await measure('read', [child, 'read', String(intervalMs)]);
  await measure('store', [child, 'store', String(intervalMs), join(work, 'floor.db')]);
  await measure('agent', [join(root, 'dist/src/cli/bin.js'), 'run', '--db', join(work, 'agent.db'), '--interval', interval]);
} finally {
  idle.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
