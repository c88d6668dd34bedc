/** The fleet commands' questions, as SQL over the central schema (migrations/fleet/). */
import type pg from 'pg';
import type { IncidentReport } from '../report/types.js';

export interface FleetIncidentFilter {
  sinceMs: number;
  /** Shell-style glob over host names: `web-*`, `db-?1`. */
  hostGlob?: string;
  comm?: string;
  /** A pod, container, `namespace/pod`, workload name or the last part of the cgroup (a systemd unit). */
  workload?: string;
  limit?: number;
}

export interface FleetIncidentRow {
  host: string;
  bootId: string;
  seq: number;
  localId: number;
  atMs: number;
  source: string;
  killer: string | null;
  constraintKind: string | null;
  cgroup: string | null;
  namespace: string | null;
  pod: string | null;
  container: string | null;
  victimPid: number | null;
  victimComm: string | null;
  victimRssBytes: number | null;
  victimOomScoreAdj: number | null;
}

/** A glob as a LIKE pattern (escape character `\`). */
export function globToLike(glob: string): string {
  return glob
    .replace(/[\\%_]/g, (c) => `\\${c}`)
    .replace(/\*/g, '%')
    .replace(/\?/g, '_');
}

const COLUMNS = `host, boot_id, seq, local_id, (extract(epoch from at) * 1000)::float8 AS at_ms, source, killer, constraint_kind, cgroup, namespace, pod, container,
  victim_pid, victim_comm, victim_rss_bytes, victim_oom_score_adj`;

interface DbRow {
  host: string;
  boot_id: string;
  seq: string;
  local_id: string;
  at_ms: number;
  source: string;
  killer: string | null;
  constraint_kind: string | null;
  cgroup: string | null;
  namespace: string | null;
  pod: string | null;
  container: string | null;
  victim_pid: number | null;
  victim_comm: string | null;
  victim_rss_bytes: string | null;
  victim_oom_score_adj: number | null;
}

const toRow = (r: DbRow): FleetIncidentRow => ({
  host: r.host,
  bootId: r.boot_id,
  seq: Number(r.seq),
  localId: Number(r.local_id),
  atMs: Math.round(r.at_ms),
  source: r.source,
  killer: r.killer,
  constraintKind: r.constraint_kind,
  cgroup: r.cgroup,
  namespace: r.namespace,
  pod: r.pod,
  container: r.container,
  victimPid: r.victim_pid,
  victimComm: r.victim_comm,
  victimRssBytes: r.victim_rss_bytes === null ? null : Number(r.victim_rss_bytes),
  victimOomScoreAdj: r.victim_oom_score_adj,
});

/** Incidents newest first. */
export async function listFleetIncidents(client: pg.ClientBase, f: FleetIncidentFilter): Promise<FleetIncidentRow[]> {
  const where = ['at >= $1'];
  const args: unknown[] = [new Date(f.sinceMs).toISOString()];
  if (f.hostGlob) where.push(`host LIKE $${args.push(globToLike(f.hostGlob))} ESCAPE '\\'`);
  if (f.comm) where.push(`victim_comm = $${args.push(f.comm)}`);
  if (f.workload) {
    const n = args.push(f.workload);
    where.push(
      `(pod = $${n} OR container = $${n} OR namespace || '/' || pod = $${n} OR workload->>'name' = $${n} OR cgroup LIKE '%/' || $${n})`,
    );
  }
  const { rows } = await client.query<DbRow>(
    `SELECT ${COLUMNS} FROM incidents WHERE ${where.join(' AND ')} ORDER BY at DESC, host LIMIT $${args.push(f.limit ?? 1000)}`,
    args,
  );
  return rows.map(toRow);
}

/** One incident by the host's name and its id there (`HOST:ID`), with its shipped report; null if absent. */
export async function getFleetIncident(
  client: pg.ClientBase,
  host: string,
  localId: number,
): Promise<(FleetIncidentRow & { report: IncidentReport }) | null> {
  const { rows } = await client.query<DbRow & { report: IncidentReport }>(
    `SELECT ${COLUMNS}, report FROM incidents WHERE host = $1 AND local_id = $2 ORDER BY at DESC LIMIT 1`,
    [host, localId],
  );
  return rows[0] ? { ...toRow(rows[0]), report: rows[0].report } : null;
}
