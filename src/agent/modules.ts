import { createKernelModule } from '../kernel/agent-module.js';
import { metricsOffModule } from '../metrics/off.js';
import { createNotifyModule } from '../notify/module.js';
import { createStoreAlarmModule } from '../notify/store-alarm.js';
import { createPolicyModule } from '../policy/module.js';
import { createAlertsModule, type AlertsModule } from '../alerts/module.js';
import { createAlertsRepo } from '../store/alerts-repo.js';
import { OUTBOX_PRUNABLE } from '../store/outbox-repo.js';
import { ADJ_CHANGE_PRUNABLE } from '../store/policy-repo.js';
import { pruneHistory, type PrunableTable } from '../store/prune.js';
import { dailyReportJob } from '../report/daily-job.js';
import { createFleetModule, fleetReportJob } from '../fleet/module.js';
import { createJobsModule, type JobSpec } from './jobs.js';
import type { AgentContext, AgentModule } from './module.js';

/**
 * Tables of other modules that age out with the sample history. report_period is kept (one row a day):
 * it is what stops a catch-up from sending an old period twice.
 */
const PRUNABLE: readonly PrunableTable[] = [{ table: 'incident', timeColumn: 'created_ms' }, ADJ_CHANGE_PRUNABLE, ...OUTBOX_PRUNABLE];

/**
 * The agent's parts, in start order (stopped in reverse):
 * policy (protects the agent itself first) → kernel watcher → alerts → delivery → fleet shipping → store alarm (tells a
 * database that refuses writes without that database) → metrics → calendar jobs.
 * A stored kill goes straight from the kernel watcher to the alerts engine, which kicks delivery.
 */
export async function createAgentModules(ctx: AgentContext): Promise<AgentModule[]> {
  const { db, log } = ctx;
  let alerts: AlertsModule | null = null;
  const policy = createPolicyModule(ctx);
  const fleet = createFleetModule(ctx);
  const kernel = createKernelModule(ctx, {
    onIncident: (view) => {
      alerts?.onIncident(view);
      fleet.onIncident();
    },
  });
  let notify: ReturnType<typeof createNotifyModule> | null = null;
  alerts = createAlertsModule(ctx, {
    isProtected: (p) => policy.isProtected(p),
    kmsgProblem: () => (ctx.config.kernel.enabled ? kernel.watcher.status().problem : undefined),
    unprotected: () => policy.health().unprotected,
    onQueued: () => notify?.dispatcher()?.kick(),
  });
  const engine = alerts;
  notify = createNotifyModule(ctx, {
    writeConsole: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
    firingAlerts: () => engine.engine().firingAlerts(),
    routeOf: (a) => engine.engine().routeOf(a),
  });
  const storeAlarm = createStoreAlarmModule({
    db,
    log,
    draftsFor: (fault, nowMs) => engine.engine().storeFaultDrafts(fault, nowMs),
    dispatcher: () => notify?.dispatcher() ?? null,
  });
  const jobs: JobSpec[] = [
    {
      name: 'prune',
      cron: '17 * * * *',
      runAtStart: true,
      run: async () => {
        const cutoff = ctx.clock.nowMs() - ctx.config.store.retention;
        const r = await pruneHistory(db, cutoff, ctx.config.store.pruneBatchRows, PRUNABLE);
        const alertRows = createAlertsRepo(db).prune(cutoff);
        if (r.ticks || r.processes || r.other || alertRows) log.info({ prune: { ...r, alertRows } }, 'pruned history older than the retention');
      },
    },
  ];
  const daily = dailyReportJob(ctx, { onQueued: () => notify?.dispatcher()?.kick() });
  if (daily) jobs.push(daily);
  const fleetReport = fleetReportJob(ctx, { onQueued: () => notify?.dispatcher()?.kick() });
  if (fleetReport) jobs.push(fleetReport);
  // prom-client and its collectors are loaded only when the endpoint is asked for.
  const metrics = ctx.config.metrics.enabled ? (await import('../metrics/module.js')).createMetricsModule(ctx) : metricsOffModule(ctx);
  return [policy, kernel, alerts, notify, fleet, storeAlarm, metrics, createJobsModule(jobs, log.child({ mod: 'jobs' }))];
}
