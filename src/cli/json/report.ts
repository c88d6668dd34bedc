/**
 * `oomwatch report --format json` (`oomwatch.report.incident/v1`) and `report daily --format json`
 * (`oomwatch.report.daily/v1`). The JSON is the report model itself (src/report/types.ts): the type checks at
 * the end of this file fail the build when the model and these schemas differ.
 */
import { z } from 'zod';
import type { DailyReport, IncidentReport } from '../../report/types.js';
import { bytes, epochMs, int, risk } from './common.js';
import { WorkloadJson } from './workload.js';

const series = (what: string) => z.array(z.number().nullable()).describe(`${what} per bucket; null where not sampled`);
const pidComm = { pid: int(), comm: z.string() };

const growthRow = z.object({
  ...pidComm,
  cgroup: z.string(),
  startRssBytes: bytes(),
  endRssBytes: bytes(),
  growthBytes: z.number().describe('rss + swap growth from the first to the last sample in the window (start-up allocation is not growth)'),
  firstSampleMs: epochMs('first sample in the window (the window start for a process that was there before)'),
  lastSampleMs: epochMs('last tick it was alive at in the window'),
  spanMs: z.number().describe('lastSampleMs − firstSampleMs'),
  growthBytesPerS: z.number().describe('growthBytes per second over spanMs; the culprit is the fastest grower'),
  startedInWindow: z.boolean().describe('not there at the first sample of the window'),
  series: series('rss + swap'),
  isVictim: z.boolean(),
});

export const IncidentReportJson = z
  .object({
    schema: z.literal('oomwatch.report.incident/v1'),
    host: z.string(),
    timeZone: z.string(),
    incident: z
      .object({
        id: int().nullable(),
        source: z.string(),
        timeMs: z.number().nullable(),
        timeExact: z.boolean(),
        constraint: z.string().nullable(),
        oomMemcg: z.string().nullable(),
        trigger: z.object({ comm: z.string(), pid: int().nullable() }).nullable(),
        victim: z
          .object({ ...pidComm, uid: int().nullable(), anonRssBytes: z.number().nullable(), oomScoreAdj: int().nullable() })
          .nullable(),
        noKernelReport: z.boolean(),
        workload: WorkloadJson.nullable(),
        killer: z.string().describe('kernel, systemd-oomd, earlyoom, nohang or kubelet-eviction'),
        reason: z.string().nullable().describe("a user-space killer's own reason; null for the kernel"),
        killedCgroup: z.string().nullable().describe('the cgroup a user-space killer killed (systemd-oomd)'),
        groupCgroup: z.string().nullable().describe('memory.oom.group: the cgroup whose tasks were all killed'),
        groupVictimCount: int().describe('memory.oom.group: the tasks killed besides the victim'),
      })
      .nullable()
      .describe('null for a report at an instant (--at) rather than about a kill'),
    window: z.object({
      fromMs: epochMs('window start (later than requestedFromMs when the recorded history starts inside the window)'),
      toMs: epochMs('window end'),
      bucketMs: z.number(),
      requestedFromMs: epochMs('where --window asked the window to start'),
    }),
    missing: z.array(z.string()).describe('what the store could not tell; empty when complete'),
    memory: z
      .object({
        memTotalBytes: bytes(),
        swapTotalBytes: bytes(),
        lowestAvailableBytes: bytes(),
        lowestAvailableAtMs: z.number(),
        peakPsiSome10: z.number().nullable(),
        points: z.array(
          z.object({
            tsMs: z.number(),
            memAvailableBytes: bytes(),
            swapUsedBytes: bytes(),
            psiSome10: z.number().nullable(),
            psiFull10: z.number().nullable(),
          }),
        ),
      })
      .nullable(),
    cgroup: z
      .object({
        path: z.string(),
        version: z.union([z.literal(1), z.literal(2)]).nullable(),
        limitBytes: bytes(),
        peakUsageBytes: bytes(),
        peakAtMs: z.number(),
        usage: series('usage'),
      })
      .nullable(),
    cgroupVersion: z
      .union([z.literal(1), z.literal(2)])
      .nullable()
      .describe('cgroup version of the killed cgroup or the host: which limit knobs the advice names; null when not recorded'),
    rankings: z.array(
      z.object({
        atMs: z.number(),
        label: z.string(),
        domain: z.enum(['host', 'cgroup']),
        cgroup: z.string().nullable(),
        rows: z.array(z.object({ ...pidComm, risk: risk().nullable(), rssBytes: bytes(), oomScoreAdj: int(), isVictim: z.boolean() })),
      }),
    ),
    kernelTasks: z.array(
      z.object({ pid: int(), name: z.string(), rssBytes: z.number().nullable(), oomScoreAdj: int().nullable(), isVictim: z.boolean() }),
    ),
    kernelTasksMore: int(),
    verdict: z.object({
      kernelVictim: z.object(pidComm).nullable(),
      firstRanked: z.object({ ...pidComm, risk: risk().nullable() }).nullable(),
      agree: z.boolean().nullable(),
      reasons: z.array(z.string()),
    }),
    culprit: growthRow.nullable(),
    growth: z.array(growthRow),
    riskSeries: z.array(z.object({ ...pidComm, series: series('risk ‰') })),
    protection: z.object({
      exposed: z.array(z.object({ ...pidComm, oomScoreAdj: int(), bestRank: int().nullable(), killed: z.boolean() })),
      changes: z.array(z.object({ tsMs: z.number(), comm: z.string(), pid: int(), toAdj: int(), outcome: z.string(), ruleId: z.string() })),
    }),
    recommendations: z.array(z.string()),
  })
  .describe('The forensic report of an OOM kill or of the minutes before an instant (oomwatch report --format json).');

