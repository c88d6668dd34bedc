import { describe, expect, it } from 'vitest';
import type { AgentContext, TickContext } from '../../src/agent/module.js';
import { manualClock } from '../../src/clock.js';
import { createAlertsModule, HISTORY_GRACE_MS } from '../../src/alerts/module.js';
import { createAlertsRepo } from '../../src/store/alerts-repo.js';
import { createIncidentsRepo } from '../../src/store/incidents-repo.js';
import { useAlertsStore } from './store-fixture.js';
import { alertsContext, proc, snapshot } from '../rules/factories.js';

/** The wall-clock instant the manual clocks of this file start at. */
const START_MS = Date.UTC(2026, 0, 1);

const store = useAlertsStore('oomwatch-alerts-module-');
const { storeIncident, drafts } = store;

const context = (clock = manualClock(START_MS)): AgentContext =>
  alertsContext(store.db, clock, [
    { id: 'kill', kind: 'oom-kill' },
    { id: 'risk', kind: 'process-risk', above: 600, domain: 'host' },
  ]);

const tick = (nowMs: number, risk: number | null): TickContext => ({
  snapshot: snapshot({ atMs: nowMs, processes: risk === null ? [] : [proc({ pid: 812, comm: 'postgres', risk })] }),
  previous: null,
  tickId: 1,
  fresh: true,
  nowMs,
  durationMs: 5,
  missedTicks: 0,
});

describe('alerts agent module', () => {
  it('pages a stored kill at once (no tick needed), kicks delivery, and links it to the risk alert of its victim', () => {
    const clock = manualClock(START_MS);
    let kicks = 0;
    const m = createAlertsModule(context(clock), { onQueued: () => kicks++ });
    m.start?.();
    m.onTick?.(tick(clock.nowMs(), 700));
    expect(kicks).toBe(1);
    clock.advance(3000);
    const id = storeIncident(812, 'postgres', clock.nowMs());
    m.onIncident(createIncidentsRepo(store.db).get(id)!);
    expect(kicks).toBe(2);
    expect(drafts().map((d) => d.alerts.map((a) => `${a.ruleId}:${a.state}`))).toEqual([['risk:firing'], ['kill:firing']]);
    expect(drafts()[1].alerts[0]).toMatchObject({
      incidentId: id,
      summary: `OOM kill: postgres (pid 812) killed by the kernel (CONSTRAINT_MEMCG)`,
    });
    clock.advance(7000);
    m.onTick?.(tick(clock.nowMs(), null));
    expect(drafts()[2].alerts.map((a) => [a.ruleId, a.resolution, a.incidentId])).toEqual([['risk', 'oom-killed', id]]);
  });

  it('after a crash between storing a kill and alerting, the next start pages it once; older kills are history', () => {
    const clock = manualClock(START_MS);
    storeIncident(1, 'old', clock.nowMs() - 3_600_000); // before this database ever ran alerts
    const first = createAlertsModule(context(clock));
    first.start?.();
    first.onTick?.(tick(clock.nowMs(), 0));
    expect(drafts()).toEqual([]);
    clock.advance(1000);
    const id = storeIncident(2, 'java', clock.nowMs()); // stored, then the agent dies before onIncident
    const second = createAlertsModule(context(clock));
    second.start?.();
    clock.advance(9000);
    second.onTick?.(tick(clock.nowMs(), 0));
    second.onTick?.(tick(clock.nowMs() + 10_000, 0));
    expect(drafts().map((d) => d.alerts.map((a) => a.incidentId))).toEqual([[id]]);
    // the watcher's callback arriving late (replay) does not page again
    second.onIncident(createIncidentsRepo(store.db).get(id)!);
    expect(drafts()).toHaveLength(1);
  });

  it('on a new database, kills from the ring-buffer backlog older than the grace are recorded, not paged; a recent one is', () => {
    const clock = manualClock(START_MS);
    // The kernel module starts first and hands over its backlog before this module's start().
    const m = createAlertsModule(context(clock));
    const old = storeIncident(3, 'chrome', clock.nowMs() - HISTORY_GRACE_MS - 60_000);
    const recent = storeIncident(4, 'node', clock.nowMs() - 60_000);
    m.onIncident(createIncidentsRepo(store.db).get(old)!);
    m.onIncident(createIncidentsRepo(store.db).get(recent)!);
    m.start?.();
    m.onTick?.(tick(clock.nowMs(), 0));
    expect(drafts().flatMap((d) => d.alerts.map((a) => a.incidentId))).toEqual([recent]);
    // a restart keeps the same boundary: the old kill is still history
    const again = createAlertsModule(context(clock));
    again.onIncident(createIncidentsRepo(store.db).get(old)!);
    again.start?.();
    again.onTick?.(tick(clock.nowMs() + 10_000, 0));
    expect(drafts().flatMap((d) => d.alerts.map((a) => a.incidentId))).toEqual([recent]);
  });

  it('a broken channel that is no longer configured raises no agent-health alert', () => {
    const clock = manualClock(START_MS);
    const ins = store.db.prepare(
      "INSERT INTO channel_health (channel, state, last_error_ms, last_error, consecutive_failures, sent_total, failed_total, broken_since_ms) VALUES (?, 'broken', 1, 'x', 3, 0, 3, 1)",
    );
    ins.run('oldslack');
    ins.run('ops');
    const m = createAlertsModule(alertsContext(store.db, clock, [{ id: 'health', kind: 'agent-health', for: '0s' }]));
    m.start?.();
    m.onTick?.(tick(clock.nowMs(), 0));
    m.onTick?.(tick(clock.nowMs() + 10_000, 0));
    const subjects = m
      .engine()
      .firingAlerts()
      .map((a) => a.labels.channel);
    expect(subjects).toEqual(['ops']);
  });

  it('a database an earlier version alerted from is not new: a kill it missed while down is paged, however old', () => {
    const clock = manualClock(START_MS);
    createAlertsRepo(store.db).setMeta('incidentCursor', 0); // written by the earlier version
    const missed = storeIncident(5, 'java', clock.nowMs() - 3_600_000);
    const m = createAlertsModule(context(clock));
    m.start?.();
    m.onTick?.(tick(clock.nowMs(), 0));
    expect(drafts().flatMap((d) => d.alerts.map((a) => a.incidentId))).toEqual([missed]);
  });
});
