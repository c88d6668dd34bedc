/** `oomwatch history PID|NAME --json`: `oomwatch.history/v1`. */
import { z } from 'zod';
import { bytes, int, isoTime, risk } from './common.js';

export const HISTORY_SCHEMA_ID = 'oomwatch.history/v1';

export const HistoryJson = z
  .object({
    schema: z.literal(HISTORY_SCHEMA_ID),
    processes: z
      .array(
        z.object({
          pid: int(),
          startTimeTicks: int(),
          bootId: z.string(),
          comm: z.string(),
          cmdline: z.string(),
          uid: int().nullable(),
          cgroup: z.string(),
          unit: z.string().nullable(),
          firstSeen: isoTime('first sampled'),
          lastSeen: isoTime('last keyframe that listed it'),
          ended: isoTime('first tick that no longer listed it').nullable(),
          samples: z
            .array(
              z.object({
                at: isoTime('sample time'),
                rssBytes: bytes(),
                swapBytes: bytes(),
                pageTablesBytes: bytes(),
                oomScore: z.number(),
                oomScoreAdj: int(),
                risk: risk(),
              }),
            )
            .describe('stored on change and at keyframes; each holds until the next'),
        }),
      )
      .describe('newest identity first'),
  })
  .describe("A process's recorded history (oomwatch history --json).");

export type HistoryJson = z.infer<typeof HistoryJson>;
