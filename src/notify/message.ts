/**
 * What a sender receives: one outbox row's draft, or a digest of many drafts coalesced during a storm.
 * Built by the dispatcher from outbox rows; the renderers (render/*.ts) turn it into each format.
 */
import type { AlertView, NotificationDraft, NotificationKind, ReportPayload } from './types.js';

export type MessageKind = NotificationKind | 'digest';

export interface OutboundMessage {
  kind: MessageKind;
  channel: string;
  host: string;
  createdAtMs: number;
  /** For a digest: every alert of every coalesced notification, in outbox order. */
  alerts: AlertView[];
  report?: ReportPayload;
  /** How many notifications this message carries (1, or the digest's size). */
  notificationCount: number;
  /**
   * An earlier attempt to send this was cut off (the agent stopped mid-send) and the server may have
   * delivered it: the renderers say "possibly sent twice".
   */
  possiblySentTwice?: boolean;
}

/** The prefix of a message's headline when it may repeat one already delivered. */
export const POSSIBLY_SENT_TWICE = '[possibly sent twice]';

/** One draft as a message. */
export function messageFromDraft(d: NotificationDraft): OutboundMessage {
  return { kind: d.kind, channel: d.channel, host: d.host, createdAtMs: d.createdAtMs, alerts: d.alerts, report: d.report, notificationCount: 1 };
}

/** Many alert drafts of one channel as one digest message. */
export function digestFromDrafts(channel: string, drafts: readonly NotificationDraft[]): OutboundMessage {
  const hosts = [...new Set(drafts.map((d) => d.host))];
  return {
    kind: 'digest',
    channel,
    host: hosts.length === 1 ? hosts[0] : `${hosts.length} hosts`,
    createdAtMs: Math.max(...drafts.map((d) => d.createdAtMs)),
    alerts: drafts.flatMap((d) => d.alerts),
    notificationCount: drafts.length,
  };
}

/** A test message for `oomwatch test-notify`. */
export function testMessage(channel: string, host: string, nowMs: number): OutboundMessage {
  return { kind: 'test', channel, host, createdAtMs: nowMs, alerts: [], notificationCount: 1 };
}
