/**
 * Alerts: the contract between the rules engine (which decides what to say), the store (which keeps it) and
 * the notifiers (which say it), and the silences that mute them. Plain types: this folder imports nothing.
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

/** One label matcher of a silence (Alertmanager's syntax; parsed by rules/silences.ts). */
export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface Silence {
  id: number;
  matchers: LabelMatcher[];
  createdAtMs: number;
  startsAtMs: number;
  endsAtMs: number;
  comment: string;
  createdBy: string;
}
