/**
 * The generic JSON webhook body (pure). Untrusted strings travel as JSON strings (JSON.stringify escapes
 * quotes and control characters); they are also capped and cleared of control and bidi characters,
 * because receivers tend to show them to people.
 */
import { capLength, sanitizeTerminal } from '../../util/escape.js';
import { formatIso } from '../../util/format.js';
import type { OutboundMessage } from '../message.js';
import type { AlertView } from '../../model/alert.js';
import { CAP, headlineRaw } from './text.js';

const s = (v: string, max: number) => sanitizeTerminal(capLength(v, max));

/**
 * A storm's digest can carry hundreds of alerts; receivers refuse large bodies (a 413 is permanent and
 * would mark the channel broken), so a body lists this many (about 1 kB each) and counts the rest.
 */
export const WEBHOOK_MAX_ALERTS = 100;

export interface WebhookBody {
  version: 1;
  kind: OutboundMessage['kind'];
  channel: string;
  host: string;
  createdAt: string;
  title: string;
  notificationCount: number;
  /** An earlier attempt was cut off mid-send: this message may repeat one already delivered. */
  possiblySentTwice: boolean;
  /** At most WEBHOOK_MAX_ALERTS; the rest are counted in omittedAlerts. */
  alerts: unknown[];
  omittedAlerts: number;
  /** Kills told by earlier messages, counted instead of repeated (null when none). */
  earlierKills: { count: number; withinSeconds: number } | null;
  report?: { subject: string; text: string };
}

function alertJson(a: AlertView): unknown {
  return {
    fingerprint: a.fingerprint,
    ruleId: s(a.ruleId, CAP.label),
    ruleKind: a.ruleKind,
    severity: a.severity,
    host: s(a.host, CAP.label),
    state: a.state,
    resolution: a.resolution ?? null,
    startsAt: formatIso(a.startsAtMs),
    endsAt: a.endsAtMs !== undefined ? formatIso(a.endsAtMs) : null,
    summary: s(a.summary, CAP.summary),
    details: a.details.map((d) => ({ label: s(d.label, CAP.label), value: s(d.value, CAP.value) })),
    labels: Object.fromEntries(Object.entries(a.labels).map(([k, v]) => [s(k, CAP.label), s(v, CAP.value)])),
    process: a.process
      ? {
          ...a.process,
          comm: s(a.process.comm, CAP.label),
          cmdline: s(a.process.cmdline, CAP.cmdline),
          unit: a.process.unit && s(a.process.unit, CAP.value),
          cgroup: s(a.process.cgroup, CAP.value),
        }
      : null,
    cgroup: a.cgroup !== undefined ? s(a.cgroup, CAP.value) : null,
    incidentId: a.incidentId ?? null,
  };
}

export function renderWebhook(msg: OutboundMessage): WebhookBody {
  return {
    version: 1,
    kind: msg.kind,
    channel: msg.channel,
    host: s(msg.host, CAP.label),
    createdAt: formatIso(msg.createdAtMs),
    title: s(headlineRaw(msg), CAP.subject + CAP.summary),
    notificationCount: msg.notificationCount,
    possiblySentTwice: msg.possiblySentTwice === true,
    alerts: msg.alerts.slice(0, WEBHOOK_MAX_ALERTS).map(alertJson),
    omittedAlerts: Math.max(0, msg.alerts.length - WEBHOOK_MAX_ALERTS),
    earlierKills: msg.earlierKills?.count
      ? { count: msg.earlierKills.count, withinSeconds: Math.round(msg.earlierKills.withinMs / 1000) }
      : null,
    ...(msg.report ? { report: { subject: s(msg.report.subject, CAP.subject), text: msg.report.text } } : {}),
  };
}
