/** `oomwatch doctor --json`: `oomwatch.doctor/v1`. */
import { z } from 'zod';

export const DOCTOR_SCHEMA_ID = 'oomwatch.doctor/v1';

export const CheckJson = z.object({
  name: z.string(),
  status: z.enum(['ok', 'warn', 'fail']),
  detail: z.string(),
  fix: z.string().optional().describe('what to do; present for every check that is not ok'),
});
export type CheckJson = z.infer<typeof CheckJson>;

export const DoctorJson = z
  .object({ schema: z.literal(DOCTOR_SCHEMA_ID), checks: z.array(CheckJson) })
  .describe('What oomwatch can see and do on this host (oomwatch doctor --json); the exit code is 1 when a check fails.');
export type DoctorJson = z.infer<typeof DoctorJson>;
