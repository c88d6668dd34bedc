-- The fleet's central store (docs/fleet.md): one PostgreSQL for every host's OOM incidents and alert
-- transitions. Applied only by `oomwatch fleet migrate --postgres URL`, never by the agents, which need only
-- INSERT on the two tables and SELECT on their key columns (for ON CONFLICT; docs/fleet.md "Roles and GRANTs").

-- One OOM kill. (host, boot_id, seq) names it: seq is the kernel's sequence number of the kill record, or
-- for a kill without one (a counter-only or imported incident) a stable key derived from the host's
-- incident key. A partitioned table's unique key must hold the partition key, so `at` is in it too: an
-- agent ships one fixed payload per incident, so a resend carries the same key and is skipped (ON CONFLICT DO NOTHING).
CREATE TABLE incidents (
  host                  text        NOT NULL,
  boot_id               text        NOT NULL,            -- '' when the kill's boot is unknown (imported log)
  seq                   bigint      NOT NULL,
  at                    timestamptz NOT NULL,            -- the kill (or, without a wall time, when it was recorded)
  local_id              bigint      NOT NULL,            -- the incident's id on the host (`oomwatch incident ID`)
  source                text        NOT NULL,            -- kmsg | import | counter
  killer                text,                            -- who killed: kernel, or a user-space killer when known
  constraint_kind       text,                            -- global | memcg | cpuset | mempolicy | NULL (unknown)
  cgroup                text,                            -- the OOM domain's memory cgroup (memcg kills) or the victim's
  workload              jsonb,                           -- the cgroup's workload (pod, container, unit) when known
  namespace             text,
  pod                   text,
  container             text,
  victim_pid            integer,
  victim_comm           text,
  victim_rss_bytes      bigint,
  victim_oom_score_adj  integer,
  report                jsonb       NOT NULL,            -- the forensic report model (oomwatch.report.incident/v1)
  shipped_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (host, boot_id, seq, at)
) PARTITION BY RANGE (at);

-- Rows of a month without its partition land here, never lost; `fleet migrate` moves them into the
-- month's partition when it creates it.
CREATE TABLE incidents_default PARTITION OF incidents DEFAULT;

CREATE INDEX incidents_at ON incidents (at);
CREATE INDEX incidents_host_local ON incidents (host, local_id);
CREATE INDEX incidents_comm_at ON incidents (victim_comm, at);
CREATE INDEX incidents_pod_at ON incidents (namespace, pod, at);

-- Creates the partition of the month holding `month` (idempotent) and moves into it any rows of that month
-- that waited in the default partition.
CREATE FUNCTION oomwatch_fleet_ensure_month(month date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  lo   timestamptz := date_trunc('month', month::timestamp) AT TIME ZONE 'UTC';
  hi   timestamptz := (date_trunc('month', month::timestamp) + interval '1 month') AT TIME ZONE 'UTC';
  name text := format('incidents_%s', to_char(date_trunc('month', month::timestamp), 'YYYY_MM'));
BEGIN
  IF to_regclass(name) IS NOT NULL THEN RETURN; END IF;
  EXECUTE format('CREATE TABLE %I (LIKE incidents INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
  EXECUTE format('WITH moved AS (DELETE FROM incidents_default WHERE at >= %L AND at < %L RETURNING *) INSERT INTO %I SELECT * FROM moved', lo, hi, name);
  EXECUTE format('ALTER TABLE incidents ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, lo, hi);
END $$;

-- One change of an alert's state on a host (alert_event on the host: pending, firing, resolved, cancelled).
CREATE TABLE alert_transitions (
  host        text        NOT NULL,
  boot_id     text        NOT NULL,
  id          bigint      NOT NULL,                      -- alert_event.id on the host
  at          timestamptz NOT NULL,
  rule        text        NOT NULL,
  state       text        NOT NULL,
  severity    text,
  summary     text,
  labels      jsonb       NOT NULL DEFAULT '{}',
  shipped_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (host, boot_id, id)
);
CREATE INDEX alert_transitions_at ON alert_transitions (at);
CREATE INDEX alert_transitions_rule_at ON alert_transitions (rule, at);
