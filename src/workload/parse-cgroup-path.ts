/**
 * cgroup path → workload identity (pure). The shapes, by who made the cgroup:
 *
 * - kubelet, cgroupfs driver: /kubepods/<qos>/pod<uid>/<cid> and, for Guaranteed pods, /kubepods/pod<uid>/<cid>
 *   (CRI-O under cgroupfs names the container crio-<cid>).
 * - kubelet, systemd driver: /kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid with _>.slice/<rt>-<cid>.scope
 *   and /kubepods.slice/kubepods-pod<uid with _>.slice/<rt>-<cid>.scope, rt one of cri-containerd, crio, docker.
 *   crio-conmon-<cid>.scope is CRI-O's monitor process, not the container: it names the pod and no container.
 * - Docker: /docker/<cid> (cgroupfs), /system.slice/docker-<cid>.scope (systemd).
 * - Podman: libpod-<cid>.scope under machine.slice or a user's slice, /libpod_parent/libpod-<cid> (cgroupfs);
 *   libpod-conmon-<cid>.scope is its monitor.
 * - systemd: services and scopes (the deepest one owns the process), slices; login sessions session-<n>.scope
 *   under user-<uid>.slice.
 *
 * The Kubernetes part is looked for anywhere in the path, so a node inside a container (kind, nested v1
 * hierarchies) with /docker/<id>/kubepods/… is still a pod.
 */
import { NO_NAMES, type ContainerRuntime, type QosClass, type Workload, type WorkloadIds } from './types.js';

const HEX_ID = '[0-9a-f]{12,64}';
const UID_DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UID_UNDERSCORED = /^[0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12}$/;
const QOS = new Set<string>(['burstable', 'besteffort']);
const RUNTIME_PREFIX = /^(cri-containerd|crio|docker|libpod)-(conmon-)?([0-9a-f]{12,64})(\.scope)?$/;
const BARE_ID = new RegExp(`^${HEX_ID}$`);
const USER_SLICE = /^user-(\d+)\.slice$/;
const USER_MANAGER = /^user@(\d+)\.service$/;

const empty = (): WorkloadIds => ({ kind: 'other', runtime: null, podUid: null, qos: null, containerId: null, unit: null, userUid: null });

/** A pod UID from `pod<uid>` (cgroupfs) or `kubepods[-<qos>]-pod<uid_>.slice` (systemd), dashes restored. */
function podUidOf(component: string): string | null {
  const m = /^(?:kubepods(?:-(?:burstable|besteffort))?-)?pod([0-9a-f_-]{36})(?:\.slice)?$/.exec(component);
  if (!m) return null;
  if (UID_DASHED.test(m[1])) return m[1];
  return UID_UNDERSCORED.test(m[1]) ? m[1].replace(/_/g, '-') : null;
}

/** The QoS class a component names: `burstable`/`besteffort` (cgroupfs) or `kubepods-<qos>.slice` (systemd). */
function qosOf(component: string): QosClass | null {
  const name = component.replace(/^kubepods-/, '').replace(/\.slice$/, '');
  return QOS.has(name) && (component === name || component.startsWith('kubepods-')) ? (name as QosClass) : null;
}

/** A container component: `<rt>-[conmon-]<id>[.scope]` or a bare ID (cgroupfs). */
function containerOf(component: string): { runtime: ContainerRuntime | null; containerId: string | null; monitor: boolean } | null {
  const m = RUNTIME_PREFIX.exec(component);
  if (m) {
    const runtime: ContainerRuntime = m[1] === 'libpod' ? 'podman' : (m[1] as ContainerRuntime);
    return { runtime, containerId: m[2] ? null : m[3], monitor: m[2] !== undefined };
  }
  return BARE_ID.test(component) ? { runtime: null, containerId: component, monitor: false } : null;
}

/** The deepest systemd service or scope, else the deepest slice. */
function unitOf(parts: readonly string[]): string | null {
  for (let i = parts.length - 1; i >= 0; i--) if (/\.(service|scope)$/.test(parts[i])) return parts[i];
  for (let i = parts.length - 1; i >= 0; i--) if (parts[i].endsWith('.slice')) return parts[i];
  return null;
}

function userUidOf(parts: readonly string[]): number | null {
  for (const c of parts) {
    const m = USER_SLICE.exec(c) ?? USER_MANAGER.exec(c);
    if (m) return Number(m[1]);
  }
  return null;
}

function kubernetesOf(parts: readonly string[], at: number, out: WorkloadIds): WorkloadIds | null {
  let i = at + 1;
  let qos: QosClass | null = null;
  if (i < parts.length && qosOf(parts[i])) qos = qosOf(parts[i++]);
  if (i >= parts.length) return null; // the QoS parent itself: no pod yet
  const podUid = podUidOf(parts[i]);
  if (!podUid) return null;
  // The systemd driver repeats the QoS class in the pod slice's name; Guaranteed pods sit right under kubepods.
  const sliceQos = /^kubepods-(burstable|besteffort)-pod/.exec(parts[i]);
  const res: WorkloadIds = { ...out, kind: 'k8s-pod', podUid, qos: qos ?? (sliceQos ? (sliceQos[1] as QosClass) : 'guaranteed') };
  const c = i + 1 < parts.length ? containerOf(parts[i + 1]) : null;
  if (c) {
    res.runtime = c.runtime;
    res.containerId = c.containerId;
  }
  return res;
}

/**
 * The workload a cgroup path belongs to. Never throws: an unknown shape is kind 'other' (with its unit, if any).
 * @example parseCgroupPath('/kubepods/burstable/pod0f3c…/3f5e…') → { kind: 'k8s-pod', qos: 'burstable', podUid: '0f3c…', containerId: '3f5e…', … }
 */
export function parseCgroupPath(path: string): WorkloadIds {
  const parts = path.split('/').filter(Boolean);
  const base: WorkloadIds = { ...empty(), unit: unitOf(parts), userUid: userUidOf(parts) };
  const kube = parts.findIndex((c) => c === 'kubepods' || c === 'kubepods.slice');
  if (kube >= 0) {
    const k = kubernetesOf(parts, kube, base);
    if (k) return k;
  }
  for (let i = parts.length - 1; i >= 0; i--) {
    const c = containerOf(parts[i]);
    if (!c || c.runtime === 'cri-containerd' || c.runtime === 'crio') continue;
    if (c.runtime === 'podman') return { ...base, kind: 'podman', runtime: 'podman', containerId: c.containerId };
    if (c.runtime === 'docker' || (c.runtime === null && parts[i - 1] === 'docker'))
      return { ...base, kind: 'docker', runtime: 'docker', containerId: c.containerId };
  }
  if (base.unit === null) return base;
  if (/^session-[^/]+\.scope$/.test(base.unit) && base.userUid !== null) return { ...base, kind: 'user-session' };
  return { ...base, kind: base.unit.endsWith('.slice') ? 'slice' : 'systemd-unit' };
}

/** A workload with what its path says and no names (nothing read from the node). */
export const workloadFromPath = (path: string): Workload => ({ ...parseCgroupPath(path), ...NO_NAMES });
