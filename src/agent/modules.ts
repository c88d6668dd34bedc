import { createKernelModule } from '../kernel/agent-module.js';
import { createKillersModule } from '../killers/agent-module.js';
import { metricsOffModule } from '../metrics/off.js';
import { createNotifyModule } from '../notify/module.js';
import { createStoreAlarmModule } from '../notify/store-alarm.js';
import { createPolicyModule } from '../policy/module.js';
import { createAlertsModule } from '../alerts/module.js';
import { OUTBOX_PRUNABLE } from '../store/outbox-repo.js';
import { ADJ_CHANGE_PRUNABLE } from '../store/policy-repo.js';
import type { PrunableTable } from '../store/prune.js';
import { dailyReportJob } from '../report/daily-job.js';
import { WORKLOAD_PRUNABLE } from '../store/workloads-repo.js';
import { createWorkloadModule } from '../workload/agent-module.js';
import { createFleetModule, fleetReportJob } from '../fleet/module.js';
import { createJobsModule, type JobSpec } from './jobs.js';
import type { AgentContext, AgentModule } from './module.js';

/**
 * Tables of other modules that age out with the sample history. report_period is kept (one row a day):
 * it is what stops a catch-up from sending an old period twice.
 */
const PRUNABLE: readonly PrunableTable[] = [
  { table: 'incident', timeColumn: 'created_ms' },
  ADJ_CHANGE_PRUNABLE,
  ...OUTBOX_PRUNABLE,
  WORKLOAD_PRUNABLE,
];

/**
 * The agent's parts, built in dependency order, each given what it needs at construction; the array is the
 * start order (stopped in reverse): policy (protects the agent itself first) → workloads
 * (a tick's new cgroups are stored before that tick's kill cross-check names them) → kernel watcher → user-space
 * killers → alerts →
 * delivery → fleet shipping → store alarm (tells a database that refuses writes without that database) → metrics → calendar jobs.
 *
 * Two paths run against that order, and both go through the store, which every part already shares:
 * a kill the kernel watcher records reaches the alerts engine at once (store.onIncidentRecorded), and rows
 * the alerts engine, the daily report or the store alarm queue make delivery drain at once
 * (store.outbox.onEnqueued, subscribed by the notify module).
 */
export async function createAgentModules(ctx: AgentContext): Promise<AgentModule[]> {
  const { store, log } = ctx;
  const policy = createPolicyModule(ctx);
  // Before the kernel watcher: a tick's new cgroups are stored before that tick's kill cross-check names them.
  const workload = createWorkloadModule(ctx);
  const kernel = createKernelModule(ctx, { ensureWorkload: (path) => workload.ensure(path) });
  // systemd-oomd, earlyoom, nohang and kubelet evictions: incidents like the kernel's, told the same way (the store
  // announces each one recorded).
  const killers = createKillersModule(ctx);
  // Fleet shipping queues each recorded kill (with its report) at once rather than after the next tick.
  const fleet = createFleetModule(ctx);
  store.onIncidentRecorded(() => fleet.onIncident());
  const alerts = createAlertsModule(ctx, {
    isProtected: (p) => policy.isProtected(p),
    kmsgProblem: () => (ctx.config.kernel.enabled ? kernel.watcher.status().problem : undefined),
    unprotected: () => policy.health().unprotected,
  });
  store.onIncidentRecorded((view) => alerts.onIncident(view));
  const notify = createNotifyModule(ctx, {
    writeConsole: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    firingAlerts: () => alerts.engine().firingAlerts(),
    routeOf: (a) => alerts.engine().routeOf(a),
  });
  const storeAlarm = createStoreAlarmModule({
    store,
    log,
    draftsFor: (fault, nowMs) => alerts.engine().storeFaultDrafts(fault, nowMs),
    dispatcher: () => notify.dispatcher(),
  });
  const jobs: JobSpec[] = [
    {
      name: 'prune',
      // Hourly from start, not on the calendar: pruning needs no wall-clock time (jobs.ts says why that matters).
      everyMs: 3_600_000,
      runAtStart: true,
      run: async () => {
        const cutoff = ctx.clock.nowMs() - ctx.config.store.retention;
        const r = await store.pruneHistory(cutoff, ctx.config.store.pruneBatchRows, PRUNABLE);
        const alertRows = store.alerts.prune(cutoff);
        if (r.ticks || r.processes || r.other || alertRows)
          log.info({ prune: { ...r, alertRows } }, 'pruned history older than the retention');
      },
    },
  ];
  const daily = dailyReportJob(ctx);
  if (daily) jobs.push(daily);
  const fleetReport = fleetReportJob(ctx);
  if (fleetReport) jobs.push(fleetReport);
  // prom-client and its collectors are loaded only when the endpoint is asked for.
  const metrics = ctx.config.metrics.enabled ? (await import('../metrics/module.js')).createMetricsModule(ctx) : metricsOffModule(ctx);
  return [
    policy,
    workload,
    kernel,
    killers,
    alerts,
    notify,
    fleet,
    storeAlarm,
    metrics,
    createJobsModule(jobs, log.child({ mod: 'jobs' })),
  ];
}
