/**
 * Builds the rows the fleet database receives from what the host recorded. Pure: the host, the incident
 * (as the CLI and reports see it), its forensic report and the alert event come in as arguments.
 */
import { createHash } from 'node:crypto';
import type { IncidentView } from '../model/incident.js';
import type { IncidentReport } from '../report/types.js';
import type { AlertEventRow } from '../store/fleet-repo.js';
import type { FleetIncident, FleetTransition } from './types.js';

export type { AlertEventRow };

/**
 * The central key's `seq` for a kill without a kernel sequence number or without a boot id (counter-only,
 * or an imported log): a negative number from the host's own unique incident key, so it is stable across resends
 * and never collides with a kernel sequence (those are ≥ 0). 48 bits keep it exact in a JS number.
 */
export function seqForKey(dedupeKey: string): number {
  return -(parseInt(createHash('sha256').update(dedupeKey).digest('hex').slice(0, 12), 16) + 1);
}

/** The host's own unique key of the incident (store/incidents-repo.ts), for kills without a kernel sequence. */
interface IncidentExtras {
  dedupeKey?: string;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** The incident's central row. `recordedAtMs` stands in for the kill's time when the log gave none. */
export function fleetIncidentOf(
  host: string,
  view: IncidentView & IncidentExtras,
  report: IncidentReport,
  recordedAtMs: number,
): FleetIncident {
  const v = view.victim;
  const rss =
    v && (v.anonRssBytes !== null || v.fileRssBytes !== null || v.shmemRssBytes !== null)
      ? (v.anonRssBytes ?? 0) + (v.fileRssBytes ?? 0) + (v.shmemRssBytes ?? 0)
      : null;
  const workload = view.workload;
  const fallbackKey = view.dedupeKey ?? `${view.source}|${view.bootId ?? ''}|${view.id ?? ''}|${view.timeMs ?? ''}|${v?.pid ?? ''}`;
  return {
    kind: 'incident',
    host,
    bootId: view.bootId ?? '',
    // A kernel sequence names a record only within its boot: without the boot id it could repeat.
    seq: view.bootId && view.kmsgSeq !== null ? view.kmsgSeq : seqForKey(fallbackKey),
    atMs: view.timeMs ?? recordedAtMs,
    localId: view.id ?? 0,
    source: view.source,
    killer: view.killer,
    constraintKind: view.constraint,
    cgroup: view.oomMemcg ?? view.taskMemcg,
    workload,
    namespace: text(workload?.namespace),
    pod: text(workload?.pod),
    container: text(workload?.container),
    victimPid: v?.pid ?? null,
    victimComm: v?.comm ?? null,
    victimRssBytes: rss,
    victimOomScoreAdj: v?.oomScoreAdj ?? null,
    report,
  };
}

export function fleetTransitionOf(host: string, bootId: string, e: AlertEventRow): FleetTransition {
  return {
    kind: 'transition',
    host,
    bootId,
    id: e.id,
    atMs: e.atMs,
    rule: e.ruleId,
    state: e.kind,
    severity: e.severity,
    summary: e.summary,
    labels: e.labels,
  };
}
