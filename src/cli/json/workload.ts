/** The workload object of the `--json` documents (incidents, top): model/workload.ts as a schema. */
import { z } from 'zod';
import type { Workload } from '../../model/workload.js';
import { int } from './common.js';

export const WorkloadJson = z
  .object({
    kind: z.enum(['k8s-pod', 'docker', 'podman', 'systemd-unit', 'user-session', 'slice', 'other']),
    runtime: z
      .enum(['cri-containerd', 'crio', 'docker', 'podman'])
      .nullable()
      .describe("the prefix the runtime gives the container's cgroup"),
    podUid: z.string().nullable().describe('Kubernetes pod UID (dashes restored under the systemd driver)'),
    qos: z.enum(['guaranteed', 'burstable', 'besteffort']).nullable().describe('Kubernetes QoS class'),
    containerId: z
      .string()
      .nullable()
      .describe('full container ID; null for the pod cgroup and for a runtime monitor (crio-conmon, libpod-conmon)'),
    unit: z.string().nullable().describe('the deepest systemd service or scope in the path, else the deepest slice'),
    userUid: int().nullable().describe('UID of the user slice the cgroup is in'),
    namespace: z
      .string()
      .nullable()
      .describe("from /var/log/pods or /var/log/containers when the pod's logs were there when it was first seen"),
    pod: z.string().nullable(),
    container: z.string().nullable().describe('Kubernetes container name, or the Docker/Podman container name'),
    image: z.string().nullable(),
    composeProject: z.string().nullable(),
    composeService: z.string().nullable(),
    userName: z.string().nullable(),
  })
  .describe('What ran in the cgroup (docs/containers.md): parsed from its path, named from the node when it was first seen.');
export type WorkloadJson = z.infer<typeof WorkloadJson>;

/** The JSON object of a workload (the same fields, so the type system checks they stay in step). */
export const workloadToJson = (w: Workload): WorkloadJson => ({ ...w });
