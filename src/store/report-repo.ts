/**
 * Periods of the daily report (migrations/0006_report.sql). `enqueueReport` writes the period row and the
 * outbox rows in ONE transaction: either the report is queued and the period marked sent, or neither.
 * The dispatcher then delivers it at least once and never twice for a logged dedupKey.
 */
import type { Database } from 'better-sqlite3';
import type { NotificationDraft } from '../model/notification.js';
import { enqueueNotifications } from './outbox-repo.js';

export interface ReportPeriodRow {
  kind: string;
  periodStartMs: number;
  periodEndMs: number;
  enqueuedAtMs: number;
  channels: string[];
  dedupKey: string;
}

export function createReportRepo(db: Database) {
  const insert = db.prepare(`INSERT OR IGNORE INTO report_period (kind, period_start_ms, period_end_ms, enqueued_at_ms, channels, dedup_key)
    VALUES (?, ?, ?, ?, ?, ?)`);
  const enqueue = db.transaction((period: Omit<ReportPeriodRow, 'channels'>, drafts: NotificationDraft[]): boolean => {
    const res = insert.run(
      period.kind,
      period.periodStartMs,
      period.periodEndMs,
      period.enqueuedAtMs,
      drafts.map((d) => d.channel).join(','),
      period.dedupKey,
    );
    if (res.changes === 0) return false; // already sent for this period (another run got there first)
    enqueueNotifications(db, drafts);
    return true;
  });
  return {
    /** Queues the report's drafts and marks the period sent, atomically. False when the period was already sent. */
    enqueueReport(period: Omit<ReportPeriodRow, 'channels'>, drafts: NotificationDraft[]): boolean {
      return enqueue(period, drafts);
    },
    /** The latest period sent of this kind, or null. */
    lastPeriod(kind: string): ReportPeriodRow | null {
      const r = db.prepare('SELECT * FROM report_period WHERE kind = ? ORDER BY period_end_ms DESC LIMIT 1').get(kind) as
        | { kind: string; period_start_ms: number; period_end_ms: number; enqueued_at_ms: number; channels: string; dedup_key: string }
        | undefined;
      return r
        ? {
            kind: r.kind,
            periodStartMs: r.period_start_ms,
            periodEndMs: r.period_end_ms,
            enqueuedAtMs: r.enqueued_at_ms,
            channels: r.channels ? r.channels.split(',') : [],
            dedupKey: r.dedup_key,
          }
        : null;
    },
    isSent(kind: string, periodEndMs: number): boolean {
      return db.prepare('SELECT 1 FROM report_period WHERE kind = ? AND period_end_ms = ?').get(kind, periodEndMs) !== undefined;
    },
  };
}

export type ReportRepo = ReturnType<typeof createReportRepo>;
