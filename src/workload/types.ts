/** The workload types live in the model leaf (model/workload.ts); this adds the value every module shares. */
import type { WorkloadNames } from '../model/workload.js';

export type { ContainerRuntime, QosClass, Workload, WorkloadIds, WorkloadKind, WorkloadNames } from '../model/workload.js';

export const NO_NAMES: WorkloadNames = {
  namespace: null,
  pod: null,
  container: null,
  image: null,
  composeProject: null,
  composeService: null,
  userName: null,
};
