import { createServer } from 'node:net';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { validateConfig } from '../../src/config/validate.js';
import { createMetrics, MetricsListenError, type Metrics } from '../../src/metrics/index.js';
import { silentLogger } from '../../src/log.js';
import { snapshotWith } from './snapshot-factory.js';

/** The wall-clock instant the manual clocks of this file start at. */
const START_MS = Date.UTC(2026, 0, 1);

function configWith(metrics: Record<string, unknown>) {
  const r = validateConfig({ metrics });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config;
}

/** Series lines (not # HELP/# TYPE) of one metric family in an exposition text. */
function series(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

const started: Metrics[] = [];
afterEach(async () => {
  for (const m of started.splice(0)) await m.server?.stop();
});

describe('metrics endpoint', () => {
  it('is off by default and bound to loopback when enabled without a listen address', () => {
    const dflt = configWith({});
    expect(dflt.metrics).toEqual({ enabled: false, listen: { host: '127.0.0.1', port: 9717 }, topN: 10 });
    expect(createMetrics({ config: dflt, log: silentLogger() }).server).toBeNull();
  });

  it('rejects a listen address that is not host:port, naming the key and an example', () => {
    const r = validateConfig({ metrics: { listen: '0.0.0.0' } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual(['metrics.listen: expected host:port such as 127.0.0.1:9717 or [::1]:9717, got "0.0.0.0"']);
  });

  it('warns when metrics listen beyond loopback', () => {
    const open = validateConfig({ metrics: { enabled: true, listen: '0.0.0.0:9717' } });
    expect(open.ok && open.warnings).toEqual([
      'metrics.listen: 0.0.0.0:9717 accepts connections from other hosts; /metrics names processes and units. ' +
        'Restrict it with a firewall or a TLS reverse proxy, or listen on 127.0.0.1.',
    ]);
    const local = validateConfig({ metrics: { enabled: true, listen: '[::1]:9717' } });
    expect(local.ok && local.warnings).toEqual([]);
  });

  it('serves /metrics over real HTTP with host memory, PSI, kills, alerts, queue, ticks and build info', async () => {
    const clock = manualClock(START_MS);
    const metrics = createMetrics({
      config: configWith({ enabled: true, listen: '127.0.0.1:0', topN: 3 }),
      log: silentLogger(),
      clock,
      version: '9.9.9',
    });
    started.push(metrics);
    const { port } = await metrics.server!.start();
    metrics.onTick(snapshotWith(20), { durationMs: 120, missed: 2 });
    metrics.onIncident({ constraint: 'CONSTRAINT_MEMCG', source: 'kmsg' });
    metrics.onIncident({ constraint: 'CONSTRAINT_MEMCG', source: 'kmsg' });
    metrics.onIncident({ constraint: 'CONSTRAINT_NONE', source: 'counter' });
    metrics.setAlerts([
      { ruleId: 'process-risk', severity: 'warning' },
      { ruleId: 'process-risk', severity: 'warning' },
      { ruleId: 'host-memory', severity: 'critical' },
    ]);
    metrics.setChannels([
      { channel: 'ops-slack', pending: 4, state: 'broken', consecutiveFailures: 3, sentTotal: 10, failedTotal: 7 },
      { channel: 'email', pending: 0, state: 'ok', consecutiveFailures: 0, sentTotal: 2, failedTotal: 0 },
    ]);

    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(series(text, 'oomwatch_build_info')).toEqual([`oomwatch_build_info{version="9.9.9",node="${process.versions.node}"} 1`]);
    expect(series(text, 'oomwatch_memory_total_bytes')).toEqual([`oomwatch_memory_total_bytes ${16 * 1024 ** 3}`]);
    expect(series(text, 'oomwatch_memory_available_bytes')).toEqual([`oomwatch_memory_available_bytes ${6 * 1024 ** 3}`]);
    expect(series(text, 'oomwatch_swap_total_bytes')).toEqual(['oomwatch_swap_total_bytes 0']);
    expect(text).toContain('oomwatch_memory_pressure_ratio{kind="some",window="10s"} 0.125');
    expect(text).toContain('oomwatch_memory_pressure_stall_seconds_total{kind="full"} 1');
    expect(series(text, 'oomwatch_kernel_oom_kills_total')).toEqual(['oomwatch_kernel_oom_kills_total 3']);
    expect(text).toContain('oomwatch_oom_incidents_total{constraint="memcg",source="kmsg"} 2');
    expect(text).toContain('oomwatch_oom_incidents_total{constraint="global",source="counter"} 1');
    expect(text).toContain('oomwatch_oom_incidents_total{constraint="cpuset",source="kmsg"} 0');
    expect(text).not.toMatch(/^oomwatch_nodejs_active_\w+_total/m);
    expect(text).toMatch(/^oomwatch_nodejs_active_handles\{type="\w+"\} \d/m);
    expect(series(text, 'oomwatch_alerts_firing').sort()).toEqual([
      'oomwatch_alerts_firing{rule="host-memory",severity="critical"} 1',
      'oomwatch_alerts_firing{rule="process-risk",severity="warning"} 2',
    ]);
    expect(text).toContain('oomwatch_notification_queue_depth{channel="ops-slack"} 4');
    expect(text).toContain('oomwatch_notifications_expired_total{channel="ops-slack"} 7');
    expect(text).toContain('oomwatch_notifications_sent_total{channel="email"} 2');
    expect(text).toContain('oomwatch_notification_consecutive_failures{channel="ops-slack"} 3');
    expect(series(text, 'oomwatch_notification_channel_state').filter((l) => l.includes('ops-slack'))).toEqual([
      'oomwatch_notification_channel_state{channel="ops-slack",state="ok"} 0',
      'oomwatch_notification_channel_state{channel="ops-slack",state="failing"} 0',
      'oomwatch_notification_channel_state{channel="ops-slack",state="broken"} 1',
    ]);
    expect(text).toContain('oomwatch_tick_duration_seconds_count 1');
    expect(text).toContain('oomwatch_tick_duration_seconds_bucket{le="0.25"} 1');
    expect(text).toContain('oomwatch_tick_duration_seconds_bucket{le="0.1"} 0');
    expect(series(text, 'oomwatch_ticks_missed_total')).toEqual(['oomwatch_ticks_missed_total 2']);
    expect(series(text, 'oomwatch_last_tick_timestamp_seconds')).toEqual([`oomwatch_last_tick_timestamp_seconds ${clock.nowMs() / 1000}`]);
    expect(series(text, 'oomwatch_top_process_risk_permille')[0]).toMatch(
      /^oomwatch_top_process_risk_permille\{comm="worker-19",unit="worker@19.service"\} \d/,
    );
    expect(series(text, 'oomwatch_top_process_rank').slice(0, 2)).toEqual([
      'oomwatch_top_process_rank{comm="worker-19",unit="worker@19.service"} 1',
      'oomwatch_top_process_rank{comm="worker-18",unit="worker@18.service"} 2',
    ]);
    expect(text).toContain('oomwatch_top_cgroup_memory_limit_bytes{cgroup="/docker/abc"} 1073741824');
    expect(series(text, 'oomwatch_top_cgroup_rank')).toEqual(['oomwatch_top_cgroup_rank{cgroup="/docker/abc"} 1']);
    expect(series(text, 'oomwatch_top_cgroup_next_victim_risk_permille')).toEqual([
      'oomwatch_top_cgroup_next_victim_risk_permille{cgroup="/docker/abc",comm="worker-19"} 20',
    ]);
    expect(text).toMatch(/^oomwatch_nodejs_eventloop_lag_p99_seconds \d/m);
    expect(text).toMatch(/^oomwatch_process_resident_memory_bytes \d/m);

    // The alert set is replaced, not accumulated.
    metrics.setAlerts([]);
    expect(series(await metrics.render(), 'oomwatch_alerts_firing')).toEqual([]);
  });

  it('exports every constraint and source of oomwatch_oom_incidents_total at 0 before the first kill, so increase() sees it', async () => {
    const metrics = createMetrics({ config: configWith({ enabled: true, listen: '127.0.0.1:0' }), log: silentLogger() });
    const before = series(await metrics.render(), 'oomwatch_oom_incidents_total');
    expect(before).toHaveLength(10);
    expect(before.every((l) => l.endsWith(' 0'))).toBe(true);
    metrics.onIncident({ constraint: 'CONSTRAINT_MEMCG', source: 'kmsg' });
    const after = series(await metrics.render(), 'oomwatch_oom_incidents_total');
    expect(after).toHaveLength(10);
    expect(after.filter((l) => !l.endsWith(' 0'))).toEqual(['oomwatch_oom_incidents_total{constraint="memcg",source="kmsg"} 1']);
  });

  it('keeps label cardinality bounded with 8,000 processes, and never exports a pid or a cmdline', async () => {
    const metrics = createMetrics({ config: configWith({ enabled: true, listen: '127.0.0.1:0', topN: 10 }), log: silentLogger() });
    // Two ticks with different process sets: a process that leaves the top N leaves the exposition.
    metrics.onTick(
      snapshotWith(8000, {}, (i) => ({ comm: `long-process-name-${i}` })),
      { durationMs: 900, missed: 0 },
    );
    metrics.onTick(
      snapshotWith(8000, {}, (i) => ({ comm: `other-${i}`, pid: 90_000 + i })),
      { durationMs: 900, missed: 0 },
    );
    const text = await metrics.render();
    for (const name of [
      'oomwatch_top_process_rank',
      'oomwatch_top_process_risk_permille',
      'oomwatch_top_process_badness_bytes',
      'oomwatch_top_process_rss_bytes',
      'oomwatch_top_process_oom_score_adj',
    ]) {
      const lines = series(text, name);
      expect(lines).toHaveLength(10);
      expect(lines.every((l) => /comm="other-79\d\d"/.test(l))).toBe(true);
    }
    expect(text).not.toMatch(/pid=|cmdline|--token|long-process/);
    // Everything the agent exports, default Node.js metrics included, stays small whatever the host runs.
    const allSeries = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(allSeries.length).toBeLessThan(200);
    const comms = [...text.matchAll(/comm="([^"]*)"/g)].map((m) => m[1]);
    expect(comms.every((c) => Array.from(c).length <= 15)).toBe(true);
  });

  it('answers /healthz: starting, ok after a tick, 503 once ticks stop', async () => {
    const clock = manualClock(START_MS);
    const metrics = createMetrics({ config: configWith({ enabled: true, listen: '127.0.0.1:0' }), log: silentLogger(), clock });
    started.push(metrics);
    const { port } = await metrics.server!.start();
    const get = async () => {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      return { status: r.status, body: await r.json() };
    };
    expect(await get()).toEqual({ status: 200, body: { status: 'starting', lastTickAgeMs: null } });
    metrics.onTick(snapshotWith(1), { durationMs: 5, missed: 0 });
    clock.advance(10_000);
    expect(await get()).toEqual({ status: 200, body: { status: 'ok', lastTickAgeMs: 10_000 } });
    clock.advance(25_000); // default interval 10s → stale after 30s
    expect(await get()).toEqual({ status: 503, body: { status: 'stale', lastTickAgeMs: 35_000 } });
    expect((await fetch(`http://127.0.0.1:${port}/nope`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('fails to start with a message naming metrics.listen when the port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const port = (blocker.address() as AddressInfo).port;
    try {
      const metrics = createMetrics({ config: configWith({ enabled: true, listen: `127.0.0.1:${port}` }), log: silentLogger() });
      const err = await metrics.server!.start().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MetricsListenError);
      expect((err as Error).message).toBe(
        `Cannot serve metrics on 127.0.0.1:${port}: the port is already in use (another oomwatch, or another exporter). ` +
          'Set metrics.listen to a free local address (e.g. 127.0.0.1:9717), or metrics.enabled: false.',
      );
      await metrics.server!.stop();
    } finally {
      blocker.close();
    }
  });
});
