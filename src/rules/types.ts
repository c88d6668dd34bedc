/**
 * Types of the rules engine (pure). The engine evaluates rules against one tick's facts and its own
 * state, and returns transitions plus the next state; src/alerts/engine.ts persists both.
 */
import type { AlertView, Resolution } from '../notify/types.js';
import type { HostSnapshot, ProcessSample } from '../sample/types.js';
import type { RuleHistory } from './history.js';
import type { RuleConfig } from './kinds/index.js';
import type { CompiledParts } from './kinds/spec.js';

export type { RuleHistory };

/** An OOM kill recorded by the kernel module since the last tick ('counter': seen only in vmstat/memory.events). */
export interface Incident {
  id: number;
  atMs: number;
  constraint: string;
  cgroup?: string;
  victim?: { pid: number; startTimeTicks?: number; comm: string };
  source: 'kernel' | 'counter';
  /** Who killed, when not the kernel (a user-space OOM daemon), with its own reason. */
  killer?: string;
  reason?: string;
  /** memory.oom.group: how many other tasks were killed with the victim, and their cgroup. */
  groupVictimCount?: number;
  groupCgroup?: string;
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

export interface TickInput {
  /** The tick's snapshot; null for an evaluation between ticks (a fresh incident or health fact). */
  snapshot: HostSnapshot | null;
  /** Recent series kept by the engine (updateHistory). */
  history: RuleHistory;
  incidents: readonly Incident[];
  health: HealthFacts;
  /** False after a clock jump or a stalled sampler: sample-based rules neither fire nor resolve. */
  dataFresh: boolean;
  /** Whether the protection policy protects this process. */
  isProtected: (p: ProcessSample) => boolean;
}

/** A rule from the config with its matchers compiled once. */
export type CompiledRule = RuleConfig & CompiledParts;

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

export interface Evaluation {
  transitions: Transition[];
  next: RuleState;
}

export interface EvaluateOptions {
  /** Host name used in fingerprints and labels. */
  host: string;
  /** Ticks to wait for kill evidence after a firing subject disappears (alerting.vanishWaitTicks). */
  vanishWaitTicks: number;
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

export type { Resolution };

export const emptyRuleState = (): RuleState => ({ instances: new Map(), recentIncidents: [] });
