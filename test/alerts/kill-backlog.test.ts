/**
 * The first start on a new database, with the kernel's ring buffer holding a burst of recent kills (the
 * kernel module hands them over one by one before the alerts module starts): each kill is written to
 * the outbox once, and the digest the dispatcher would send lists each once. Real SQLite file; fixed
 * instant (manual clock) throughout.
 */
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../src/clock.js';
import { digestFromDrafts } from '../../src/notify/message.js';
import { renderWebhook } from '../../src/notify/render/webhook.js';
import { createAlertsModule, HISTORY_GRACE_MS } from '../../src/alerts/module.js';
import { createIncidentsRepo } from '../../src/store/incidents-repo.js';
import { useAlertsStore } from './store-fixture.js';
import { alertsContext, T0 } from '../rules/factories.js';

const store = useAlertsStore('oomwatch-kill-backlog-');
const { storeIncident, drafts } = store;

describe('a backlog of kills at first start', () => {
  it('pages each recent kill once, however the backlog arrives; older kills stay history', () => {
    const clock = manualClock(T0);
    const m = createAlertsModule(
      alertsContext(store.db, clock, [{ id: 'oom-kill', kind: 'oom-kill', severity: 'critical', groupWait: '0s', groupInterval: '0s' }]),
    );
    const repo = createIncidentsRepo(store.db);
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
