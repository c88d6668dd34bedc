/** `oomwatch sample --once --json`: `oomwatch.sample/v1`. */
import { z } from 'zod';
import { bytes, int, isoTime, risk } from './common.js';

export const SAMPLE_SCHEMA_ID = 'oomwatch.sample/v1';

const psiLine = z.object({ avg10: z.number(), avg60: z.number(), avg300: z.number(), totalUs: z.number() });

export const MemoryJson = z.object({
  memTotalBytes: bytes(),
  memAvailableBytes: bytes(),
  memFreeBytes: bytes(),
  swapTotalBytes: bytes(),
  swapFreeBytes: bytes(),
});

export const ProcessJson = z.object({
  pid: int(),
  startTimeTicks: int().describe('start time in clock ticks since boot; (bootId, pid, startTimeTicks) is the identity'),
  bootId: z.string(),
  ppid: int(),
  uid: int().nullable(),
  comm: z.string().describe('untrusted'),
  cmdline: z.string().describe('redacted when sampled; untrusted'),
  exe: z.string().nullable(),
  cgroup: z.string(),
  unit: z.string().nullable(),
  state: z.string(),
  oomScore: z.number().describe('raw /proc/PID/oom_score'),
  oomScoreAdj: int().describe('-1000..1000'),
  risk: risk(),
  immune: z.boolean().describe('the kernel will not pick this process (risk is -1000)'),
  rssBytes: bytes(),
  swapBytes: bytes(),
  pageTablesBytes: bytes(),
});

export const SampleJson = z
  .object({
    schema: z.literal(SAMPLE_SCHEMA_ID),
    takenAt: isoTime('when the snapshot was taken'),
    host: z.string(),
    bootId: z.string(),
    kernelRelease: z.string(),
    oomScoreScale: z.enum(['new', 'old']).describe('new: 5.9+, an idle process reads 666; old: it reads 0'),
    memory: MemoryJson,
    psi: z.object({ some: psiLine, full: psiLine.nullable() }).nullable(),
    vmstatOomKill: z.number().nullable().describe('the kernel OOM kill counter since boot; null before 4.13'),
    cgroupVersion: z.union([z.literal(1), z.literal(2)]).nullable(),
    cgroups: z.array(
      z.object({
        path: z.string(),
        version: z.union([z.literal(1), z.literal(2)]),
        usageBytes: bytes(),
        limitBytes: bytes(),
        swapUsageBytes: z.number().nullable(),
        swapLimitBytes: z.number().nullable(),
        oomKillCount: z.number().nullable(),
        oomCount: z.number().nullable(),
        events: z
          .object({
            high: z.number().nullable().describe('v2 memory.events high: usage went over memory.high (throttled)'),
            max: z.number().nullable().describe('v2 memory.events max, v1 memory.failcnt: usage reached the limit'),
            oom: z.number().nullable(),
            oomKill: z.number().nullable(),
            oomGroupKill: z.number().nullable().describe('v2 memory.events oom_group_kill (5.17+)'),
            underOom: z.boolean().optional().describe('v1 memory.oom_control under_oom'),
          })
          .optional()
          .describe("the cgroup's memory event counters"),
      }),
    ),
    counts: z.object({ listed: int(), sampled: int(), gone: int(), denied: int(), kernelThreads: int(), newIdentities: int() }),
    processes: z.array(ProcessJson),
    domains: z.array(
      z.object({
        kind: z.enum(['host', 'cgroup']),
        id: z.string().describe("'host' or the cgroup path"),
        totalBytes: bytes('what badness is measured against: RAM+swap, or the cgroup limit plus usable swap'),
        nextVictims: z.array(
          z.object({
            rank: int(),
            pid: int(),
            startTimeTicks: int(),
            comm: z.string(),
            risk: risk('badness in per mille of this domain, adj included'),
            badnessBytes: bytes(),
            oomScoreAdj: int(),
          }),
        ),
      }),
    ),
  })
  .describe('One snapshot of every process and memory cgroup (oomwatch sample --once --json).');

export type SampleJson = z.infer<typeof SampleJson>;
export type ProcessJson = z.infer<typeof ProcessJson>;
