/**
 * The rules engine's state between ticks and what it hands out: alert instances (pending or firing), their
 * transitions, what each rule kind observes, and the agent's own health facts it judges. The engine
 * (rules/evaluate.ts) is pure; alerts/ and store/ persist this. Plain types: this folder imports nothing but itself.
 */
import type { AlertView } from './alert.js';
import type { Incident } from './incident.js';

/** The database refusing writes (a full disk, a read-only file): told to the channels without the outbox (rules/store-fault.ts). */
export interface StoreFault {
  /** The first failure's message, which names the fix (from storeErrorFrom). */
  message: string;
  /** The first failed write. */
  sinceMs: number;
  /** The first write that went through again; absent while the fault lasts. */
  endedMs?: number;
}

/** Facts about the agent itself, gathered by the caller each tick. */
export interface HealthFacts {
  samplerStalled: boolean;
  /** Why /dev/kmsg cannot be read, when it cannot. */
  kmsgProblem?: string;
  /** Channels whose last send failed permanently. */
  brokenChannels: string[];
  /** Processes the policy should protect but could not (e.g. EACCES without CAP_SYS_RESOURCE), as display names. */
  unprotected?: string[];
}

/** What a kind reports about one subject this tick. */
export interface Observation {
  subject: string;
  /** raise: at/above the raise threshold; hold: between the thresholds; clear: below the clear threshold. */
  level: 'raise' | 'hold' | 'clear';
  value: number;
  summary: string;
  details: { label: string; value: string }[];
  labels: Record<string, string>;
  process?: AlertView['process'];
  cgroup?: string;
  incidentId?: number;
  /** Events (OOM kills) end silently when keep_firing_for runs out: no "resolved" message. */
  isEvent?: boolean;
  /** When the event happened (an OOM kill's time), if before it was observed: the alert starts then. */
  eventAtMs?: number;
  /** This subject's `for`, when shorter than the rule's (a predicted OOM cannot wait longer than a fraction of the time left). */
  forMs?: number;
  /** Predicted time left before the subject runs out of memory, when the rule predicts it. */
  etaMs?: number;
}

export type InstanceStatus = 'pending' | 'firing';

/** One alert instance: rule + host + subject (a process identity, a cgroup path, the host, an incident, a health check). */
export interface InstanceState {
  fingerprint: string;
  ruleId: string;
  /** 'host' | 'proc:<bootId>:<pid>:<startTimeTicks>' | 'cgroup:<path>' | 'incident:<id>' | 'health:<check>[:<channel>]'. */
  subject: string;
  status: InstanceStatus;
  /** When the raise condition first held (start of `for`). */
  activeSinceMs: number;
  /** When it started firing. */
  firedAtMs?: number;
  /** keep_firing_for: when the value first fell below the clear threshold. */
  clearingSinceMs?: number;
  /** The subject (process or cgroup) is no longer seen: waiting for kill evidence. */
  vanishedAtMs?: number;
  vanishedTicks?: number;
  value: number;
  /** The latest view (state 'firing' for both statuses), shown by `oomwatch alerts` and sent. */
  alert: AlertView;
}

export interface RuleState {
  instances: ReadonlyMap<string, InstanceState>;
  /** Incidents of the last minutes: a process that vanishes a tick after its kill was reported still finds it. */
  recentIncidents: readonly Incident[];
}

export type TransitionKind = 'pending' | 'firing' | 'resolved' | 'cancelled';

export interface Transition {
  kind: TransitionKind;
  fingerprint: string;
  ruleId: string;
  atMs: number;
  /** For 'resolved': state 'resolved', endsAtMs and resolution set. */
  alert: AlertView;
}
