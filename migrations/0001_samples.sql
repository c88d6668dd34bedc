-- Core history: ticks (host state), process identities, change-only process samples with keyframes,
-- memory cgroups, gaps, and the single-agent lock. Sizes are stored in KiB to keep rows small.

CREATE TABLE agent_lock (
  id               INTEGER PRIMARY KEY CHECK (id = 1),
  pid              INTEGER NOT NULL,
  start_time_ticks INTEGER NOT NULL,
  boot_id          TEXT    NOT NULL,
  hostname         TEXT    NOT NULL,
  started_at_ms    INTEGER NOT NULL
);

-- One row per sampling tick. keyframe = 1: every live process has a sample row at this tick;
-- between keyframes only changed processes do (see store/samples-repo.ts).
CREATE TABLE tick (
  id                   INTEGER PRIMARY KEY,
  ts_ms                INTEGER NOT NULL,
  boot_id              TEXT    NOT NULL,
  hostname             TEXT    NOT NULL,
  keyframe             INTEGER NOT NULL,
  scale                TEXT    NOT NULL,              -- 'new' (5.9+) or 'old' oom_score formula
  mem_total_kib        INTEGER NOT NULL,
  mem_available_kib    INTEGER NOT NULL,
  mem_free_kib         INTEGER NOT NULL,
  swap_total_kib       INTEGER NOT NULL,
  swap_free_kib        INTEGER NOT NULL,
  psi_some_avg10       REAL,
  psi_some_avg60       REAL,
  psi_some_avg300      REAL,
  psi_full_avg10       REAL,
  psi_full_avg60       REAL,
  psi_full_avg300      REAL,
  vmstat_oom_kill      INTEGER,
  n_listed             INTEGER NOT NULL,
  n_sampled            INTEGER NOT NULL,
  n_gone               INTEGER NOT NULL,
  n_denied             INTEGER NOT NULL,
  host_top_process_id  INTEGER,                       -- the host domain's next victim at this tick
  duration_us          INTEGER NOT NULL
);
CREATE INDEX tick_ts ON tick (ts_ms);

-- A process identity: (boot_id, pid, start_time_ticks). Static facts are stored once.
CREATE TABLE process (
  id               INTEGER PRIMARY KEY,
  boot_id          TEXT    NOT NULL,
  pid              INTEGER NOT NULL,
  start_time_ticks INTEGER NOT NULL,
  ppid             INTEGER NOT NULL,
  uid              INTEGER,
  comm             TEXT    NOT NULL,
  cmdline          TEXT    NOT NULL,                  -- secrets redacted before storing
  exe              TEXT,
  cgroup           TEXT    NOT NULL,
  unit             TEXT,
  first_tick_id    INTEGER NOT NULL,
  first_seen_ms    INTEGER NOT NULL,
  last_tick_id     INTEGER NOT NULL,
  last_seen_ms     INTEGER NOT NULL,
  ended_ms         INTEGER,                           -- first tick at which it was no longer listed
  UNIQUE (boot_id, pid, start_time_ticks)
);
CREATE INDEX process_pid ON process (pid);
CREATE INDEX process_comm ON process (comm);
CREATE INDEX process_last_seen ON process (last_seen_ms);

-- Change-only samples: a row when a value moved beyond the dead band, for a new identity, or at a keyframe.
-- The state of a process at instant T is its latest row at a tick <= T (never older than the last keyframe).
CREATE TABLE sample (
  tick_id        INTEGER NOT NULL,
  process_id     INTEGER NOT NULL,
  rss_kib        INTEGER NOT NULL,
  swap_kib       INTEGER NOT NULL,
  pgtables_kib   INTEGER NOT NULL,
  oom_score      INTEGER NOT NULL,
  oom_score_adj  INTEGER NOT NULL,
  PRIMARY KEY (tick_id, process_id)
) WITHOUT ROWID;

CREATE TABLE cgroup (
  id       INTEGER PRIMARY KEY,
  path     TEXT    NOT NULL UNIQUE,
  version  INTEGER NOT NULL
);

-- Memory-limited cgroups, change-only like process samples.
CREATE TABLE cgroup_sample (
  tick_id             INTEGER NOT NULL,
  cgroup_id           INTEGER NOT NULL,
  usage_kib           INTEGER NOT NULL,
  limit_kib           INTEGER NOT NULL,
  swap_usage_kib      INTEGER,
  swap_limit_kib      INTEGER,
  oom_kill_count      INTEGER,
  oom_count           INTEGER,
  top_process_id      INTEGER,                        -- the cgroup domain's next victim
  PRIMARY KEY (tick_id, cgroup_id)
) WITHOUT ROWID;

-- Periods without trustworthy data: agent down, suspend, clock jump, stalled tick.
CREATE TABLE gap (
  id        INTEGER PRIMARY KEY,
  start_ms  INTEGER NOT NULL,
  end_ms    INTEGER NOT NULL,
  reason    TEXT    NOT NULL,                         -- 'agent-down' | 'suspend' | 'clock-jump' | 'stall' | 'kmsg-overrun'
  detail    TEXT
);
CREATE INDEX gap_start ON gap (start_ms);

-- Agent health events shown by doctor, reports and the health rules (kmsg unreadable, store errors, …).
CREATE TABLE agent_event (
  id       INTEGER PRIMARY KEY,
  ts_ms    INTEGER NOT NULL,
  kind     TEXT    NOT NULL,
  message  TEXT    NOT NULL
);
CREATE INDEX agent_event_ts ON agent_event (ts_ms);
