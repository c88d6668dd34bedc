import { z } from 'zod';

/**
 * Where the node keeps the names of its containers (docs/containers.md). Read only when a cgroup is first seen;
 * a folder that does not exist is no error (a host without Kubernetes has no /var/log/pods).
 */
export const WORKLOAD_DEFAULTS = {
  /** Name workloads at all; false keeps the IDs parsed from cgroup paths only. */
  resolveNames: true,
  /** kubelet's pod logs: <namespace>_<pod>_<uid>/<container>/ (and <uid>/ before Kubernetes 1.14). */
  podLogsDir: '/var/log/pods',
  /** kubelet's container log links: <pod>_<namespace>_<container>-<container id>.log. */
  containerLogsDir: '/var/log/containers',
  /** Docker's containers: <id>/config.v2.json (name, image, compose labels). */
  dockerContainersDir: '/var/lib/docker/containers',
  /** Podman's (containers/storage) stores: overlay-containers/containers.json. Add a rootless user's ~/.local/share/containers/storage. */
  podmanStorageDirs: ['/var/lib/containers/storage'],
  /** Login names of user slices. */
  passwdFile: '/etc/passwd',
};

export const workloadSection = z
  .object({
    resolveNames: z.boolean().default(WORKLOAD_DEFAULTS.resolveNames),
    podLogsDir: z.string().min(1).default(WORKLOAD_DEFAULTS.podLogsDir),
    containerLogsDir: z.string().min(1).default(WORKLOAD_DEFAULTS.containerLogsDir),
    dockerContainersDir: z.string().min(1).default(WORKLOAD_DEFAULTS.dockerContainersDir),
    podmanStorageDirs: z.array(z.string().min(1)).default(WORKLOAD_DEFAULTS.podmanStorageDirs),
    passwdFile: z.string().min(1).default(WORKLOAD_DEFAULTS.passwdFile),
  })
  .strict()
  .default(WORKLOAD_DEFAULTS);

export type WorkloadConfig = z.output<typeof workloadSection>;
