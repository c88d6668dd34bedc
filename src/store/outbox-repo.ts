/**
 * The notification outbox, the notification log and channel health (migrations/0004_notify.sql).
 * The rules engine writes with `enqueueNotifications` inside its own transaction; the dispatcher
 * (src/notify/dispatcher.ts) reads and updates rows through `createOutboxRepo`.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { NotificationDraft } from '../model/notification.js';

export type OutboxStatus = 'pending' | 'sent' | 'expired';
export type ChannelState = 'ok' | 'failing' | 'broken';

export interface OutboxRow {
  id: number;
  channel: string;
  dedupKey: string;
  createdAtMs: number;
  attempts: number;
  nextAttemptAtMs: number;
  /** When an attempt began whose outcome was never recorded (the agent stopped mid-send), else null. */
  attemptStartedAtMs: number | null;
  draft: NotificationDraft;
}

export interface ChannelHealth {
  channel: string;
  state: ChannelState;
  lastOkMs: number | null;
  lastErrorMs: number | null;
  /** Already free of secrets: senders build their messages without URLs or passwords. */
  lastError: string | null;
  consecutiveFailures: number;
  sentTotal: number;
  failedTotal: number;
  brokenSinceMs: number | null;
  /** Outbox rows still waiting for this channel. */
  pending: number;
}

const enqueueStatements = new WeakMap<Database, Statement>();

/**
 * Inserts one outbox row per draft. Synchronous and WITHOUT a transaction of its own: call it inside the
 * transaction that writes the alert state, so state and outbox commit together (DESIGN.md "Alert semantics").
 * A draft whose (channel, dedupKey) is already in the outbox is ignored, so re-enqueueing after a crash
 * cannot produce a second send.
 */
export function enqueueNotifications(db: Database, drafts: NotificationDraft[]): void {
  let insert = enqueueStatements.get(db);
  if (!insert) {
    insert = db.prepare(
      `INSERT OR IGNORE INTO outbox (channel, dedup_key, kind, group_key, host, created_at_ms, payload_json, next_attempt_at_ms)
       VALUES (@channel, @dedupKey, @kind, @groupKey, @host, @createdAtMs, @payload, @createdAtMs)`,
    );
    enqueueStatements.set(db, insert);
  }
  for (const d of drafts) {
    insert.run({
      channel: d.channel,
      dedupKey: d.dedupKey,
      kind: d.kind,
      groupKey: d.groupKey,
      host: d.host,
      createdAtMs: d.createdAtMs,
      payload: JSON.stringify(d),
    });
  }
}

interface HealthDbRow {
  channel: string;
  state: ChannelState;
  last_ok_ms: number | null;
  last_error_ms: number | null;
  last_error: string | null;
  consecutive_failures: number;
  sent_total: number;
  failed_total: number;
  broken_since_ms: number | null;
  pending: number;
}

/**
 * Each channel's health for `oomwatch alerts`: every channel that has a health row or pending outbox rows.
 * Pass `configured` (the config's channel names) to list channels that never sent anything as 'ok'.
 */
export function listChannelHealth(db: Database, configured: readonly string[] = []): ChannelHealth[] {
  const rows = db
    .prepare(
      `WITH names AS (SELECT channel FROM channel_health UNION SELECT channel FROM outbox WHERE status = 'pending')
       SELECT n.channel, COALESCE(h.state, 'ok') AS state, h.last_ok_ms, h.last_error_ms, h.last_error,
              COALESCE(h.consecutive_failures, 0) AS consecutive_failures, COALESCE(h.sent_total, 0) AS sent_total,
              COALESCE(h.failed_total, 0) AS failed_total, h.broken_since_ms,
              (SELECT COUNT(*) FROM outbox o WHERE o.channel = n.channel AND o.status = 'pending') AS pending
       FROM names n LEFT JOIN channel_health h ON h.channel = n.channel ORDER BY n.channel`,
    )
    .all() as HealthDbRow[];
  const out: ChannelHealth[] = rows.map((r) => ({
    channel: r.channel,
    state: r.state,
    lastOkMs: r.last_ok_ms,
    lastErrorMs: r.last_error_ms,
    lastError: r.last_error,
    consecutiveFailures: r.consecutive_failures,
    sentTotal: r.sent_total,
    failedTotal: r.failed_total,
    brokenSinceMs: r.broken_since_ms,
    pending: r.pending,
  }));
  for (const name of configured) {
    if (!out.some((h) => h.channel === name)) {
      out.push({
        channel: name,
        state: 'ok',
        lastOkMs: null,
        lastErrorMs: null,
        lastError: null,
        consecutiveFailures: 0,
        sentTotal: 0,
        failedTotal: 0,
        brokenSinceMs: null,
        pending: 0,
      });
    }
  }
  return out.sort((a, b) => a.channel.localeCompare(b.channel));
}

