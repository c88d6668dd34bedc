/**
 * Workload attribution as one of the agent's modules (src/agent/module.ts): every tick hands the cgroups of the
 * snapshot (each process's, and every memory-limited one) to the tracker; the kernel watcher calls `ensure` for
 * the cgroup a kill names before it stores the incident, so the incident carries the workload.
 */
import type { AgentContext, AgentModule } from '../agent/module.js';
import type { WorkloadConfig } from './config.js';
import type { HostSnapshot } from '../model/snapshot.js';
import { createNamesSource } from './names-source.js';
import { createWorkloadTracker, type WorkloadTracker } from './tracker.js';

/** Every cgroup path of a tick: the processes' and the memory-limited cgroups'. */
export function cgroupPathsOf(snapshot: HostSnapshot): Set<string> {
  const paths = new Set<string>();
  for (const p of snapshot.processes) if (p.cgroup) paths.add(p.cgroup);
  for (const c of snapshot.cgroups) paths.add(c.path);
  return paths;
}

export function createWorkloadModule(ctx: AgentContext): AgentModule & { ensure(path: string): void } {
  const repo = ctx.store.workloads;
  const build = (config: { workload: WorkloadConfig }): WorkloadTracker =>
    createWorkloadTracker({ repo, names: config.workload.resolveNames ? createNamesSource(config.workload) : null, log: ctx.log });
  let tracker = build(ctx.config);
  return {
    name: 'workload',
    onTick(tick) {
      tracker.observe(cgroupPathsOf(tick.snapshot), tick.nowMs);
    },
    ensure(path) {
      tracker.ensure(path, ctx.clock.nowMs());
    },
    reload(config) {
      tracker = build(config);
    },
  };
}
