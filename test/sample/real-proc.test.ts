import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePidStat } from '../../src/sample/parse/pid-stat.js';
import { runCli } from '../helpers/cli.js';
import { startHog, stopHog } from '../helpers/hog.js';

describe('sample --once --json on the real /proc', () => {
  let hog: Awaited<ReturnType<typeof startHog>>;
  beforeAll(async () => {
    hog = await startHog(50, 500);
  });
  afterAll(async () => {
    await stopHog(hog);
  });

  it('reports a live child with its identity, adj, raw score and a risk consistent with score and RSS', async () => {
    const r = await runCli(['sample', '--once', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    const p = doc.processes.find((x: { pid: number }) => x.pid === hog.pid);
    expect(p).toBeDefined();
    const stat = parsePidStat(readFileSync(`/proc/${hog.pid}/stat`, 'utf8'));
    expect(p.startTimeTicks).toBe(stat.startTimeTicks);
    expect(p.bootId).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim());
    expect(p.oomScoreAdj).toBe(500);
    expect(p.rssBytes).toBeGreaterThan(50 * 1024 * 1024);
    expect(p.oomScore).toBe(Number(readFileSync(`/proc/${hog.pid}/oom_score`, 'utf8')));
    // risk = adj + (rss + swap + page tables) per mille of RAM+swap, to the kernel's 1 ‰ resolution
    const total = doc.memory.memTotalBytes + doc.memory.swapTotalBytes;
    const expected = 500 + ((p.rssBytes + p.swapBytes + p.pageTablesBytes) * 1000) / total;
    expect(Math.abs(p.risk - expected)).toBeLessThanOrEqual(2);
    expect(doc.oomScoreScale).toBe(
      doc.kernelRelease
        .match(/^(\d+)\.(\d+)/)
        .slice(1)
        .map(Number)
        .reduce((a: number, b: number) => a * 100 + b) >= 509
        ? 'new'
        : 'old',
    );
    for (const key of ['pid', 'startTimeTicks', 'comm', 'oomScore', 'oomScoreAdj', 'risk', 'rssBytes', 'swapBytes', 'cgroup'])
      expect(p).toHaveProperty(key);
    // in the host ranking only processes with an adj at least as high can stand before it (other tests may run such)
    const victims: { pid: number; oomScoreAdj: number }[] = doc.domains[0].nextVictims;
    const rank = victims.findIndex((v) => v.pid === hog.pid);
    const before = rank < 0 ? victims : victims.slice(0, rank);
    expect(before.every((v) => v.oomScoreAdj >= 500)).toBe(true);
  });
});
