import { pruneHistory } from '../store/prune.js';
import { createJobsModule, type JobSpec } from './jobs.js';
import type { AgentContext, AgentModule } from './module.js';

/**
 * The agent's parts, in start order (stopped in reverse). Each adapts one subsystem's facade
 * to the AgentModule hooks.
 */
export function createAgentModules(ctx: AgentContext): AgentModule[] {
  const { db, log } = ctx;
  const jobs: JobSpec[] = [
    {
      name: 'prune',
      cron: '17 * * * *',
      runAtStart: true,
      run: async () => {
        const cutoff = ctx.clock.nowMs() - ctx.config.store.retention;
        const r = await pruneHistory(db, cutoff, ctx.config.store.pruneBatchRows);
        if (r.ticks || r.processes || r.other) log.info({ prune: r }, 'pruned history older than the retention');
      },
    },
  ];
  return [createJobsModule(jobs, log.child({ mod: 'jobs' }))];
}
