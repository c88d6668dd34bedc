/**
 * The keys every rule has, and the number schemas the kinds share. Kinds spread `commonFields` into
 * their schema; rules/config.ts composes the kinds' schemas into the `rules:` schema.
 */
import { z } from 'zod';
import { processMatchSchema } from '../../sample/match.js';
import { durationMs } from '../../util/schema-helpers.js';

export const permilleField = (what: string) =>
  z
    .number({ error: `${what} expects a number of per mille (0..1000)` })
    .min(0)
    .max(1000);
export const percentField = (what: string) =>
  z
    .number({ error: `${what} expects a percentage (0..100)` })
    .min(0)
    .max(100);

export const commonFields = {
  /** Unique name: used in alerts (alertname), silences and `oomwatch alerts`. */
  id: z
    .string({ error: 'every rule needs an id (e.g. id: host-memory-low), used in alerts and silences' })
    .regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'expected letters, digits, ".", "_" or "-" (e.g. "host-memory-low")'),
  severity: z.enum(['info', 'warning', 'critical']).default('warning'),
  /** Which processes (or cgroups, with scope.cgroup) the rule looks at. */
  scope: processMatchSchema.optional(),
  for: durationMs('for').default(0),
  keepFiringFor: durationMs('keepFiringFor').default(0),
  /** Channel names (under `channels:`); default: alerting.defaultChannels, else every channel. */
  channels: z.array(z.string().min(1)).optional(),
  /** Overrides alerting.groupWait for this rule's groups (0 pages at once, e.g. for OOM kills). */
  groupWait: durationMs('groupWait').optional(),
  /** Overrides alerting.groupInterval when this rule adds an alert to a group already notified (0: at once). */
  groupInterval: durationMs('groupInterval').optional(),
};
