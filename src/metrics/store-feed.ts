/**
 * Reads what the metrics need from the agent's database, so the kernel watcher, the rules engine and
 * the dispatcher need no metrics wiring: alert instances (store/alerts-repo.ts), outbox depth and
 * failure totals per channel (store/outbox-repo.ts), and incidents recorded since the agent started.
 * Each read is one short query on a small table; it runs before each scrape and after each tick.
 */
import type { Store } from '../store/store.js';
import type { ChannelView, FiringAlert, IncidentInfo } from './registry.js';

export interface StoreFeed {
  /** Incidents recorded since the previous call (the first call: since the feed was created). Imported logs are not kills on this host now. */
  newIncidents(): IncidentInfo[];
  firingAlerts(): FiringAlert[];
  channels(configuredChannels: readonly string[]): ChannelView[];
}

export function createStoreFeed(store: Pick<Store, 'alerts' | 'incidents' | 'outbox'>): StoreFeed {
  const alerts = store.alerts;
  // Incident ids grow with each recorded kill (migrations/0002_incidents.sql).
  let lastId = store.incidents.maxId();

  return {
    newIncidents() {
      const rows = store.incidents.recordedAfter(lastId);
      if (rows.length) lastId = rows[rows.length - 1].id;
      return rows.map((r) => ({
        constraint: r.constraint,
        source: r.source,
        workload: r.workload?.kind ?? null,
        namespace: r.workload?.namespace ?? null,
      }));
    },
    firingAlerts() {
      return alerts
        .listInstances()
        .filter((i) => i.status === 'firing')
        .map((i) => ({ ruleId: i.ruleId, severity: i.severity }));
    },
    channels(configuredChannels) {
      return store.outbox.channelHealth(configuredChannels);
    },
  };
}
