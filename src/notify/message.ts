/**
 * What a sender receives: one outbox row's draft, or a digest of many drafts coalesced during a storm.
 * Built by the dispatcher from outbox rows; the renderers (render/*.ts) turn it into each format.
 */
import type { AlertView } from '../model/alert.js';
import type { EarlierKills, NotificationDraft, NotificationKind, ReportPayload } from '../model/notification.js';

export type MessageKind = NotificationKind | 'digest';

export interface OutboundMessage {
  kind: MessageKind;
  channel: string;
  host: string;
  createdAtMs: number;
  /** For a digest: every alert of every coalesced notification, in outbox order (each OOM kill once). */
  alerts: AlertView[];
  /** Kills told by earlier messages, counted rather than repeated. */
  earlierKills?: EarlierKills;
  report?: ReportPayload;
  /** How many notifications this message carries (1, or the digest's size). */
  notificationCount: number;
  /**
   * An earlier attempt to send this was cut off (the agent stopped mid-send) and the server may have
   * delivered it: the renderers say "possibly sent twice".
   */
  possiblySentTwice?: boolean;
}

/** OOM kills are events, told once; every other kind is a state, re-listed while it fires. */
export const isKill = (a: Pick<AlertView, 'ruleKind'>): boolean => a.ruleKind === 'oom-kill';

/** The prefix of a message's headline when it may repeat one already delivered. */
export const POSSIBLY_SENT_TWICE = '[possibly sent twice]';

/** One draft as a message. */
export function messageFromDraft(d: NotificationDraft): OutboundMessage {
  const msg: OutboundMessage = {
    kind: d.kind,
    channel: d.channel,
    host: d.host,
    createdAtMs: d.createdAtMs,
    alerts: d.alerts,
    report: d.report,
    notificationCount: 1,
  };
  if (d.earlierKills?.count) msg.earlierKills = d.earlierKills;
  return msg;
}

/**
 * Many alert drafts of one channel as one digest message. Each OOM kill appears once: the planner lists
 * a kill only in the notification that tells it, and outbox rows written by an earlier version (which
 * re-listed every recent kill) are folded here. Kills told before the digest are counted: the first
 * coalesced notification of each group knows how many its group told earlier.
 */
export function digestFromDrafts(channel: string, drafts: readonly NotificationDraft[]): OutboundMessage {
  const hosts = [...new Set(drafts.map((d) => d.host))];
  const kills = new Set<string>();
  const alerts: AlertView[] = [];
  for (const d of drafts) {
    for (const a of d.alerts) {
      if (isKill(a) && kills.has(a.fingerprint)) continue;
      if (isKill(a)) kills.add(a.fingerprint);
      alerts.push(a);
    }
  }
  const firstOfGroup = new Map<string, NotificationDraft>();
  for (const d of drafts) if (!firstOfGroup.has(`${d.host}\u0000${d.groupKey}`)) firstOfGroup.set(`${d.host}\u0000${d.groupKey}`, d);
  const earlier = [...firstOfGroup.values()].flatMap((d) => (d.earlierKills?.count ? [d.earlierKills] : []));
  const msg: OutboundMessage = {
    kind: 'digest',
    channel,
    host: hosts.length === 1 ? hosts[0] : `${hosts.length} hosts`,
    createdAtMs: Math.max(...drafts.map((d) => d.createdAtMs)),
    alerts,
    notificationCount: drafts.length,
  };
  if (earlier.length)
    msg.earlierKills = { count: earlier.reduce((n, e) => n + e.count, 0), withinMs: Math.max(...earlier.map((e) => e.withinMs)) };
  return msg;
}

/** A test message for `oomwatch test-notify`. */
export function testMessage(channel: string, host: string, nowMs: number): OutboundMessage {
  return { kind: 'test', channel, host, createdAtMs: nowMs, alerts: [], notificationCount: 1 };
}
