-- The daily risk report (src/report/daily-job.ts, src/store/report-repo.ts). One row per period whose report
-- was handed to the outbox, written in the same transaction as the outbox rows: a period with a row is never
-- sent again (across restarts), and a period without one is sent when the agent next runs (catch-up, like
-- systemd's Persistent=true).
CREATE TABLE report_period (
  id               INTEGER PRIMARY KEY,
  kind             TEXT    NOT NULL,                  -- 'daily'
  period_start_ms  INTEGER NOT NULL,
  period_end_ms    INTEGER NOT NULL,                  -- the scheduled time the report is for
  enqueued_at_ms   INTEGER NOT NULL,
  channels         TEXT    NOT NULL,                  -- comma separated
  dedup_key        TEXT    NOT NULL,
  UNIQUE (kind, period_end_ms)
);
