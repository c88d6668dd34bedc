-- Protection policy audit: every oom_score_adj change oomwatch made or attempted (policy enforcement, drift
-- correction, `oomwatch protect apply`, the agent's own value). The process is named by its identity
-- (boot_id, pid, start_time_ticks) and its comm at the time, so the row stays meaningful after the process is gone.
CREATE TABLE adj_change (
  id               INTEGER PRIMARY KEY,
  ts_ms            INTEGER NOT NULL,
  boot_id          TEXT    NOT NULL,
  pid              INTEGER NOT NULL,
  start_time_ticks INTEGER NOT NULL,
  comm             TEXT    NOT NULL,
  rule_id          TEXT    NOT NULL,                  -- policy rule id, or 'agent-self'
  from_adj         INTEGER,                           -- value read right before the write; NULL when unreadable
  to_adj           INTEGER NOT NULL,
  reason           TEXT    NOT NULL,                  -- 'new' (first time seen) | 'drift' (reset behind our back) | 'cli' | 'self'
  outcome          TEXT    NOT NULL,                  -- 'applied' | 'denied' | 'failed' | 'identity-changed'
  message          TEXT
);
CREATE INDEX adj_change_ts ON adj_change (ts_ms);
CREATE INDEX adj_change_identity ON adj_change (boot_id, pid, start_time_ticks);
