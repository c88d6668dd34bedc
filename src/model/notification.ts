/**
 * Notifications: one message to one channel as the outbox holds it (written in the same transaction as the
 * alert state), and the state of a notification group. Plain types: this folder imports nothing but itself.
 */
import type { AlertView } from './alert.js';

/** A prebuilt report (the daily risk report) sent through a channel. */
export interface ReportPayload {
  subject: string;
  text: string;
  html: string;
  /** Inline images referenced from html as cid:<cid>. */
  attachments?: { filename: string; cid: string; contentType: string; contentBase64: string }[];
}

export type NotificationKind = 'alerts' | 'test' | 'report';

/**
 * OOM kills are events: a message tells each kill once. Kills of the same group that earlier messages
 * already told, and that are still inside their rule's window (`keepFiringFor`), are only counted.
 */
export interface EarlierKills {
  count: number;
  /** The longest `keepFiringFor` of their rules: "in the last 10 minutes". */
  withinMs: number;
}

/** One message to one channel, as written to the outbox in the same transaction as the alert state. */
export interface NotificationDraft {
  /** Channel name from the config (`channels.<name>`). */
  channel: string;
  kind: NotificationKind;
  /** Grouping key (default host + rule). */
  groupKey: string;
  host: string;
  createdAtMs: number;
  /**
   * Notification-log key: the dispatcher never sends two notifications with the same key
   * (e.g. `<groupKey>|<fingerprints+states hash>|<seq>`).
   */
  dedupKey: string;
  alerts: AlertView[];
  /** Kills of this group told by earlier messages and not repeated in this one. */
  earlierKills?: EarlierKills;
  report?: ReportPayload;
}

/** One notification group of one channel (Alertmanager's aggregation group), as the store keeps it between ticks. */
export interface GroupState {
  channel: string;
  groupKey: string;
  createdAtMs: number;
  groupWaitMs: number;
  lastSentAtMs: number | null;
  /** Notifications sent so far by this group (part of the dedupKey). */
  seq: number;
  /** Fingerprints announced as firing by the last notification. */
  notified: string[];
  /** Resolved alerts waiting for the group's next notification. */
  pendingResolved: AlertView[];
}
