/**
 * The real agent (the built CLI, `oomwatch run`, on the real /proc) with metrics enabled: its endpoint
 * reports this host's memory as /proc/meminfo has it, passes `promtool check metrics`, and a real Prometheus scrapes it.
 * Uses dist/ (npm test builds before vitest).
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI } from '../helpers/cli.js';
import { findBinary, freePort, requireInCi, startDaemon, startPrometheus, waitFor, type Daemon } from './daemon.js';

const prometheus = findBinary(['prometheus']);
requireInCi(prometheus, 'prometheus');
const promtool = findBinary(['promtool']);
requireInCi(promtool, 'promtool (Debian package prometheus)');
const dirs: string[] = [];
const daemons: Daemon[] = [];
afterEach(async () => {
  for (const d of daemons.splice(0)) await d.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function agentConfig(port: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'oomwatch-e2e-metrics-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'config.yaml'),
    ['metrics:', '  enabled: true', `  listen: 127.0.0.1:${port}`, '  topN: 5', 'channels:', '  console: {type: console}', ''].join('\n'),
  );
  return dir;
}

function startAgent(dir: string): Daemon {
  const d = startDaemon(process.execPath, [
    CLI,
    'run',
    '--config',
    join(dir, 'config.yaml'),
    '--db',
    join(dir, 'oomwatch.db'),
    '--interval',
    '500ms',
  ]);
  daemons.push(d);
  return d;
}

const memTotalBytes = () => Number(/^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024;

describe('the agent’s metrics endpoint', () => {
  it('serves this host’s memory and the riskiest processes from real ticks, and is healthy while ticking', async () => {
    const port = await freePort();
    const agent = startAgent(agentConfig(port));
    const base = `http://127.0.0.1:${port}`;
    await waitFor('/healthz ok', agent, async () => {
      const r = await fetch(`${base}/healthz`);
      return r.status === 200 && ((await r.json()) as { status: string }).status === 'ok' ? true : null;
    });
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(new RegExp(`^oomwatch_memory_total_bytes ${memTotalBytes()}$`, 'm'));
    const top = text.split('\n').filter((l) => l.startsWith('oomwatch_top_process_risk_permille{'));
    expect(top.length).toBeGreaterThan(0);
    expect(top.length).toBeLessThanOrEqual(5);
    expect(top[0]).toMatch(/^oomwatch_top_process_risk_permille\{comm="[^"]{1,15}",unit="[^"]*"\} \d/);
    expect(text).toMatch(/^oomwatch_top_process_rank\{comm="[^"]{1,15}",unit="[^"]*"\} 1$/m);
    // Before any kill, every incident series is there at 0, so increase() sees the first kill.
    expect(text).toMatch(/^oomwatch_oom_incidents_total\{constraint="memcg",source="kmsg"\} 0$/m);
    expect(text).toMatch(/^oomwatch_tick_duration_seconds_count [1-9]/m);
    expect(text).not.toMatch(/\bpid="/);

    const exited = once(agent.child, 'exit');
    agent.child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    await expect(fetch(`${base}/metrics`)).rejects.toThrow();
  });

  it.skipIf(!promtool)(
    'serves an exposition that `promtool check metrics` accepts without a warning (skipped only where promtool is not installed)',
    async () => {
      const port = await freePort();
      const agent = startAgent(agentConfig(port));
      await waitFor('/healthz ok', agent, async () => {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`);
        return r.status === 200 && ((await r.json()) as { status: string }).status === 'ok' ? true : null;
      });
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      // promtool exits 3 on lint problems (e.g. a gauge named like a counter) and prints each one.
      const r = spawnSync(promtool!, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect({ status: r.status, problems: r.stdout + r.stderr }).toEqual({ status: 0, problems: '' });
    },
  );

  it.skipIf(!prometheus)(
    'is scraped by a real Prometheus, which stores the host’s MemTotal (skipped only where prometheus is not installed)',
    async () => {
      const port = await freePort();
      const dir = agentConfig(port);
      const agent = startAgent(dir);
      await waitFor('agent serving', agent, async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : null));
      const { daemon: prom, port: promPort } = await startPrometheus(prometheus!, dir, [port]);
      daemons.push(prom);
      const value = await waitFor('oomwatch_memory_total_bytes in Prometheus', prom, async () => {
        const r = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=oomwatch_memory_total_bytes`);
        const body = (await r.json()) as { data: { result: { value: [number, string] }[] } };
        return body.data.result[0]?.value[1] ?? null;
      });
      expect(Number(value)).toBe(memTotalBytes());
    },
  );
});
