/**
 * Time from a real OOM kill to the Slack POST, through the production path: the agent runs as a child
 * process with its default rules (10 s sampling interval), a Slack channel pointed at a loopback HTTP
 * server, and a process in a throwaway memory cgroup grows past the limit. The kill instant is when the
 * kernel's SIGKILL ends the hog (seen by this process); the POST instant is when the server receives it.
 * Needs root and a memory cgroup. Prints figures; asserts nothing.
 *   node dist/scripts/bench/alert-latency.js [RUNS]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOomCgroup, memoryCgroupSupport, removeOomCgroup, runHogInCgroup } from '../../test/helpers/oom-cgroup.js';
import { startHttpSink } from '../../test/helpers/http-sink.js';
import { makeTempDir } from '../../test/helpers/tmp.js';
import { packageRoot } from '../../src/util/package-root.js';

const runs = Number(process.argv[2] ?? 5);
const support = memoryCgroupSupport();
if (!support.ok) {
  console.error(`alert-latency: cannot run: ${support.reason}`);
  process.exit(77);
}
const tmp = makeTempDir();
const sink = await startHttpSink();
const cfg = join(tmp.dir, 'bench.yaml');
writeFileSync(cfg, `agent: {logLevel: warn}\nchannels:\n  slack: {type: slack, webhookUrl: ${JSON.stringify(sink.url)}}\n`);
const agent = spawn(
  process.execPath,
  [join(packageRoot(), 'dist/src/cli/bin.js'), 'run', '--config', cfg, '--db', join(tmp.dir, 'bench.db')],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
agent.stderr.on('data', () => {});
await new Promise((r) => setTimeout(r, 3000)); // start-up, backlog of earlier kills
const latencies: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    await new Promise((r) => setTimeout(r, 1500));
    const before = sink.requests.length;
    const cg = createOomCgroup({ limitBytes: 64 * 1024 * 1024 });
    try {
      const hog = await runHogInCgroup(cg, { comm: `bench-hog-${i}` });
      await hog.exited;
      const killedAt = Date.now();
      const deadline = killedAt + 15_000;
      let post: number | null = null;
      while (Date.now() < deadline && post === null) {
        const hit = sink.requests.slice(before).find((r) => r.raw.includes(`bench-hog-${i}`));
        if (hit) post = hit.atMs;
        else await new Promise((r) => setTimeout(r, 5));
      }
      if (post === null) console.log(JSON.stringify({ bench: 'kill-to-slack', run: i, error: 'no POST within 15 s' }));
      else latencies.push(post - killedAt);
    } finally {
      await removeOomCgroup(cg);
    }
  }
} finally {
  agent.kill('SIGTERM');
  await once(agent, 'exit');
  await sink.close();
  tmp.cleanup();
}
latencies.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    bench: 'kill-to-slack',
    runs: latencies.length,
    samplingIntervalMs: 10_000,
    msMin: latencies[0],
    msMedian: latencies[Math.floor(latencies.length / 2)],
    msMax: latencies[latencies.length - 1],
    all: latencies,
  }),
);
