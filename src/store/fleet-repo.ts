/**
 * The host side of fleet shipping (src/fleet): which incidents and alert transitions are not yet in the
 * outbox, and putting them there. The fleet shipper owns the outbox channel FLEET_CHANNEL; it reads and
 * marks those rows through createOutboxRepo like the alert dispatcher does for its channels.
 */
import type { Database } from 'better-sqlite3';

/** One row of the host's alert_event table, as fleet shipping reads it. */
export interface AlertEventRow {
  id: number;
  atMs: number;
  ruleId: string;
  kind: string;
  severity: string | null;
  summary: string | null;
  labels: Record<string, string>;
}

/** How far shipping has got: the last incident and alert_event ids already in the outbox. */
export interface FleetCursor {
  incidentId: number;
  alertEventId: number;
}

const CURSOR_KEY = 'fleetCursor';

export interface IncidentKeyRow {
  id: number;
  dedupeKey: string;
  createdMs: number;
}

export function createFleetRepo(db: Database) {
  const getCursor = db.prepare('SELECT value_json FROM alert_engine_meta WHERE key = ?');
  const setCursor = db.prepare(
    'INSERT INTO alert_engine_meta (key, value_json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json',
  );
  const incidents = db.prepare(
    'SELECT id, dedupe_key AS dedupeKey, created_ms AS createdMs FROM incident WHERE id > ? ORDER BY id LIMIT ?',
  );
  const events = db.prepare(
    'SELECT id, at_ms AS atMs, rule_id AS ruleId, kind, severity, summary, alert_json AS alertJson FROM alert_event WHERE id > ? ORDER BY id LIMIT ?',
  );
  const insert = db.prepare(
    `INSERT OR IGNORE INTO outbox (channel, dedup_key, kind, group_key, host, created_at_ms, payload_json, next_attempt_at_ms)
     VALUES (@channel, @dedupKey, @kind, @groupKey, @host, @createdAtMs, @payload, @createdAtMs)`,
  );

  return {
    cursor(): FleetCursor {
      const row = getCursor.get(CURSOR_KEY) as { value_json: string } | undefined;
      return row ? (JSON.parse(row.value_json) as FleetCursor) : { incidentId: 0, alertEventId: 0 };
    },
    incidentsAfter(id: number, limit: number): IncidentKeyRow[] {
      return incidents.all(id, limit) as IncidentKeyRow[];
    },
    alertEventsAfter(id: number, limit: number): AlertEventRow[] {
      return (events.all(id, limit) as (Omit<AlertEventRow, 'labels'> & { alertJson: string })[]).map(({ alertJson, ...e }) => {
        const alert = JSON.parse(alertJson) as { labels?: Record<string, string> };
        return { ...e, labels: alert.labels ?? {} };
      });
    },
    /**
     * Puts the payloads in the outbox and moves the cursor, in one transaction: a crash leaves both or
     * neither. A payload already in the outbox (same channel and dedup key) is ignored.
     */
    enqueue: db.transaction(
      (channel: string, rows: { dedupKey: string; payload: { kind: string; host: string }; createdAtMs: number }[], next: FleetCursor) => {
        for (const r of rows) {
          insert.run({
            channel,
            dedupKey: r.dedupKey,
            kind: `fleet-${r.payload.kind}`,
            groupKey: 'fleet',
            host: r.payload.host,
            createdAtMs: r.createdAtMs,
            payload: JSON.stringify(r.payload),
          });
        }
        setCursor.run(CURSOR_KEY, JSON.stringify(next));
      },
    ),
  };
}
export type FleetRepo = ReturnType<typeof createFleetRepo>;
