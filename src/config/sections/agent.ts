import { z } from 'zod';

export const agentSection = z
  .object({
    /** Host name used in alerts and reports; default: os.hostname(). */
    hostname: z.string().min(1).optional(),
    /** Folder for the database when store.path is not set. Relative paths are relative to the working directory. */
    dataDir: z.string().min(1).default('./data'),
    /** Log level: fatal, error, warn, info, debug, trace. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .strict()
  .default({ dataDir: './data', logLevel: 'info' });
