/**
 * Reads what the metrics need from the agent's database, so the kernel watcher, the rules engine and
 * the dispatcher need no metrics wiring: alert instances (store/alerts-repo.ts), outbox depth and
 * failure totals per channel (store/outbox-repo.ts), and incidents recorded since the agent started.
 * Each read is one short query on a small table; it runs before each scrape and after each tick.
 */
import type { Database } from 'better-sqlite3';
import { createAlertsRepo } from '../store/alerts-repo.js';
import { listChannelHealth } from '../store/outbox-repo.js';
import type { ChannelView, FiringAlert, IncidentInfo } from './registry.js';

export interface StoreFeed {
  /** Incidents recorded since the previous call (the first call: since the feed was created). Imported logs are not kills on this host now. */
  newIncidents(): IncidentInfo[];
  firingAlerts(): FiringAlert[];
  channels(configuredChannels: readonly string[]): ChannelView[];
}

export function createStoreFeed(db: Database): StoreFeed {
  const alerts = createAlertsRepo(db);
  // migrations/0002_incidents.sql: id grows with each recorded kill; source 'kmsg' | 'counter' | 'import'.
  const maxId = db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM incident');
  // workload_json: migration 0010 (src/workload/types.ts Workload), null without a cgroup.
  const since = db.prepare(
    "SELECT id, source, COALESCE(constraint_kind, 'unknown') AS constraint_kind, workload_json FROM incident WHERE id > ? AND source <> 'import' ORDER BY id",
  );
  let lastId = (maxId.get() as { id: number }).id;

  return {
    newIncidents() {
      const rows = since.all(lastId) as { id: number; source: string; constraint_kind: string; workload_json: string | null }[];
      if (rows.length) lastId = rows[rows.length - 1].id;
      return rows.map((r) => {
        const w = r.workload_json ? (JSON.parse(r.workload_json) as { kind?: string; namespace?: string | null }) : null;
        return { constraint: r.constraint_kind, source: r.source, workload: w?.kind ?? null, namespace: w?.namespace ?? null };
      });
    },
    firingAlerts() {
      return alerts
        .listInstances()
        .filter((i) => i.status === 'firing')
        .map((i) => ({ ruleId: i.ruleId, severity: i.severity }));
    },
    channels(configuredChannels) {
      return listChannelHealth(db, configuredChannels);
    },
  };
}
