/**
 * The incident documents: `oomwatch incidents --json` (`oomwatch.incidents/v1`), `incident ID --json`
 * (`oomwatch.incident/v1`) and `import FILE --json` (`oomwatch.import/v1`). One incident shape for all three.
 */
import { z } from 'zod';
import type { IncidentView } from '../../model/incident.js';
import { bytes, epochMs, int, risk } from './common.js';
import { WorkloadJson } from './workload.js';

export const INCIDENTS_SCHEMA_ID = 'oomwatch.incidents/v1';
export const INCIDENT_SCHEMA_ID = 'oomwatch.incident/v1';
export const IMPORT_SCHEMA_ID = 'oomwatch.import/v1';

const nullableInt = () => int().nullable();
const nullableBytes = () => z.number().nullable();

const victimJson = z.object({
  pid: int(),
  comm: z.string(),
  uid: nullableInt(),
  totalVmBytes: nullableBytes(),
  anonRssBytes: nullableBytes(),
  fileRssBytes: nullableBytes(),
  shmemRssBytes: nullableBytes(),
  pageTablesBytes: nullableBytes(),
  oomScoreAdj: nullableInt(),
  selectedPid: nullableInt(),
  selectedScore: z.number().nullable(),
  startTimeTicks: nullableInt().optional().describe('when the victim was linked to the sampled history'),
  processId: nullableInt().optional(),
});

export const IncidentJson = z.object({
  id: int().nullable().describe('store id; null for an imported incident that was not stored'),
  source: z
    .enum(['kmsg', 'import', 'counter', 'journal', 'syslog'])
    .describe("where the kill was read: /dev/kmsg, an imported file, the kill counters alone, or a user-space killer's journal or syslog"),
  noKernelReport: z.boolean().describe("true for a kill seen only in the kill counters: the kernel's report was not read"),
  host: z.string().describe('the host the kill happened on ("unknown" for an imported log that names none)'),
  bootId: z.string().nullable(),
  kmsgSeq: nullableInt(),
  timeMs: epochMs('wall-clock time of the kill (counter incidents: end of the window)').nullable(),
  timeExact: z.boolean(),
  monotonicUs: z.number().nullable().describe('kernel timestamp: microseconds since boot'),
  windowStartMs: epochMs('counter incidents: the kill happened after this instant').nullable(),
  killCount: int(),
  constraint: z.enum(['global', 'memcg', 'cpuset', 'mempolicy']).nullable(),
  constraintRaw: z.string().nullable(),
  oomMemcg: z.string().nullable(),
  taskMemcg: z.string().nullable(),
  cpuset: z.string().nullable(),
  memsAllowed: z.string().nullable(),
  trigger: z
    .object({
      comm: z.string(),
      pid: nullableInt(),
      gfpMask: z.string(),
      gfpFlags: z.string().nullable(),
      order: int(),
      oomScoreAdj: int(),
    })
    .nullable(),
  victim: victimJson.nullable(),
  reaped: z.boolean(),
  reaper: z.object({ timeMs: z.number().nullable(), anonRssBytes: bytes(), fileRssBytes: bytes(), shmemRssBytes: bytes() }).nullable(),
  memcgCounters: z.array(
    z.object({ kind: z.enum(['memory', 'memory+swap', 'swap', 'kmem']), usageBytes: bytes(), limitBytes: nullableBytes(), failcnt: int() }),
  ),
  flags: z.array(z.enum(['no-header', 'truncated', 'no-task-table', 'child-sacrificed', 'cgroup-from-samples', 'group-kill', 'unparsed'])),
  vanished: z.array(z.object({ pid: int(), startTimeTicks: int(), comm: z.string(), rssBytes: bytes(), oomScoreAdj: int() })),
  taskColumns: z.array(z.string()),
  workload: WorkloadJson.nullable().describe(
    "what ran in the victim's cgroup (the task memcg, else the OOM domain); null without a cgroup",
  ),
  killer: z
    .enum(['kernel', 'systemd-oomd', 'earlyoom', 'nohang', 'kubelet-eviction'])
    .describe("who killed: the kernel's OOM killer or a user-space OOM daemon"),
  reason: z.string().nullable().describe("a user-space killer's own reason (pressure or swap threshold, badness); null for the kernel"),
  groupCgroup: z
    .string()
    .nullable()
    .describe('memory.oom.group: the cgroup whose tasks were all killed with the victim (killCount counts them all)'),
  groupVictims: z.array(victimJson).describe('memory.oom.group: the other tasks killed with the victim'),
});
export type IncidentJson = z.infer<typeof IncidentJson>;

