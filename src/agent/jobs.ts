import type { ScheduledTask } from 'node-cron';
import type { Log } from '../log.js';
import type { JobSpec } from '../model/job.js';
import type { AgentModule } from './module.js';

export type { JobSpec };

/** How long after start a `runAtStart` job runs. */
export const START_DELAY_MS = 5_000;
/**
 * Runs the declarative table of jobs: calendar jobs with node-cron, periodic ones with a timer. No overlap
 * (a job still running when its next time comes is skipped and logged), failures logged, never thrown into
 * the agent. node-cron is loaded only when a calendar job is scheduled: it reads the time with
 * Intl.DateTimeFormat, whose locale and time-zone data stay resident (about 7 MB) once touched.
 */
export function createJobsModule(jobs: readonly JobSpec[], log: Log): AgentModule {
  const tasks: ScheduledTask[] = [];
  const timers: NodeJS.Timeout[] = [];
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
  const overlapped = (job: JobSpec) => log.warn({ job: job.name }, `job ${job.name} skipped: the previous run is still going`);
  const busy = new Set<string>();
  /** A periodic run, skipped while the job's previous run (periodic or at start) is still going. */
  const runPeriodic = (job: JobSpec) => {
    if (busy.has(job.name)) return overlapped(job);
    busy.add(job.name);
    void runJob(job).finally(() => busy.delete(job.name));
  };
  return {
    name: 'jobs',
    async start() {
      const calendar = jobs.some((j) => j.cron !== undefined) ? (await import('node-cron')).default : null;
      for (const job of jobs) {
        if (job.cron !== undefined) {
          const task = calendar!.schedule(job.cron, () => runJob(job), {
            name: `oomwatch-${job.name}`,
            noOverlap: true,
            timezone: job.timeZone,
          });
          task.on('execution:overlap', () => overlapped(job));
          tasks.push(task);
          if (job.runAtStart) timers.push(setTimeout(() => void runJob(job), START_DELAY_MS));
        } else {
          timers.push(setInterval(() => runPeriodic(job), job.everyMs));
          if (job.runAtStart) timers.push(setTimeout(() => runPeriodic(job), START_DELAY_MS));
        }
      }
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      for (const t of tasks) await t.destroy();
      await Promise.all(running); // the database closes after this: let a running job finish its batch
    },
  };
}
