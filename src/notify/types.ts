/**
 * The contract between the rules engine (which decides what to say) and the notifiers (which say it).
 * Every string here that can come from a process (comm, cmdline, cgroup, unit, summary, details) is
 * UNTRUSTED: each renderer escapes it for its own format (util/escape.ts).
 */
export type Severity = 'info' | 'warning' | 'critical';
export type AlertState = 'firing' | 'resolved';
/** Why a firing alert ended: the condition cleared, or its process went away (killed by the OOM killer, or exited). */
export type Resolution = 'cleared' | 'oom-killed' | 'exited';

export interface AlertProcessRef {
  pid: number;
  startTimeTicks: number;
  comm: string;
  cmdline: string;
  uid: number | null;
  unit: string | null;
  cgroup: string;
}

export interface AlertView {
  /** Stable identity of the alert instance: rule + host + process identity (or cgroup, or host). */
  fingerprint: string;
  ruleId: string;
  /** The rule's kind (process-risk, host-memory, oom-kill, agent-health, …). */
  ruleKind: string;
  severity: Severity;
  host: string;
  state: AlertState;
  resolution?: Resolution;
  startsAtMs: number;
  endsAtMs?: number;
  /** One line, e.g. `postgres (pid 812) risk 712 ‰ > 600 ‰ for 2m`. Untrusted. */
  summary: string;
  /** Facts shown as fields. Untrusted. */
  details: { label: string; value: string }[];
  /** Bounded labels (alertname, host, severity, comm, unit, cgroup): used by Alertmanager and grouping. */
  labels: Record<string, string>;
  process?: AlertProcessRef;
  cgroup?: string;
  incidentId?: number;
  /** Predicted time left before the OOM, when the rule predicts one (time-to-oom, risk-rising): a warning due sooner than its group wait is sent at once. */
  etaMs?: number;
}

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
