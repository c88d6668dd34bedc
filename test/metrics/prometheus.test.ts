import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/validate.js';
import { silentLogger } from '../../src/log.js';
import { createMetrics } from '../../src/metrics/index.js';
import { findBinary, requireInCi, startPrometheus, waitFor } from './daemon.js';
import { snapshotWith } from './snapshot-factory.js';

const prometheus = findBinary(['prometheus']);
requireInCi(prometheus, 'prometheus');

interface QueryResult {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe('a real Prometheus scraping the agent', () => {
  it.skipIf(!prometheus)(
    'finds oomwatch_build_info and the host memory series (skipped only where prometheus is not installed)',
    async () => {
      const r = validateConfig({ metrics: { enabled: true, listen: '127.0.0.1:0', topN: 5 } });
      if (!r.ok) throw new Error(r.errors.join('\n'));
      const metrics = createMetrics({ config: r.config, log: silentLogger(), version: '0.1.0-test' });
      const { port } = await metrics.server!.start();
      metrics.onTick(snapshotWith(100), { durationMs: 40, missed: 0 });

      const dir = mkdtempSync(join(tmpdir(), 'oomwatch-prom-'));
      const { daemon, port: promPort } = await startPrometheus(prometheus!, dir, [port]);
      try {
        const query = (q: string) => async () => {
          const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
          if (!res.ok) return null;
          const body = (await res.json()) as QueryResult;
          return body.data.result.length ? body.data.result : null;
        };
        const build = await waitFor('oomwatch_build_info in Prometheus', daemon, query('oomwatch_build_info'));
        expect(build).toHaveLength(1);
        expect(build[0].metric).toMatchObject({
          __name__: 'oomwatch_build_info',
          job: 'oomwatch',
          instance: `127.0.0.1:${port}`,
          version: '0.1.0-test',
          node: process.versions.node,
        });
        const avail = await waitFor('oomwatch_memory_available_bytes', daemon, query('oomwatch_memory_available_bytes'));
        expect(Number(avail[0].value[1])).toBe(6 * 1024 ** 3);
        const top = await waitFor('top-process risk', daemon, query('count(oomwatch_top_process_risk_permille)'));
        expect(top[0].value[1]).toBe('5');
        // Prometheus itself reports the target healthy (the exposition parsed without errors).
        const up = await waitFor('up', daemon, query('up{job="oomwatch"}'));
        expect(up[0].value[1]).toBe('1');
      } finally {
        await daemon.stop();
        await metrics.server!.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
