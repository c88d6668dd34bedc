/**
 * What an agent ships to the fleet's PostgreSQL (migrations/fleet/): one row per incident and per alert
 * transition, built on the host when it is put in the outbox, so a resend days later carries the same
 * values (and is skipped as already there).
 */
import type { Workload } from '../model/workload.js';
import type { IncidentReport } from '../report/types.js';

/** The outbox channel the fleet shipper owns; the alert dispatcher leaves its rows alone. */
export const FLEET_CHANNEL = 'fleet:postgres';

export interface FleetIncident {
  kind: 'incident';
  host: string;
  /** '' when the kill's boot is unknown (an imported log without one). */
  bootId: string;
  /** The kernel's sequence number of the kill record, or a stable negative key for a kill without one. */
  seq: number;
  atMs: number;
  /** The incident's id in the host's database. */
  localId: number;
  source: string;
  killer: string | null;
  constraintKind: string | null;
  cgroup: string | null;
  workload: Workload | null;
  namespace: string | null;
  pod: string | null;
  container: string | null;
  victimPid: number | null;
  victimComm: string | null;
  victimRssBytes: number | null;
  victimOomScoreAdj: number | null;
  /** The forensic report (the kernel's report, the pre-kill ranking of its domain, the culprit). */
  report: IncidentReport;
}

export interface FleetTransition {
  kind: 'transition';
  host: string;
  bootId: string;
  /** alert_event.id on the host. */
  id: number;
  atMs: number;
  rule: string;
  state: string;
  severity: string | null;
  summary: string | null;
  labels: Record<string, string>;
}

export type FleetPayload = FleetIncident | FleetTransition;

/** The outbox dedup key: one outbox row per central row, so re-enqueueing after a crash adds nothing. */
export function fleetDedupKey(p: FleetPayload): string {
  return p.kind === 'incident' ? `incident|${p.host}|${p.bootId}|${p.seq}` : `transition|${p.host}|${p.bootId}|${p.id}`;
}
