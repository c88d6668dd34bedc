-- Alert delivery (src/notify, src/store/outbox-repo.ts).
-- The rules engine inserts outbox rows in the same transaction as its alert state, so a notification
-- exists exactly when the state change that caused it does. The dispatcher sends them and marks each row
-- delivered in one transaction with its notify_log row: a row logged as sent is never sent again.

-- One message to one channel. payload_json is the NotificationDraft (alerts, report) as JSON.
-- (channel, dedup_key) is unique: a re-enqueue after a crash is ignored instead of sending twice.
CREATE TABLE outbox (
  id                 INTEGER PRIMARY KEY,
  channel            TEXT    NOT NULL,
  dedup_key          TEXT    NOT NULL,
  kind               TEXT    NOT NULL,                 -- alerts | test | report
  group_key          TEXT    NOT NULL,
  host               TEXT    NOT NULL,
  created_at_ms      INTEGER NOT NULL,
  payload_json       TEXT    NOT NULL,
  -- pending: waiting or retrying (also while its channel is broken: fixing the channel delivers it);
  -- sent: delivered (alone or inside a digest); expired: still undelivered after the channel's giveUpAfter.
  status             TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'expired')),
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms INTEGER NOT NULL,
  last_error         TEXT,
  done_at_ms         INTEGER,
  UNIQUE (channel, dedup_key)
);
CREATE INDEX outbox_due ON outbox (status, channel, next_attempt_at_ms);

-- The notification log: one row per outbox row delivered. digest_size > 1 when it went out inside a digest.
CREATE TABLE notify_log (
  outbox_id    INTEGER PRIMARY KEY REFERENCES outbox (id),
  channel      TEXT    NOT NULL,
  dedup_key    TEXT    NOT NULL,
  sent_at_ms   INTEGER NOT NULL,
  attempts     INTEGER NOT NULL,
  digest_size  INTEGER NOT NULL DEFAULT 1,
  UNIQUE (channel, dedup_key)
);

-- Each channel's health, shown by `oomwatch alerts`. state 'broken' after a permanent failure
-- (revoked webhook, SMTP authentication refused); it stays broken until a send succeeds again
-- (`oomwatch test-notify CHANNEL` or the agent's next attempt after a config change).
CREATE TABLE channel_health (
  channel              TEXT    PRIMARY KEY,
  state                TEXT    NOT NULL CHECK (state IN ('ok', 'failing', 'broken')),
  last_ok_ms           INTEGER,
  last_error_ms        INTEGER,
  last_error           TEXT,
  consecutive_failures INTEGER NOT NULL DEFAULT 0,
  sent_total           INTEGER NOT NULL DEFAULT 0,
  failed_total         INTEGER NOT NULL DEFAULT 0,
  broken_since_ms      INTEGER
);