/** The dispatcher's view of the outbox. Every method is one statement or one short transaction. */
export function createOutboxRepo(db: Database) {
  const due = db.prepare(
    `SELECT id, channel, dedup_key, created_at_ms, attempts, next_attempt_at_ms, attempt_started_at_ms, payload_json FROM outbox
     WHERE status = 'pending' AND channel = ? AND next_attempt_at_ms <= ? ORDER BY id LIMIT ?`,
  );
  const pendingChannels = db.prepare(`SELECT DISTINCT channel FROM outbox WHERE status = 'pending'`);
  const pendingCounts = db.prepare(`SELECT channel, COUNT(*) AS n FROM outbox WHERE status = 'pending' GROUP BY channel`);
  const nextDue = db.prepare(`SELECT MIN(next_attempt_at_ms) AS t FROM outbox WHERE status = 'pending' AND channel = ?`);
  const isLogged = db.prepare(`SELECT 1 FROM notify_log WHERE channel = ? AND dedup_key = ?`);
  const setDone = db.prepare(
    `UPDATE outbox SET status = @status, done_at_ms = @atMs, attempts = attempts + 1, last_error = @error, attempt_started_at_ms = NULL WHERE id = @id AND status = 'pending'`,
  );
  const setStarted = db.prepare(`UPDATE outbox SET attempt_started_at_ms = @atMs WHERE id = @id AND status = 'pending'`);
  const cutOff = db.prepare(
    `SELECT MAX(attempt_started_at_ms) AS t FROM outbox WHERE status = 'pending' AND channel = ? AND attempt_started_at_ms IS NOT NULL`,
  );
  const log = db.prepare(
    `INSERT OR IGNORE INTO notify_log (outbox_id, channel, dedup_key, sent_at_ms, attempts, digest_size)
     SELECT id, channel, dedup_key, @atMs, attempts, @digestSize FROM outbox WHERE id = @id`,
  );
  const retry = db.prepare(
    `UPDATE outbox SET attempts = attempts + 1, next_attempt_at_ms = @nextMs, last_error = @error, attempt_started_at_ms = NULL WHERE id = @id AND status = 'pending'`,
  );
  const healthUpsert = db.prepare(
    `INSERT INTO channel_health (channel, state, last_ok_ms, last_error_ms, last_error, consecutive_failures, sent_total, failed_total, broken_since_ms)
     VALUES (@channel, @state, @okMs, @errMs, @error, @fails, @sent, @failed, @brokenMs)
     ON CONFLICT (channel) DO UPDATE SET
       -- a broken channel stays broken through retryable failures; only a success repairs it
       state = CASE WHEN excluded.state = 'failing' AND state = 'broken' THEN 'broken' ELSE excluded.state END,
       last_ok_ms = COALESCE(excluded.last_ok_ms, last_ok_ms),
       last_error_ms = COALESCE(excluded.last_error_ms, last_error_ms),
       last_error = COALESCE(excluded.last_error, last_error),
       consecutive_failures = CASE WHEN excluded.state = 'ok' THEN 0 ELSE consecutive_failures + 1 END,
       sent_total = sent_total + excluded.sent_total,
       failed_total = failed_total + excluded.failed_total,
       broken_since_ms = CASE WHEN excluded.state = 'ok' THEN NULL ELSE COALESCE(broken_since_ms, excluded.broken_since_ms) END`,
  );
  const healthOf = db.prepare(`SELECT state FROM channel_health WHERE channel = ?`);

  const toRow = (r: {
    id: number;
    channel: string;
    dedup_key: string;
    created_at_ms: number;
    attempts: number;
    next_attempt_at_ms: number;
    attempt_started_at_ms: number | null;
    payload_json: string;
  }): OutboxRow => ({
    id: r.id,
    channel: r.channel,
    dedupKey: r.dedup_key,
    createdAtMs: r.created_at_ms,
    attempts: r.attempts,
    nextAttemptAtMs: r.next_attempt_at_ms,
    attemptStartedAtMs: r.attempt_started_at_ms,
    draft: JSON.parse(r.payload_json) as NotificationDraft,
  });

  return {
    /** Pending rows of one channel that are due at `nowMs`, oldest first. */
    due(channel: string, nowMs: number, limit: number): OutboxRow[] {
      return (due.all(channel, nowMs, limit) as Parameters<typeof toRow>[0][]).map(toRow);
    },
    pendingChannels(): string[] {
      return (pendingChannels.all() as { channel: string }[]).map((r) => r.channel);
    },
    pendingCounts(): Record<string, number> {
      return Object.fromEntries((pendingCounts.all() as { channel: string; n: number }[]).map((r) => [r.channel, r.n]));
    },
    nextDueMs(channel: string): number | null {
      return (nextDue.get(channel) as { t: number | null }).t;
    },
    /**
     * Marks the rows' send as begun, in its own commit, before the request goes out. The outcome's record
     * (markSent, markRetry, markExpired) clears the mark; one left behind means the attempt was cut off.
     */
    markStarted: db.transaction((ids: number[], atMs: number) => {
      for (const id of ids) setStarted.run({ id, atMs });
    }),
    /** The latest start of an attempt that was cut off (pending rows of the channel still marked), or null. */
    lastCutOffAttemptMs(channel: string): number | null {
      return (cutOff.get(channel) as { t: number | null }).t;
    },
    /** Whether the log records this notification as sent (the dispatcher re-checks before every send). */
    isLogged(channel: string, dedupKey: string): boolean {
      return isLogged.get(channel, dedupKey) !== undefined;
    },
    /**
     * A pending row whose notification the log already records (should not happen: markSent writes both in
     * one transaction; this repairs a hand-edited or restored database). Closes the row without sending.
     */
    closeLogged(id: number, atMs: number): void {
      setDone.run({ id, status: 'sent', atMs, error: 'already in the notification log; not sent again' });
    },
    /** Rows the channel does not want (resolutions with sendResolved: false): closed and logged, health untouched. */
    markSkipped: db.transaction((ids: number[], atMs: number, why: string) => {
      for (const id of ids) {
        setDone.run({ id, status: 'sent', atMs, error: `not sent: ${why}` });
        log.run({ id, atMs, digestSize: ids.length });
      }
    }),
    /** One transaction: the rows become 'sent' and enter the notification log, and the channel is healthy. */
    markSent: db.transaction((channel: string, ids: number[], atMs: number) => {
      for (const id of ids) {
        setDone.run({ id, status: 'sent', atMs, error: null });
        log.run({ id, atMs, digestSize: ids.length });
      }
      healthUpsert.run({
        channel,
        state: 'ok',
        okMs: atMs,
        errMs: null,
        error: null,
        fails: 0,
        sent: ids.length,
        failed: 0,
        brokenMs: null,
      });
    }),
    /**
     * A failed attempt: the rows wait until `nextMs`. `state` is 'broken' after a permanent failure
     * (the rows stay pending, so repairing the channel still delivers them) and 'failing' otherwise.
     */
    markRetry: db.transaction(
      (channel: string, ids: number[], atMs: number, nextMs: number, error: string, state: 'failing' | 'broken') => {
        for (const id of ids) retry.run({ id, nextMs, error });
        healthUpsert.run({
          channel,
          state,
          okMs: null,
          errMs: atMs,
          error,
          fails: 1,
          sent: 0,
          failed: 0,
          brokenMs: state === 'broken' ? atMs : null,
        });
      },
    ),
    /** Rows still undelivered after the channel's giveUpAfter: kept as a record, no longer tried. */
    markExpired: db.transaction((channel: string, ids: number[], atMs: number, error: string) => {
      for (const id of ids) setDone.run({ id, status: 'expired', atMs, error });
      healthUpsert.run({
        channel,
        state: 'failing',
        okMs: null,
        errMs: atMs,
        error,
        fails: 1,
        sent: 0,
        failed: ids.length,
        brokenMs: null,
      });
    }),
    channelState(channel: string): ChannelState {
      return (healthOf.get(channel) as { state: ChannelState } | undefined)?.state ?? 'ok';
    },
  };
}
export type OutboxRepo = ReturnType<typeof createOutboxRepo>;

/**
 * For store/prune.ts `pruneHistory(db, cutoff, batch, extra)`: delivered and expired notifications age out
 * with the history (the log first: it references the outbox). Pending rows have no done_at_ms and are
 * never pruned.
 */
export const OUTBOX_PRUNABLE = [
  { table: 'notify_log', timeColumn: 'sent_at_ms' },
  { table: 'outbox', timeColumn: 'done_at_ms' },
] as const;
