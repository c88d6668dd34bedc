-- Alerting (src/rules, src/store/alerts-repo.ts). The rules engine writes the instance state, the
-- transition history, the group state and the plan log in ONE transaction with the outbox rows
-- (migration 0004), so a restart resumes exactly where the last committed tick left off.

-- Alert instances pending or firing now. state_json is the engine's InstanceState (timers, last value,
-- the AlertView); the other columns are for `oomwatch alerts` and reports. Resolved instances are deleted.
CREATE TABLE alert_instance (
  fingerprint      TEXT    PRIMARY KEY,                 -- rule|host|subject
  rule_id          TEXT    NOT NULL,
  status           TEXT    NOT NULL CHECK (status IN ('pending', 'firing')),
  severity         TEXT    NOT NULL,
  summary          TEXT    NOT NULL,                    -- untrusted (process names)
  active_since_ms  INTEGER NOT NULL,
  fired_at_ms      INTEGER,
  muted_by         TEXT,                                -- 'silence #N' or 'inhibited by <fingerprint>'
  state_json       TEXT    NOT NULL,
  updated_at_ms    INTEGER NOT NULL
);
CREATE INDEX alert_instance_rule ON alert_instance (rule_id);

-- Every transition: pending, firing, resolved (with its resolution and incident), cancelled.
CREATE TABLE alert_event (
  id           INTEGER PRIMARY KEY,
  at_ms        INTEGER NOT NULL,
  fingerprint  TEXT    NOT NULL,
  rule_id      TEXT    NOT NULL,
  kind         TEXT    NOT NULL CHECK (kind IN ('pending', 'firing', 'resolved', 'cancelled')),
  severity     TEXT    NOT NULL,
  resolution   TEXT,                                    -- 'cleared' | 'oom-killed' | 'exited'
  incident_id  INTEGER,
  summary      TEXT    NOT NULL,
  alert_json   TEXT    NOT NULL
);
CREATE INDEX alert_event_at ON alert_event (at_ms);
CREATE INDEX alert_event_fingerprint ON alert_event (fingerprint, at_ms);

-- Silences, managed with `oomwatch silence add|list|expire`. Expiring sets ends_at_ms to now (kept as a record).
CREATE TABLE silence (
  id             INTEGER PRIMARY KEY,
  matchers_json  TEXT    NOT NULL,                      -- [{name, op, value}]
  comment        TEXT    NOT NULL,
  created_by     TEXT    NOT NULL,
  created_at_ms  INTEGER NOT NULL,
  starts_at_ms   INTEGER NOT NULL,
  ends_at_ms     INTEGER NOT NULL,
  expired_at_ms  INTEGER
);
CREATE INDEX silence_ends ON silence (ends_at_ms);

-- Notification groups (channel + group key): timers, sequence number and what was last announced.
CREATE TABLE alert_group (
  channel        TEXT    NOT NULL,
  group_key      TEXT    NOT NULL,
  state_json     TEXT    NOT NULL,
  updated_at_ms  INTEGER NOT NULL,
  PRIMARY KEY (channel, group_key)
);

-- The plan log: each notification the engine handed to the outbox.
CREATE TABLE alert_notification (
  id             INTEGER PRIMARY KEY,
  channel        TEXT    NOT NULL,
  group_key      TEXT    NOT NULL,
  dedup_key      TEXT    NOT NULL,
  created_at_ms  INTEGER NOT NULL,
  n_firing       INTEGER NOT NULL,
  n_resolved     INTEGER NOT NULL,
  fingerprints   TEXT    NOT NULL,                      -- comma separated
  UNIQUE (channel, dedup_key)
);
CREATE INDEX alert_notification_at ON alert_notification (created_at_ms);

-- Small engine facts that survive a restart (the recent incidents used as late kill evidence).
CREATE TABLE alert_engine_meta (
  key         TEXT PRIMARY KEY,
  value_json  TEXT NOT NULL
);
