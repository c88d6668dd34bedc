/**
 * The first start on a new database, with the kernel's ring buffer holding a burst of recent kills (the
 * kernel module hands them over one by one before the alerts module starts): each kill is written to
 * the outbox once, and the digest the dispatcher would send lists each once. Real SQLite file; fixed
 * instant (manual clock) throughout.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { digestFromDrafts } from '../../src/notify/message.js';
import { renderWebhook } from '../../src/notify/render/webhook.js';
import type { NotificationDraft } from '../../src/notify/types.js';
import { createAlertsModule, HISTORY_GRACE_MS } from '../../src/alerts/module.js';
import { createIncidentsRepo } from '../../src/store/incidents-repo.js';
import { openStore, type Database } from '../../src/store/db.js';
import { makeTempDir } from '../helpers/tmp.js';
import { alertsContext, BOOT, HOST, T0 } from '../rules/factories.js';

let tmp: ReturnType<typeof makeTempDir>;
let db: Database;
beforeEach(() => {
  tmp = makeTempDir('oomwatch-kill-backlog-');
  db = openStore(join(tmp.dir, 'oomwatch.db'));
});
afterEach(() => {
  if (db.open) db.close();
  tmp.cleanup();
});

function storeIncident(pid: number, comm: string, atMs: number, cgroup: string): number {
  const r = db
    .prepare(
      `INSERT INTO incident (source, dedupe_key, hostname, boot_id, ts_ms, constraint_kind, constraint_raw, oom_memcg, victim_pid, victim_comm, victim_start_time_ticks, created_ms)
       VALUES ('kmsg', ?, ?, ?, ?, 'memcg', 'CONSTRAINT_MEMCG', ?, ?, ?, ?, ?)`,
    )
    .run(`${BOOT}:${pid}:${atMs}`, HOST, BOOT, atMs, cgroup, pid, comm, 5000 + pid, atMs);
  return Number(r.lastInsertRowid);
}
const drafts = () => (db.prepare('SELECT payload_json FROM outbox ORDER BY id').all() as { payload_json: string }[]).map((r) => JSON.parse(r.payload_json) as NotificationDraft);

describe('a backlog of kills at first start', () => {
  it('pages each recent kill once, however the backlog arrives; older kills stay history', () => {
    const clock = manualClock(T0);
    const m = createAlertsModule(alertsContext(db, clock, [{ id: 'oom-kill', kind: 'oom-kill', severity: 'critical', groupWait: '0s', groupInterval: '0s' }]));
    const repo = createIncidentsRepo(db);
    const old = storeIncident(100, 'chrome', clock.nowMs() - HISTORY_GRACE_MS - 60_000, '/old');
    m.onIncident(repo.get(old)!);
    const recent: number[] = [];
    for (let i = 0; i < 22; i++) {
      const id = storeIncident(200 + i, `worker-${i}`, clock.nowMs() - 120_000 + i * 300, `/box-${i}`);
      recent.push(id);
      m.onIncident(repo.get(id)!);
    }
    m.start?.();
    const all = drafts();
    const told = all.flatMap((d) => d.alerts.map((a) => a.incidentId));
    expect(told).toEqual(recent);
    expect(all.map((d) => d.earlierKills?.count ?? 0)).toEqual(recent.map((_, i) => i));

    // the dispatcher, finding them all waiting, coalesces them into one digest: one entry per kill
    const body = renderWebhook(digestFromDrafts('ops', all));
    expect(body.alerts.map((a) => (a as { incidentId: number }).incidentId)).toEqual(recent);
    expect(body.earlierKills).toBeNull();
    expect(JSON.stringify(body).length).toBeLessThan(40 * 1024);
  });
});
