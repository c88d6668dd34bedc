/** `oomwatch config show --json`: `oomwatch.config/v1`. */
import { z } from 'zod';
import { CONFIG_SCHEMA } from '../../config/effective.js';

export const ConfigJson = z
  .object({
    schema: z.literal(CONFIG_SCHEMA),
    source: z.string().describe("the file the config came from, or 'embedded default'"),
    warnings: z.array(z.string()),
    ruleOrigins: z.object({
      replaceDefaults: z.boolean(),
      sources: z.array(
        z.object({
          id: z.string(),
          origin: z.enum(['default', 'changed', 'replaced', 'added']),
          path: z.string().optional().describe('the config entry, such as rules.2; absent for a default the config does not mention'),
        }),
      ),
      disabled: z.array(z.object({ id: z.string(), path: z.string() })),
    }),
    config: z
      .record(z.string(), z.unknown())
      .describe(
        'the effective configuration (config/oomwatch.example.yaml documents every key): durations in ms, sizes in bytes, secrets as {file}/{env} or "[redacted]"',
      ),
  })
  .describe('The effective configuration (oomwatch config show --json).');
export type ConfigJson = z.infer<typeof ConfigJson>;
