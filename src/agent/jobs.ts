import cron, { type ScheduledTask } from 'node-cron';
import type { Log } from '../log.js';
import type { AgentModule } from './module.js';

/** A calendar job: a cron expression (with an optional IANA time zone) and a plain async function. */
export interface JobSpec {
  name: string;
  cron: string;
  timeZone?: string;
  /** Also run once shortly after the agent starts (catch-up work such as pruning or a missed report). */
  runAtStart?: boolean;
  run: () => Promise<void>;
}

/**
 * Runs the declarative table of calendar jobs with node-cron: no overlap (a job still running when its
 * next time comes is skipped and logged), failures logged, never thrown into the agent.
 */
export function createJobsModule(jobs: readonly JobSpec[], log: Log): AgentModule {
  const tasks: ScheduledTask[] = [];
  const startTimers: NodeJS.Timeout[] = [];
  const running = new Set<Promise<void>>();
  const runJob = (job: JobSpec): Promise<void> => {
    const p = runJobOnce(job).finally(() => running.delete(p));
    running.add(p);
    return p;
  };
  const runJobOnce = async (job: JobSpec) => {
    const t0 = Date.now();
    try {
      await job.run();
      log.debug({ job: job.name, ms: Date.now() - t0 }, 'job finished');
    } catch (err) {
      log.error({ err, job: job.name }, `job ${job.name} failed: ${(err as Error).message}`);
    }
  };
  return {
    name: 'jobs',
    start() {
      for (const job of jobs) {
        const task = cron.schedule(job.cron, () => runJob(job), { name: `oomwatch-${job.name}`, noOverlap: true, timezone: job.timeZone });
        task.on('execution:overlap', () => log.warn({ job: job.name }, `job ${job.name} skipped: the previous run is still going`));
        tasks.push(task);
        if (job.runAtStart) startTimers.push(setTimeout(() => void runJob(job), 5_000));
      }
    },
    async stop() {
      for (const t of startTimers) clearTimeout(t);
      for (const t of tasks) await t.destroy();
      await Promise.all(running); // the database closes after this: let a running job finish its batch
    },
  };
}