/** An incident as its JSON documents show it: the view, with the host under `host` (one name across documents). */
export function incidentToJson(v: IncidentView): IncidentJson {
  const { hostname, ...rest } = v;
  return { ...rest, host: hostname };
}

export const IncidentsJson = z
  .object({ schema: z.literal(INCIDENTS_SCHEMA_ID), incidents: z.array(IncidentJson) })
  .describe('OOM kills recorded on this host (oomwatch incidents --json).');
export type IncidentsJson = z.infer<typeof IncidentsJson>;

const taskRow = z.object({
  pid: int(),
  uid: nullableInt(),
  tgid: nullableInt(),
  totalVmPages: nullableInt(),
  rssPages: nullableInt(),
  rssAnonPages: nullableInt(),
  rssFilePages: nullableInt(),
  rssShmemPages: nullableInt(),
  pgtablesBytes: nullableBytes(),
  nrPtes: nullableInt(),
  swapents: nullableInt(),
  oomScoreAdj: nullableInt(),
  name: z.string(),
});

export const IncidentDetailJson = z
  .object({
    schema: z.literal(INCIDENT_SCHEMA_ID),
    incident: IncidentJson,
    tasks: z.array(taskRow).describe("the kernel's task table (columns absent on this kernel are null)"),
    victimSamples: z
      .array(
        z.object({
          tsMs: epochMs('sample time'),
          rssBytes: bytes(),
          swapBytes: bytes(),
          pageTablesBytes: bytes(),
          oomScore: z.number(),
          oomScoreAdj: int(),
        }),
      )
      .describe("the victim's last stored samples before the kill, newest first"),
    rankedBeforeKill: z
      .object({
        tickTsMs: epochMs('the tick the ranking was reconstructed at'),
        domain: z.enum(['host', 'cgroup']),
        cgroup: z.string().nullable(),
        totalBytes: nullableBytes(),
        candidates: z.array(
          z.object({
            processId: int(),
            pid: int(),
            startTimeTicks: int(),
            comm: z.string(),
            cgroup: z.string(),
            rssBytes: bytes(),
            swapBytes: bytes(),
            pageTablesBytes: bytes(),
            oomScore: z.number(),
            oomScoreAdj: int(),
            risk: risk().nullable(),
            badnessBytes: bytes(),
          }),
        ),
      })
      .nullable()
      .describe(
        "the kill's OOM domain as the last tick before it saw it, ranked as the kernel would; null when the kill time or boot is unknown",
      ),
  })
  .describe('One OOM kill in detail (oomwatch incident ID --json).');
export type IncidentDetailJson = z.infer<typeof IncidentDetailJson>;

export const ImportJson = z
  .object({
    schema: z.literal(IMPORT_SCHEMA_ID),
    file: z.string(),
    formats: z
      .partialRecord(z.enum(['kmsg', 'dmesg', 'dmesg-T', 'dmesg-iso', 'syslog', 'journal-json', 'plain', 'other']), int())
      .describe('records read, per log format found'),
    stored: z
      .object({ inserted: int(), already: int() })
      .nullable()
      .describe('with --db: incidents stored now and already stored; else null'),
    incidents: z.array(IncidentJson),
  })
  .describe('OOM kills found in a saved kernel log (oomwatch import FILE --json).');
export type ImportJson = z.infer<typeof ImportJson>;
