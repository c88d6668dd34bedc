/**
 * Workloads by cgroup path (migration 0010): written when the sampler first sees a cgroup, touched as it is
 * seen again, read when a kill names the cgroup (even after the container is gone). The incident keeps its
 * own copy (incident.workload_json) so it outlives the workload row's retention.
 */
import type { Database } from 'better-sqlite3';
import { workloadFromPath } from '../workload/parse-cgroup-path.js';
import type { Workload } from '../model/workload.js';
import type { PrunableTable } from './prune.js';

/** Workload rows age out with the sample history, by when the cgroup was last seen. */
export const WORKLOAD_PRUNABLE: PrunableTable = { table: 'workload', timeColumn: 'last_seen_ms' };

interface WorkloadRow {
  cgroup: string;
  kind: Workload['kind'];
  runtime: Workload['runtime'];
  pod_uid: string | null;
  qos: Workload['qos'];
  container_id: string | null;
  unit: string | null;
  user_uid: number | null;
  namespace: string | null;
  pod: string | null;
  container: string | null;
  image: string | null;
  compose_project: string | null;
  compose_service: string | null;
  user_name: string | null;
  first_seen_ms: number;
  last_seen_ms: number;
}

const fromRow = (r: WorkloadRow): Workload => ({
  kind: r.kind,
  runtime: r.runtime,
  podUid: r.pod_uid,
  qos: r.qos,
  containerId: r.container_id,
  unit: r.unit,
  userUid: r.user_uid,
  namespace: r.namespace,
  pod: r.pod,
  container: r.container,
  image: r.image,
  composeProject: r.compose_project,
  composeService: r.compose_service,
  userName: r.user_name,
});

/** Read-only opens are refused before migration 0010 (store.ts checks the schema version), so the table exists. */
export function createWorkloadsRepo(db: Database): WorkloadsRepo {
  return migratedRepo(db);
}

function migratedRepo(db: Database) {
  const upsert = db.prepare(`INSERT INTO workload (cgroup, kind, runtime, pod_uid, qos, container_id, unit, user_uid, namespace, pod,
    container, image, compose_project, compose_service, user_name, first_seen_ms, last_seen_ms)
    VALUES (@cgroup, @kind, @runtime, @podUid, @qos, @containerId, @unit, @userUid, @namespace, @pod,
    @container, @image, @composeProject, @composeService, @userName, @nowMs, @nowMs)
    ON CONFLICT (cgroup) DO UPDATE SET kind = excluded.kind, runtime = excluded.runtime, pod_uid = excluded.pod_uid, qos = excluded.qos,
      container_id = excluded.container_id, unit = excluded.unit, user_uid = excluded.user_uid,
      namespace = COALESCE(excluded.namespace, namespace), pod = COALESCE(excluded.pod, pod), container = COALESCE(excluded.container, container),
      image = COALESCE(excluded.image, image), compose_project = COALESCE(excluded.compose_project, compose_project),
      compose_service = COALESCE(excluded.compose_service, compose_service), user_name = COALESCE(excluded.user_name, user_name),
      last_seen_ms = MAX(last_seen_ms, excluded.last_seen_ms)`);
  const touch = db.prepare('UPDATE workload SET last_seen_ms = MAX(last_seen_ms, ?) WHERE cgroup = ?');
  const byPath = db.prepare('SELECT * FROM workload WHERE cgroup = ?');
  const incidentPaths = db.prepare('SELECT task_memcg, oom_memcg FROM incident WHERE id = ?');
  const setIncident = db.prepare('UPDATE incident SET workload_json = ? WHERE id = ?');

  const saveMany = db.transaction((rows: readonly { cgroup: string; workload: Workload }[], nowMs: number): void => {
    for (const r of rows) upsert.run({ cgroup: r.cgroup, ...r.workload, nowMs });
  });
  const touchMany = db.transaction((cgroups: readonly string[], nowMs: number): void => {
    for (const c of cgroups) touch.run(nowMs, c);
  });

  const get = (cgroup: string): Workload | null => {
    const row = byPath.get(cgroup) as WorkloadRow | undefined;
    return row ? fromRow(row) : null;
  };

  return {
    get,
    /** Stores a workload (names already known are kept when the new lookup found none: the container may be gone). */
    save(cgroup: string, w: Workload, nowMs: number): void {
      upsert.run({ cgroup, ...w, nowMs });
    },
    /** Stores many workloads in one transaction (a tick's new cgroups). */
    saveAll(rows: readonly { cgroup: string; workload: Workload }[], nowMs: number): void {
      saveMany(rows, nowMs);
    },
    /** Marks cgroups as still there, in one transaction. */
    touchAll(cgroups: readonly string[], nowMs: number): void {
      touchMany(cgroups, nowMs);
    },
    /**
     * Gives an incident the workload of its victim's cgroup (the task's memcg, else the OOM domain's): the stored
     * one when the cgroup was seen, else what the path says. Call inside the transaction that stores the incident.
     */
    stampIncident(id: number): Workload | null {
      const row = incidentPaths.get(id) as { task_memcg: string | null; oom_memcg: string | null } | undefined;
      const path = row?.task_memcg ?? row?.oom_memcg ?? null;
      if (path === null) return null;
      const w = get(path) ?? workloadFromPath(path);
      setIncident.run(JSON.stringify(w), id);
      return w;
    },
    list(): { cgroup: string; workload: Workload; firstSeenMs: number; lastSeenMs: number }[] {
      const rows = db.prepare('SELECT * FROM workload ORDER BY cgroup').all() as WorkloadRow[];
      return rows.map((r) => ({ cgroup: r.cgroup, workload: fromRow(r), firstSeenMs: r.first_seen_ms, lastSeenMs: r.last_seen_ms }));
    },
  };
}

export type WorkloadsRepo = ReturnType<typeof migratedRepo>;
