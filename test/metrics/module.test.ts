/**
 * The metrics agent module on a real SQLite store: kills, firing alerts and channel state are pulled
 * from the tables the kernel watcher, the rules engine and the dispatcher write, and served over HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { validateConfig } from '../../src/config/validate.js';
import { createLogger } from '../../src/log.js';
import { createMetricsModule } from '../../src/metrics/module.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { createOutboxRepo, enqueueNotifications } from '../../src/store/outbox-repo.js';
import { draft } from '../notify/factories.js';
import { T0 } from '../notify/fixed-instant.js';
import { snapshotWith } from './snapshot-factory.js';
import { createStore } from '../../src/store/store.js';

/** The wall-clock instant the manual clocks of this file start at. */
const START_MS = Date.UTC(2026, 0, 1);

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function store(): Database {
  const dir = mkdtempSync(join(tmpdir(), 'oomwatch-metrics-'));
  const db = openDatabase(join(dir, 'oomwatch.db'));
  cleanups.push(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

let seq = 0;
function recordIncident(db: Database, source: string, constraintKind: string | null): void {
  db.prepare('INSERT INTO incident (source, dedupe_key, hostname, constraint_kind, created_ms) VALUES (?, ?, ?, ?, ?)').run(
    source,
    `k-${++seq}`,
    'web-1',
    constraintKind,
    1,
  );
}

function alertInstance(db: Database, fingerprint: string, ruleId: string, status: 'pending' | 'firing', severity: string): void {
  db.prepare(
    `INSERT INTO alert_instance (fingerprint, rule_id, status, severity, summary, active_since_ms, fired_at_ms, muted_by, state_json, updated_at_ms)
     VALUES (?, ?, ?, ?, 's', 1, NULL, NULL, ?, 1)`,
  ).run(fingerprint, ruleId, status, severity, JSON.stringify({ alert: {} }));
}

const series = (text: string, name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe('the metrics agent module', () => {
  it('serves kills, alerts and channel state read from the store, and the ticks it is fed', async () => {
    const db = store();
    recordIncident(db, 'kmsg', 'memcg'); // before the agent started: history, not this run's count
    const r = validateConfig({
      metrics: { enabled: true, listen: '127.0.0.1:0' },
      channels: { ops: { type: 'console' }, quiet: { type: 'console' } },
    });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const mod = createMetricsModule({
      config: r.config,
      log: createLogger({ level: 'silent' }),
      clock: manualClock(START_MS),
      store: createStore(db),
    });
    cleanups.push(() => void mod.stop!());
    expect(mod.port()).toBeNull();
    await mod.start!();
    const port = mod.port()!;
    expect(port).toBeGreaterThan(0);

    recordIncident(db, 'kmsg', 'memcg');
    recordIncident(db, 'kmsg', 'memcg');
    recordIncident(db, 'counter', null);
    recordIncident(db, 'import', 'global'); // an imported old log: not a kill on this host now
    alertInstance(db, 'fp-1', 'oom-kill', 'firing', 'critical');
    alertInstance(db, 'fp-2', 'process-risk-high', 'firing', 'warning');
    alertInstance(db, 'fp-3', 'process-risk-high', 'pending', 'warning');
    enqueueNotifications(db, [draft(T0, { channel: 'ops', dedupKey: 'd1' }), draft(T0, { channel: 'ops', dedupKey: 'd2' })]);
    const outbox = createOutboxRepo(db);
    const [first] = outbox.due('ops', Number.MAX_SAFE_INTEGER, 1);
    outbox.markRetry('ops', [first.id], 10, 20, 'connection refused', 'failing');

    await mod.onTick!({ snapshot: snapshotWith(3), previous: null, tickId: 1, fresh: true, nowMs: 0, durationMs: 30, missedTicks: 4 });
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(series(text, 'oomwatch_ticks_missed_total')).toEqual(['oomwatch_ticks_missed_total 4']);
    expect(
      series(text, 'oomwatch_oom_incidents_total')
        .filter((l) => !l.endsWith(' 0'))
        .sort(),
    ).toEqual([
      'oomwatch_oom_incidents_total{constraint="memcg",source="kmsg"} 2',
      'oomwatch_oom_incidents_total{constraint="unknown",source="counter"} 1',
    ]);
    expect(series(text, 'oomwatch_alerts_firing').sort()).toEqual([
      'oomwatch_alerts_firing{rule="oom-kill",severity="critical"} 1',
      'oomwatch_alerts_firing{rule="process-risk-high",severity="warning"} 1',
    ]);
    expect(series(text, 'oomwatch_notification_queue_depth').sort()).toEqual([
      'oomwatch_notification_queue_depth{channel="ops"} 2',
      'oomwatch_notification_queue_depth{channel="quiet"} 0',
    ]);
    expect(text).toContain('oomwatch_notification_consecutive_failures{channel="ops"} 1');
    expect(text).toContain('oomwatch_notification_channel_state{channel="ops",state="failing"} 1');

    // A scrape counts new kills without waiting for a tick, and never counts one twice.
    recordIncident(db, 'kmsg', 'global');
    const again = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(
      series(again, 'oomwatch_oom_incidents_total')
        .filter((l) => !l.endsWith(' 0'))
        .sort(),
    ).toEqual([
      'oomwatch_oom_incidents_total{constraint="global",source="kmsg"} 1',
      'oomwatch_oom_incidents_total{constraint="memcg",source="kmsg"} 2',
      'oomwatch_oom_incidents_total{constraint="unknown",source="counter"} 1',
    ]);

    await mod.stop!();
    expect(mod.port()).toBeNull();
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('warns on reload that a changed metrics section needs a restart, and only then', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } });
    const configOf = (metrics: Record<string, unknown>) => {
      const r = validateConfig({ metrics });
      if (!r.ok) throw new Error(r.errors.join('\n'));
      return r.config;
    };
    const config = configOf({ enabled: true, listen: '127.0.0.1:0' });
    const mod = createMetricsModule({ config, log, clock: manualClock(START_MS), store: createStore(store()) });
    mod.reload!(config);
    expect(lines).toEqual([]);
    mod.reload!(configOf({ enabled: true, listen: '127.0.0.1:0', topN: 3 }));
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual([
      'metrics: the changed metrics section takes effect at the next restart (systemctl restart oomwatch)',
    ]);
  });

  it('keeps serving the last values when the database cannot be read', async () => {
    const db = store();
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(s) } });
    const r = validateConfig({ metrics: { enabled: true, listen: '127.0.0.1:0' } });
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const mod = createMetricsModule({ config: r.config, log, clock: manualClock(START_MS), store: createStore(db) });
    cleanups.push(() => void mod.stop!());
    await mod.start!();
    alertInstance(db, 'fp-1', 'oom-kill', 'firing', 'critical');
    db.exec('DROP TABLE alert_instance');
    const res = await fetch(`http://127.0.0.1:${mod.port()}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^oomwatch_build_info\{/m);
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['metrics: could not refresh from the database; serving the previous values']);
  });
});

describe('the metrics agent module with metrics disabled', () => {
  it('listens nowhere and does no work per tick', async () => {
    const db = store();
    const r = validateConfig({});
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const mod = createMetricsModule({
      config: r.config,
      log: createLogger({ level: 'silent' }),
      clock: manualClock(START_MS),
      store: createStore(db),
    });
    await mod.start!();
    expect(mod.port()).toBeNull();
    await mod.onTick!({ snapshot: snapshotWith(3), previous: null, tickId: 1, fresh: true, nowMs: 0, durationMs: 30, missedTicks: 2 });
    const text = await mod.metrics.render();
    expect(series(text, 'oomwatch_ticks_missed_total')).toEqual(['oomwatch_ticks_missed_total 0']);
    expect(series(text, 'oomwatch_memory_total_bytes')).toEqual(['oomwatch_memory_total_bytes 0']);
    expect(series(text, 'oomwatch_top_process_risk_permille')).toEqual([]);
    await mod.stop!();
  });
});
