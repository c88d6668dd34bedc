-- What runs in each cgroup (src/workload): a Kubernetes pod's container, a Docker or Podman container, a systemd
-- unit, a login session. Stored once per cgroup path when the sampler first sees it, with the names read from
-- the node then (containers are often gone before anyone looks at a kill), and aged out with the retention by
-- last_seen_ms (a rowid table: the pruner deletes by rowid). All strings come from cgroup paths or runtime files: untrusted.
CREATE TABLE workload (
  cgroup           TEXT    PRIMARY KEY,
  kind             TEXT    NOT NULL,   -- 'k8s-pod' | 'docker' | 'podman' | 'systemd-unit' | 'user-session' | 'slice' | 'other'
  runtime          TEXT,               -- 'cri-containerd' | 'crio' | 'docker' | 'podman'
  pod_uid          TEXT,
  qos              TEXT,               -- 'guaranteed' | 'burstable' | 'besteffort'
  container_id     TEXT,
  unit             TEXT,
  user_uid         INTEGER,
  namespace        TEXT,
  pod              TEXT,
  container        TEXT,
  image            TEXT,
  compose_project  TEXT,
  compose_service  TEXT,
  user_name        TEXT,
  first_seen_ms    INTEGER NOT NULL,
  last_seen_ms     INTEGER NOT NULL
);
CREATE INDEX workload_last_seen ON workload (last_seen_ms);

-- The victim's workload as known when the incident was stored (JSON of src/workload/types.ts Workload), so the
-- incident keeps naming it after the workload row ages out.
ALTER TABLE incident ADD COLUMN workload_json TEXT;
