/** Typed central rows for the fleet tests (real clock: `atMs` defaults to now). */
import type { IncidentReport } from '../../src/report/types.js';
import type { FleetIncident } from '../../src/fleet/types.js';

export function fleetIncident(overrides: Partial<FleetIncident> = {}): FleetIncident {
  const host = overrides.host ?? 'web-1';
  return {
    kind: 'incident',
    host,
    bootId: 'boot-1',
    seq: 1,
    atMs: Date.now(),
    localId: overrides.seq ?? 1,
    source: 'kmsg',
    killer: 'kernel',
    constraintKind: 'memcg',
    cgroup: '/system.slice/app.service',
    workload: null,
    namespace: null,
    pod: null,
    container: null,
    victimPid: 4242,
    victimComm: 'app',
    victimRssBytes: 512 * 1024 * 1024,
    victimOomScoreAdj: 0,
    report: { schema: 'oomwatch.report.incident/v1', host } as unknown as IncidentReport,
    ...overrides,
  };
}
