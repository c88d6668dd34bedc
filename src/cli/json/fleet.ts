/** `oomwatch fleet incidents --json` and `oomwatch fleet report --format json` (docs/fleet.md). */
import { z } from 'zod';
import { bytes, epochMs, int } from './common.js';

export const FLEET_INCIDENTS_SCHEMA_ID = 'oomwatch.fleet.incidents/v1';

const nullableText = z.string().nullable();

export const FleetIncidentJson = z.object({
  host: z.string().describe('the host that shipped it (its agent.hostname)'),
  bootId: z.string().describe("the kill's boot id; empty when unknown (an imported log)"),
  seq: int().describe("the kernel's sequence number of the kill record; negative: a key derived from the host's incident key"),
  localId: int().describe('the incident id on its host: oomwatch incident ID there, oomwatch fleet incident HOST:ID here'),
  atMs: epochMs('when the kill happened (or, without a time in the log, when it was recorded)'),
  source: z.string().describe('kmsg | import | counter'),
  killer: nullableText.describe('kernel, or the user-space killer when known'),
  constraintKind: nullableText.describe('global | memcg | cpuset | mempolicy; null when unknown'),
  cgroup: nullableText,
  namespace: nullableText,
  pod: nullableText,
  container: nullableText,
  victimPid: int().nullable(),
  victimComm: nullableText,
  victimRssBytes: bytes('anon + file + shmem RSS at the kill').nullable(),
  victimOomScoreAdj: int().nullable(),
});

export const FleetIncidentsJson = z.object({
  schema: z.literal(FLEET_INCIDENTS_SCHEMA_ID),
  incidents: z.array(FleetIncidentJson).describe('newest first'),
});
export type FleetIncidentsJson = z.infer<typeof FleetIncidentsJson>;

export const FleetReportJson = z.object({
  schema: z.literal('oomwatch.report.fleet/v1'),
  timeZone: z.string(),
  period: z.object({ fromMs: epochMs('start (exclusive)'), toMs: epochMs('end') }),
  kills: int(),
  hosts: int().describe('hosts with at least one kill in the period'),
  killsPerHost: z.array(z.object({ host: z.string(), kills: int(), lastMs: epochMs('the latest kill') })),
  killsPerWorkload: z.array(
    z.object({ workload: z.string().describe('namespace/pod/container when known, else the cgroup'), kills: int(), hosts: int() }),
  ),
  repeatedVictims: z.array(z.object({ comm: z.string(), kills: int(), hosts: int(), lastMs: epochMs('the latest kill') })),
  weekTrend: z
    .array(z.object({ dayStartMs: epochMs('UTC midnight'), kills: int() }))
    .describe('the 7 days ending at the period end, oldest first'),
  closestToOom: z
    .array(
      z.object({
        host: z.string(),
        lowestAvailableFraction: z.number().nullable().describe('lowest MemAvailable / MemTotal over the period'),
        peakPsiSome10: z.number().nullable().describe('highest memory PSI some avg10, as a share of time'),
        peakRiskPermille: z.number().nullable().describe("highest process risk on the host, per mille of the domain's total"),
      }),
    )
    .nullable()
    .describe('from Prometheus; null when it was not given or not reachable (see prometheusProblem)'),
  prometheusProblem: z.string().nullable(),
  headline: z.string(),
});
