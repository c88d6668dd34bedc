/** `oomwatch alerts --json` (`oomwatch.alerts/v1`) and `oomwatch silence list --json` (`oomwatch.silences/v1`). */
import { z } from 'zod';
import { epochMs, int } from './common.js';

export const ALERTS_SCHEMA_ID = 'oomwatch.alerts/v1';
export const SILENCES_SCHEMA_ID = 'oomwatch.silences/v1';

const alertFields = {
  fingerprint: z.string().describe('stable identity of the alert instance: rule + host + subject'),
  ruleId: z.string(),
  ruleKind: z.string(),
  severity: z.enum(['info', 'warning', 'critical']),
  host: z.string(),
  state: z.enum(['firing', 'resolved']),
  resolution: z.enum(['cleared', 'oom-killed', 'exited']).optional(),
  startsAtMs: epochMs('when the alert started'),
  endsAtMs: epochMs('when it ended').optional(),
  summary: z.string().describe('one line; untrusted'),
  details: z.array(z.object({ label: z.string(), value: z.string() })),
  labels: z.record(z.string(), z.string()).describe('alertname, host, severity, kind, scope, comm, unit, cgroup, check, channel'),
  process: z
    .object({
      pid: int(),
      startTimeTicks: int(),
      comm: z.string(),
      cmdline: z.string(),
      uid: int().nullable(),
      unit: z.string().nullable(),
      cgroup: z.string(),
    })
    .optional(),
  cgroup: z.string().optional(),
  incidentId: int().optional(),
};

export const SilenceJson = z.object({
  id: int(),
  matchers: z.array(z.object({ name: z.string(), op: z.enum(['=', '!=', '=~', '!~']), value: z.string() })),
  comment: z.string(),
  createdBy: z.string(),
  createdAtMs: epochMs('created'),
  startsAtMs: epochMs('starts'),
  endsAtMs: epochMs('ends'),
  expiredAtMs: epochMs('ended early by silence expire').nullable(),
});

export const AlertsJson = z
  .object({
    schema: z.literal(ALERTS_SCHEMA_ID),
    generatedAtMs: epochMs('when the document was made'),
    firing: z.array(
      z.object({ ...alertFields, mutedBy: z.string().nullable().describe('why it is not sent (a silence, an inhibition), or null') }),
    ),
    pending: z.array(z.object({ ...alertFields, pendingSinceMs: epochMs('when the condition first held') })),
    silences: z.array(SilenceJson).describe('active and scheduled silences'),
    channels: z.array(
      z.object({
        channel: z.string(),
        state: z.enum(['ok', 'failing', 'broken']),
        lastOkMs: z.number().nullable(),
        lastErrorMs: z.number().nullable(),
        lastError: z.string().nullable(),
        consecutiveFailures: int(),
        sentTotal: int(),
        failedTotal: int(),
        brokenSinceMs: z.number().nullable(),
        pending: int().describe('outbox rows still waiting for this channel'),
      }),
    ),
  })
  .describe('Firing and pending alerts, silences and channel health (oomwatch alerts --json).');
export type AlertsJson = z.infer<typeof AlertsJson>;

export const SilencesJson = z
  .object({ schema: z.literal(SILENCES_SCHEMA_ID), silences: z.array(SilenceJson) })
  .describe('Active and scheduled silences, with --all also the ended ones (oomwatch silence list --json).');
export type SilencesJson = z.infer<typeof SilencesJson>;
