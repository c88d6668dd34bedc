/** `oomwatch top --json`: `oomwatch.top/v1`. */
import { z } from 'zod';
import { bytes, int, isoTime, risk } from './common.js';
import { MemoryJson } from './sample.js';
import { WorkloadJson } from './workload.js';

export const TOP_SCHEMA_ID = 'oomwatch.top/v1';

export const TopRowJson = z.object({
  rank: int(),
  pid: int(),
  comm: z.string(),
  uid: int().nullable(),
  user: int().nullable().describe('deprecated: the same uid as `uid`, kept for oomwatch.top/v1 readers; removed in v2'),
  oomScore: z.number(),
  risk: risk(),
  domainRisk: risk('badness in per mille of this domain, adj included'),
  oomScoreAdj: int(),
  rssBytes: bytes(),
  swapBytes: bytes(),
  rssTrendBytes: z.number().nullable().describe('RSS change over the last 5 minutes, from the store; null when unknown'),
  mark: z.enum(['', '+', '^', 'v']).describe("live view: '+' new, '^' moved up, 'v' moved down"),
  unit: z.string().nullable(),
  cgroup: z.string().describe('the v2 path, else the v1 memory controller path'),
  workload: WorkloadJson,
});

export const TopJson = z
  .object({
    schema: z.literal(TOP_SCHEMA_ID),
    at: isoTime('the snapshot instant'),
    host: z.string(),
    memory: MemoryJson,
    domains: z.array(z.object({ kind: z.enum(['host', 'cgroup']), id: z.string(), totalBytes: bytes(), nextVictims: z.array(TopRowJson) })),
  })
  .describe('Who the kernel would kill next in each OOM domain (oomwatch top --json).');

export type TopJson = z.infer<typeof TopJson>;
export type TopRowJson = z.infer<typeof TopRowJson>;
