import { z } from 'zod';

/** `agent:` — the host name, the data folder and the log level (config/oomwatch.example.yaml, docs/operate.md). */
export const agentSection = z
  .object({
    /** Host name used in alerts and reports; default: os.hostname(). */
    hostname: z.string().min(1).optional(),
    /**
     * Folder for the database when store.path is not set. Default: /var/lib/oomwatch for root,
     * $XDG_STATE_HOME/oomwatch (~/.local/state/oomwatch) for other users, $OOMWATCH_STATE_DIR when set.
     */
    dataDir: z.string().min(1).optional(),
    /** Log level: fatal, error, warn, info, debug, trace. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict()
  .default({ logLevel: 'info' });

export type AgentConfig = z.output<typeof agentSection>;
