/**
 * The workload of a cgroup for a command that reads (top, sample): the stored one when the agent has seen the
 * cgroup, else resolved now from the node's files (when names are on), else what the path says. Cached per path.
 */
import type { WorkloadConfig } from './config.js';
import type { WorkloadsRepo } from '../store/workloads-repo.js';
import { createNamesSource } from './names-source.js';
import { parseCgroupPath, workloadFromPath } from './parse-cgroup-path.js';
import type { Workload } from './types.js';

export type WorkloadLookup = (cgroup: string) => Workload;

export function createWorkloadLookup(repo: WorkloadsRepo | null, config: WorkloadConfig | null): WorkloadLookup {
  const names = config?.resolveNames ? createNamesSource(config) : null;
  const cache = new Map<string, Workload>();
  return (cgroup) => {
    const cached = cache.get(cgroup);
    if (cached) return cached;
    let w = repo?.get(cgroup) ?? null;
    if (!w) {
      const ids = parseCgroupPath(cgroup);
      w = names ? { ...ids, ...names.namesFor(ids) } : workloadFromPath(cgroup);
    }
    cache.set(cgroup, w);
    return w;
  };
}
