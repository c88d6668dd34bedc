/**
 * Workloads in words, facts and labels (pure). The strings are untrusted (cgroup paths, runtime files): each
 * renderer escapes them at its own edge.
 */
import type { Workload } from './types.js';

/** Container IDs are shown as their first 12 hex digits (as `docker ps` and `crictl ps` do); facts keep the full ID. */
export const shortId = (id: string): string => id.slice(0, 12);

const userOf = (w: Workload): string => (w.userName ? `user ${w.userName}` : `uid ${w.userUid}`);

/**
 * One phrase naming the workload, or null when the path says nothing more than itself ('other').
 * @example describeWorkload(nginxInShop) → 'pod shop/web-7d9f container nginx (Burstable)'
 */
export function describeWorkload(w: Workload): string | null {
  switch (w.kind) {
    case 'k8s-pod': {
      const pod = w.pod ? `pod ${w.namespace ? `${w.namespace}/` : ''}${w.pod}` : `pod ${w.podUid}`;
      const container = w.container ? ` container ${w.container}` : w.containerId ? ` container ${shortId(w.containerId)}` : '';
      const qos = w.qos ? ` (${w.qos === 'besteffort' ? 'BestEffort' : w.qos[0].toUpperCase() + w.qos.slice(1)})` : '';
      return `${pod}${container}${qos}`;
    }
    case 'docker':
    case 'podman': {
      const runtime = w.kind === 'docker' ? 'Docker' : 'Podman';
      const name = w.container ?? (w.containerId ? shortId(w.containerId) : '(monitor)');
      const compose = w.composeProject ? ` (compose ${w.composeProject}${w.composeService ? `/${w.composeService}` : ''})` : '';
      return `${runtime} container ${name}${compose}`;
    }
    case 'systemd-unit':
      return `unit ${w.unit}${w.userUid !== null ? ` of ${userOf(w)}` : ''}`;
    case 'user-session':
      return `login ${w.unit} of ${userOf(w)}`;
    case 'slice':
      return `slice ${w.unit}`;
    default:
      return null;
  }
}

/** Label → value pairs for a detail list (alerts, reports, `incident`), only those known. */
export function workloadFacts(w: Workload): { label: string; value: string }[] {
  const facts: [string, string | number | null][] = [
    ['workload', describeWorkload(w)],
    ['namespace', w.namespace],
    ['pod', w.pod],
    ['pod uid', w.podUid],
    ['container', w.container],
    ['container id', w.containerId],
    ['qos', w.qos],
    ['runtime', w.runtime],
    ['image', w.image],
    ['unit', w.unit],
    ['user', w.userName ?? w.userUid],
  ];
  return facts.filter((f): f is [string, string | number] => f[1] !== null).map(([label, value]) => ({ label, value: String(value) }));
}

/**
 * The alert's facts: the workload and its IDs in one field each. A Slack message shows 10 fields per alert, and the
 * process facts follow these: the names are in the workload phrase, the QoS too.
 */
export function workloadAlertFacts(w: Workload): { label: string; value: string }[] {
  const facts: { label: string; value: string }[] = [];
  const phrase = describeWorkload(w);
  if (phrase) facts.push({ label: 'workload', value: phrase });
  const ids = [w.podUid ? `pod ${w.podUid}` : null, w.containerId ? `container ${w.containerId}` : null].filter((x) => x !== null);
  if (ids.length) facts.push({ label: 'ids', value: ids.join(', ') });
  return facts;
}

/**
 * Alert labels: the names a person routes and groups by (namespace, pod, container, QoS, kind). Never the pod UID or
 * container ID (a new value per restart); those are in the alert's text.
 */
export function workloadLabels(w: Workload): Record<string, string> {
  const labels: Record<string, string> = {};
  if (w.kind !== 'other') labels.workload = w.kind;
  if (w.namespace) labels.namespace = w.namespace;
  if (w.pod) labels.pod = w.pod;
  if (w.container) labels.container = w.container;
  if (w.qos) labels.qos = w.qos;
  if (w.unit) labels.unit = w.unit;
  return labels;
}

/**
 * The workload in a table cell: `namespace/pod/container` for a named pod (`pod0f3c2a9e…/3f5e8c1d2b4a` without
 * names), `docker:<name>`, `podman:<name>`, the unit; null for 'other' (show the cgroup path instead).
 */
export function compactWorkload(w: Workload): string | null {
  switch (w.kind) {
    case 'k8s-pod': {
      const pod = w.pod ? `${w.namespace ? `${w.namespace}/` : ''}${w.pod}` : `pod${(w.podUid ?? '').slice(0, 8)}…`;
      const container = w.container ?? (w.containerId ? shortId(w.containerId) : null);
      return container ? `${pod}/${container}` : pod;
    }
    case 'docker':
    case 'podman':
      return `${w.kind}:${w.container ?? (w.containerId ? shortId(w.containerId) : '(monitor)')}`;
    case 'user-session':
      return `${w.unit} (${w.userName ?? `uid ${w.userUid}`})`;
    case 'systemd-unit':
    case 'slice':
      return w.unit;
    default:
      return null;
  }
}
