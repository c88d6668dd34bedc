/** The agent's jobs as modules declare them (src/agent/jobs.ts runs them). Plain types. */

/**
 * A job: a plain async function on a calendar (a cron expression with an optional IANA time zone) or at a
 * fixed period (`everyMs`, for housekeeping that needs no wall-clock time).
 */
export type JobSpec = {
  name: string;
  /** Also run once shortly after the agent starts (catch-up work such as pruning or a missed report). */
  runAtStart?: boolean;
  run: () => Promise<void>;
} & ({ cron: string; timeZone?: string; everyMs?: never } | { everyMs: number; cron?: never; timeZone?: never });
