-- The at-least-once window (src/notify/dispatcher.ts, docs/channels.md "The one at-least-once window").
-- The dispatcher sets attempt_started_at_ms in its own commit BEFORE it sends, and clears it when the
-- outcome is recorded (sent, retry, expired). A pending row that still carries it after a restart was cut
-- off mid-send: the server may have received it. Such a row is sent again only once the channel's timeout
-- has passed since that attempt began, and the message then says it may have been sent twice.
ALTER TABLE outbox ADD COLUMN attempt_started_at_ms INTEGER;
