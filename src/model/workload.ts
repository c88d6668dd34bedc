/**
 * What runs in a cgroup: a Kubernetes pod's container, a Docker or Podman container, a systemd unit, a
 * user's login session. Derived from the cgroup path alone (parse-cgroup-path.ts, pure) and named from
 * what the node keeps on disk (names-source.ts), without the Kubernetes API server. Units are in the names.
 * Every string here comes from a cgroup path or a file a container runtime wrote: untrusted, escaped at
 * each output edge.
 */

export type WorkloadKind = 'k8s-pod' | 'docker' | 'podman' | 'systemd-unit' | 'user-session' | 'slice' | 'other';

/** Kubernetes QoS class, from the pod cgroup's parent (no parent: Guaranteed). */
export type QosClass = 'guaranteed' | 'burstable' | 'besteffort';

/** The prefix the runtime gives a container's cgroup (`cri-containerd-<id>.scope`, `crio-<id>`, `docker-<id>.scope`, `libpod-<id>`). */
export type ContainerRuntime = 'cri-containerd' | 'crio' | 'docker' | 'podman';

/** What the cgroup path says. */
export interface WorkloadIds {
  kind: WorkloadKind;
  runtime: ContainerRuntime | null;
  /** Kubernetes pod UID with its dashes (the systemd driver writes them as underscores). */
  podUid: string | null;
  qos: QosClass | null;
  /** Full container ID (64 hex digits for containerd, CRI-O, Docker and Podman). */
  containerId: string | null;
  /** The deepest systemd service or scope, else the deepest slice; null on a path with neither (cgroupfs driver). */
  unit: string | null;
  /** UID of a user slice (`user-1000.slice`, `user@1000.service`); null outside one. */
  userUid: number | null;
}

/** What the node's files say about it; null where nothing was found (or the container was gone before it was looked up). */
export interface WorkloadNames {
  namespace: string | null;
  pod: string | null;
  /** Kubernetes container name, or the Docker/Podman container name. */
  container: string | null;
  image: string | null;
  composeProject: string | null;
  composeService: string | null;
  /** Login name of `userUid` (from the passwd file). */
  userName: string | null;
}

export type Workload = WorkloadIds & WorkloadNames;
