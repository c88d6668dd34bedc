/**
 * Puts what the host recorded since the last pass into the outbox for the fleet database: each new
 * incident with its forensic report (the kernel's report, the pre-kill ranking of its domain, the culprit)
 * built now, while the host's history still holds the minutes before the kill, and each new alert
 * transition. A bounded number per pass, so a first start on a large history does not stall the agent.
 */
import { buildIncidentReport } from '../report/index.js';
import type { Store } from '../store/store.js';
import { fleetIncidentOf, fleetTransitionOf } from './payload.js';
import { FLEET_CHANNEL, fleetDedupKey, type FleetPayload } from './types.js';

export interface EnqueueContext {
  store: Pick<Store, 'fleet' | 'reports'>;
  host: string;
  bootId: string;
  timeZone: string;
  /** How far before the kill the shipped report looks (as `oomwatch report --window`; the agent uses its default, 30 min). */
  windowMs: number;
  nowMs: number;
}

const INCIDENTS_PER_PASS = 20;
const EVENTS_PER_PASS = 1_000;

/** One pass; returns how many rows it queued (0: nothing new). */
export function enqueueFleetRows(ctx: EnqueueContext): number {
  const repo = ctx.store.fleet;
  const cursor = repo.cursor();
  const rows: { dedupKey: string; payload: FleetPayload; createdAtMs: number }[] = [];
  const push = (payload: FleetPayload) => rows.push({ dedupKey: fleetDedupKey(payload), payload, createdAtMs: ctx.nowMs });
  const next = { ...cursor };
  for (const key of repo.incidentsAfter(cursor.incidentId, INCIDENTS_PER_PASS)) {
    next.incidentId = key.id;
    const view = ctx.store.reports.findIncident({ id: key.id });
    if (!view) continue;
    const report = buildIncidentReport(ctx.store.reports, {
      incident: view,
      atMs: view.timeMs ?? key.createdMs,
      windowMs: ctx.windowMs,
      host: ctx.host,
      timeZone: ctx.timeZone,
    });
    push(fleetIncidentOf(ctx.host, { ...view, dedupeKey: key.dedupeKey }, report, key.createdMs));
  }
  for (const e of repo.alertEventsAfter(cursor.alertEventId, EVENTS_PER_PASS)) {
    next.alertEventId = e.id;
    push(fleetTransitionOf(ctx.host, ctx.bootId, e));
  }
  if (next.incidentId === cursor.incidentId && next.alertEventId === cursor.alertEventId) return 0;
  repo.enqueue(FLEET_CHANNEL, rows, next);
  return rows.length;
}
