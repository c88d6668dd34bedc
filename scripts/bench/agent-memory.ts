/**
 * Benchmark: the whole agent (`oomwatch run`, every module, default rules) on this host with N extra
 * idle processes, for a while: its resident memory over time (the unit caps it with MemoryMax=512M),
 * the CPU it used, and its tick durations from the store. Prints figures; asserts nothing.
 *
 *   npx tsc -p . && node dist/scripts/bench/agent-memory.js [processes=8000] [seconds=360] [interval=10s]
 *
 * Run as root to have /dev/kmsg; 360 s covers a keyframe (every 5 minutes).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/db.js';
import { packageRoot } from '../../src/util/package-root.js';
import { startIdleProcesses } from './c-helpers.js';
import { cpuSeconds, statusKib } from './proc-stats.js';

const n = Number(process.argv[2] ?? 8000);
const seconds = Number(process.argv[3] ?? 360);
const interval = process.argv[4] ?? '10s';
const work = mkdtempSync(join(tmpdir(), 'oomwatch-bench-agent-'));
const root = packageRoot();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const idle = await startIdleProcesses(n, work);
  const dbPath = join(work, 'agent.db');
  const agent = spawn(process.execPath, [join(root, 'dist/src/cli/bin.js'), 'run', '--db', dbPath, '--interval', interval], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, OOMWATCH_CONFIG: '' },
  });
  let stderr = '';
  agent.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const rss: number[] = [];
  try {
    for (let s = 0; s < seconds; s += 5) {
      await sleep(5000);
      if (agent.exitCode !== null) throw new Error(`the agent exited with ${agent.exitCode}:\n${stderr}`);
      rss.push(statusKib(agent.pid!, 'VmRSS'));
    }
    const hwm = statusKib(agent.pid!, 'VmHWM');
    const cpu = cpuSeconds(agent.pid!);
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));
    const db = openDatabase(dbPath, { readonly: true });
    const ticks = db.prepare('SELECT duration_us AS us, n_listed AS listed, keyframe FROM tick ORDER BY id').all() as {
      us: number;
      listed: number;
      keyframe: number;
    }[];
    db.close();
    const later = ticks
      .slice(1)
      .map((t) => t.us / 1000)
      .sort((a, b) => a - b);
    const mib = (kib: number) => (kib / 1024).toFixed(0);
    console.log(
      `agent with ${n} extra idle processes, ${seconds} s at ${interval}: ${ticks.length} ticks, ${ticks.at(-1)?.listed ?? 0} processes listed, ${ticks.filter((t) => t.keyframe).length} keyframes`,
    );
    console.log(`RSS: after 30 s ${mib(rss[5] ?? rss.at(-1)!)} MiB, at the end ${mib(rss.at(-1)!)} MiB, peak (VmHWM) ${mib(hwm)} MiB`);
    console.log(`CPU: ${cpu.toFixed(1)} s over ${seconds} s (${((cpu / seconds) * 100).toFixed(1)} % of one core)`);
    console.log(
      `tick duration (wall, sliced): first ${((ticks[0]?.us ?? 0) / 1000).toFixed(0)} ms, then median ${later[Math.floor(later.length / 2)]?.toFixed(0)} ms, max ${later.at(-1)?.toFixed(0)} ms`,
    );
    console.log(`database after the run: ${(statSync(dbPath).size / 1024 ** 2).toFixed(1)} MiB (plus WAL)`);
  } finally {
    if (agent.exitCode === null) agent.kill('SIGKILL');
    idle.kill('SIGTERM');
    await new Promise((r) => idle.once('exit', r));
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
