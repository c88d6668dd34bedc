/** `oomwatch protect plan --json` (a document without a `schema` field). */
import { z } from 'zod';
import { bytes, int } from './common.js';

const rank = () => int().nullable().describe('1 = the next victim; null = never chosen');

export const PlanEntryJson = z.object({
  process: z.object({
    bootId: z.string(),
    pid: int(),
    startTimeTicks: int(),
    ppid: int(),
    comm: z.string(),
    exe: z.string().nullable(),
    uid: int().nullable(),
    unit: z.string().nullable(),
  }),
  rule: z.object({ id: z.string(), index: int(), level: z.string().nullable(), why: z.string().nullable() }),
  currentAdj: int(),
  targetAdj: int(),
  action: z.enum(['set', 'keep']).describe("'set': would be written; 'keep': already at the target"),
  mayNeedCapability: z.boolean().describe('lowering below the floor needs CAP_SYS_RESOURCE'),
  children: z.object({
    coversLaterChildren: z.literal(true),
    existing: z.array(z.object({ pid: int(), comm: z.string(), oomScoreAdj: int(), ruleId: z.string().nullable() })),
    text: z.string(),
  }),
  effect: z
    .object({
      adjustmentBytes: z.number().describe('adj * total / 1000: negative is discounted, positive added'),
      totalBytes: bytes(),
      usageBytes: bytes(),
      rankBefore: rank(),
      rankAfter: rank(),
      killableAfter: int(),
      text: z.string(),
    })
    .describe('host-wide (global) OOM: the value against RAM+swap and the host ranking'),
  cgroupEffect: z
    .object({
      path: z.string(),
      totalBytes: bytes(),
      adjustmentBytes: z.number(),
      rankBefore: rank(),
      rankAfter: rank(),
      members: int(),
      text: z.string(),
    })
    .nullable()
    .describe('memory-cgroup OOM: the value against the innermost limited cgroup holding the process'),
});

export const ProtectPlanJson = z
  .object({
    bootId: z.string(),
    totalBytes: bytes('RAM+swap'),
    capSysResource: z.boolean().nullable().describe('whether oomwatch holds CAP_SYS_RESOURCE; null when it cannot tell'),
    enforce: z.boolean(),
    entries: z.array(PlanEntryJson),
    unmatchedRules: z.array(z.string()).describe('ids of rules that select no process now'),
  })
  .describe('Which processes the protection policy selects and what their values mean (oomwatch protect plan --json).');
export type ProtectPlanJson = z.infer<typeof ProtectPlanJson>;
