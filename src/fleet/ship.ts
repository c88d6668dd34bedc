/**
 * The central insert path: one batch of incidents and alert transitions written in one PostgreSQL
 * transaction. Idempotent: a row already there (a resend after a crash or a lost answer) is updated to the
 * same values, never duplicated. Central SQL lives in src/fleet (the PostgreSQL is not the host's store).
 */
import type pg from 'pg';
import type { FleetIncident, FleetPayload, FleetTransition } from './types.js';

const INCIDENT_COLUMNS = [
  'host',
  'boot_id',
  'seq',
  'at',
  'local_id',
  'source',
  'killer',
  'constraint_kind',
  'cgroup',
  'workload',
  'namespace',
  'pod',
  'container',
  'victim_pid',
  'victim_comm',
  'victim_rss_bytes',
  'victim_oom_score_adj',
  'report',
] as const;
const INCIDENT_KEY = ['host', 'boot_id', 'seq', 'at'];

const TRANSITION_COLUMNS = ['host', 'boot_id', 'id', 'at', 'rule', 'state', 'severity', 'summary', 'labels'] as const;
const TRANSITION_KEY = ['host', 'boot_id', 'id'];

const iso = (ms: number) => new Date(ms).toISOString();

function incidentValues(i: FleetIncident): unknown[] {
  return [
    i.host,
    i.bootId,
    i.seq,
    iso(i.atMs),
    i.localId,
    i.source,
    i.killer,
    i.constraintKind,
    i.cgroup,
    i.workload === null ? null : JSON.stringify(i.workload),
    i.namespace,
    i.pod,
    i.container,
    i.victimPid,
    i.victimComm,
    i.victimRssBytes,
    i.victimOomScoreAdj,
    JSON.stringify(i.report),
  ];
}

function transitionValues(t: FleetTransition): unknown[] {
  return [t.host, t.bootId, t.id, iso(t.atMs), t.rule, t.state, t.severity, t.summary, JSON.stringify(t.labels)];
}

/**
 * `INSERT … VALUES ($1,…),(…) ON CONFLICT (key) DO NOTHING`. A row's payload is fixed when its host queues
 * it, so a resend carries the same values: keeping the first copy is the upsert. DO NOTHING (rather than
 * DO UPDATE, which PostgreSQL lets only roles that may SELECT every updated column run) keeps the agents'
 * role to INSERT: no agent can read another host's reports (docs/fleet.md "Roles and GRANTs").
 */
function insertSql(table: string, columns: readonly string[], key: readonly string[], rows: number): string {
  const n = columns.length;
  const values = Array.from({ length: rows }, (_, r) => `(${columns.map((_, c) => `$${r * n + c + 1}`).join(', ')})`).join(', ');
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values} ON CONFLICT (${key.join(', ')}) DO NOTHING`;
}

/** One copy per key within a batch. */
function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  return [...new Map(items.map((t) => [key(t), t])).values()];
}

/** Writes a batch in one transaction, skipping rows already there; throws the driver's error (the caller decides about retrying). */
export async function shipBatch(
  client: pg.ClientBase,
  payloads: readonly FleetPayload[],
): Promise<{ incidents: number; transitions: number }> {
  const incidents = uniqueBy(
    payloads.filter((p): p is FleetIncident => p.kind === 'incident'),
    (i) => `${i.host}\0${i.bootId}\0${i.seq}\0${i.atMs}`,
  );
  const transitions = uniqueBy(
    payloads.filter((p): p is FleetTransition => p.kind === 'transition'),
    (t) => `${t.host}\0${t.bootId}\0${t.id}`,
  );
  await client.query('BEGIN');
  try {
    if (incidents.length)
      await client.query(insertSql('incidents', INCIDENT_COLUMNS, INCIDENT_KEY, incidents.length), incidents.flatMap(incidentValues));
    if (transitions.length)
      await client.query(
        insertSql('alert_transitions', TRANSITION_COLUMNS, TRANSITION_KEY, transitions.length),
        transitions.flatMap(transitionValues),
      );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  return { incidents: incidents.length, transitions: transitions.length };
}
