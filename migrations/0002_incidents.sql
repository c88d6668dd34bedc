-- OOM kills: one row per kill reported by the kernel (source 'kmsg' or 'import'), or per kill seen only
-- in the counters (source 'counter': /proc/vmstat oom_kill or a cgroup's oom_kill rose without a report).
-- Sizes in KiB like migration 0001. Kernel-provided strings (comm, cgroup paths) are untrusted.
CREATE TABLE incident (
  id                       INTEGER PRIMARY KEY,
  source                   TEXT    NOT NULL,            -- 'kmsg' | 'import' | 'counter'
  dedupe_key               TEXT    NOT NULL UNIQUE,     -- kmsg: boot+seq; import: host+time+pid; counter: boot+bucket+window
  hostname                 TEXT    NOT NULL,
  boot_id                  TEXT,
  kmsg_seq                 INTEGER,                     -- seq of the kill record
  ts_ms                    INTEGER,                     -- wall clock of the kill; counter: end of the window
  wall_exact               INTEGER NOT NULL DEFAULT 1,  -- 0: approximate (suspend in between, or a log without zone/year)
  monotonic_us             INTEGER,                     -- kernel timestamp of the kill record
  window_start_ms          INTEGER,                     -- counter incidents: the kill happened in (start, ts_ms]
  kill_count               INTEGER NOT NULL DEFAULT 1,  -- counter incidents: how many kills the counter rose by
  constraint_kind          TEXT,                        -- 'global' | 'memcg' | 'cpuset' | 'mempolicy' | NULL (unknown)
  constraint_raw           TEXT,                        -- as printed (CONSTRAINT_NONE on 5.0–5.2 memcg kills)
  oom_memcg                TEXT,
  task_memcg               TEXT,
  cpuset                   TEXT,
  mems_allowed             TEXT,
  trigger_comm             TEXT,
  trigger_pid              INTEGER,
  gfp_mask                 TEXT,
  gfp_flags                TEXT,
  alloc_order              INTEGER,
  trigger_oom_score_adj    INTEGER,
  victim_pid               INTEGER,
  victim_comm              TEXT,
  victim_uid               INTEGER,
  victim_total_vm_kib      INTEGER,
  victim_anon_rss_kib      INTEGER,
  victim_file_rss_kib      INTEGER,
  victim_shmem_rss_kib     INTEGER,
  victim_pgtables_kib      INTEGER,
  victim_oom_score_adj     INTEGER,
  selected_pid             INTEGER,                     -- pre-5.1 "Kill process N … or sacrifice child"
  selected_score           INTEGER,
  victim_process_id        INTEGER,                     -- link to process (migration 0001), when found
  victim_start_time_ticks  INTEGER,
  reaped                   INTEGER NOT NULL DEFAULT 0,
  reaped_ts_ms             INTEGER,
  reaped_anon_rss_kib      INTEGER,
  reaped_file_rss_kib      INTEGER,
  reaped_shmem_rss_kib     INTEGER,
  memcg_counters_json      TEXT,                        -- [{kind, usageBytes, limitBytes, failcnt}]
  task_columns             TEXT,                        -- the task table header's columns, space separated
  flags                    TEXT    NOT NULL DEFAULT '', -- comma separated: no-header, truncated, no-task-table, child-sacrificed
  vanished_json            TEXT,                        -- counter incidents: processes that vanished from the cgroup
  raw_text                 TEXT,                        -- the report's lines (capped), for forensics
  created_ms               INTEGER NOT NULL
);
CREATE INDEX incident_ts ON incident (ts_ms);
CREATE INDEX incident_victim ON incident (boot_id, victim_pid);

-- The kernel's task table (dump_tasks) of a report. Memory values in pages, as printed.
CREATE TABLE incident_task (
  incident_id      INTEGER NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
  row_no           INTEGER NOT NULL,                   -- order as printed
  pid              INTEGER NOT NULL,
  uid              INTEGER,
  tgid             INTEGER,
  total_vm_pages   INTEGER,
  rss_pages        INTEGER,
  rss_anon_pages   INTEGER,
  rss_file_pages   INTEGER,
  rss_shmem_pages  INTEGER,
  pgtables_bytes   INTEGER,
  nr_ptes          INTEGER,
  swapents         INTEGER,
  oom_score_adj    INTEGER,
  name             TEXT    NOT NULL,
  PRIMARY KEY (incident_id, row_no)
) WITHOUT ROWID;

-- Where the /dev/kmsg reader resumes: the next seq to read in this boot (one row).
CREATE TABLE kmsg_cursor (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  boot_id     TEXT    NOT NULL,
  next_seq    INTEGER NOT NULL,
  updated_ms  INTEGER NOT NULL
);