export const DailyReportJson = z
  .object({
    schema: z.literal('oomwatch.report.daily/v1'),
    host: z.string(),
    timeZone: z.string(),
    period: z.object({ fromMs: epochMs('period start'), toMs: epochMs('period end') }),
    ticks: int(),
    incidents: z.array(
      z.object({
        id: int(),
        timeMs: z.number().nullable(),
        victimComm: z.string().nullable(),
        victimPid: int().nullable(),
        constraint: z.string().nullable(),
        memcg: z.string().nullable(),
        source: z.string(),
        workload: WorkloadJson.nullable(),
      }),
    ),
    incidentsMore: int(),
    memory: z
      .object({
        memTotalBytes: bytes(),
        lowestAvailableBytes: bytes(),
        lowestAvailableFraction: z.number(),
        lowestAvailableAtMs: z.number(),
        peakPsiSome10: z.number().nullable(),
        peakPsiAtMs: z.number().nullable(),
        availableTrend: series('lowest available fraction'),
      })
      .nullable(),
    nearLimitCgroups: z.array(
      z.object({ path: z.string(), peakUsageBytes: bytes(), limitBytes: bytes(), peakFraction: z.number(), atMs: z.number() }),
    ),
    nearLimitMore: int(),
    topRisk: z.array(
      z.object({
        ...pidComm,
        cgroup: z.string(),
        unit: z.string().nullable(),
        peakRisk: risk(),
        peakAtMs: z.number(),
        peakRssBytes: bytes(),
        oomScoreAdj: int(),
        trend: series('max rss'),
        direction: z.enum(['rising', 'falling', 'flat']),
      }),
    ),
    topRiskMore: int(),
    protectedExposure: z.array(z.object({ ...pidComm, oomScoreAdj: int(), peakRisk: risk(), timesNextVictim: int() })),
    policyFailures: z.array(z.object({ comm: z.string(), pid: int(), outcome: z.string(), count: int(), message: z.string().nullable() })),
    alerts: z.object({
      fired: z.array(z.object({ ruleId: z.string(), count: int(), severity: z.string(), lastSummary: z.string() })),
      open: z.array(z.object({ ruleId: z.string(), severity: z.string(), summary: z.string(), sinceMs: z.number() })),
      openMore: int(),
    }),
    health: z.object({
      gaps: z.array(z.object({ reason: z.string(), count: int(), totalMs: z.number() })),
      events: z.array(z.object({ kind: z.string(), count: int(), lastMessage: z.string() })),
      deniedTicks: int(),
      maxDenied: int(),
    }),
    headline: z.string(),
  })
  .describe('The daily risk report (oomwatch report daily --format json).');

// The report model and its schema are the same type, both ways: a field added to one and not the other fails the build.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const incidentReportMatchesSchema: Same<IncidentReport, z.infer<typeof IncidentReportJson>> = true;
export const dailyReportMatchesSchema: Same<DailyReport, z.infer<typeof DailyReportJson>> = true;
