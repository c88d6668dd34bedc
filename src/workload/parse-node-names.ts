/**
 * Pure parsers for what a node keeps on disk about its containers: kubelet's log folder and file names,
 * Docker's config.v2.json, Podman's containers.json, the passwd file. Each returns what it found, never throws
 * on a malformed input (a runtime of another version may write other shapes): it returns null or fewer fields.
 */
import type { WorkloadNames } from './types.js';

const UID_DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A folder of /var/log/pods: `<namespace>_<pod>_<uid>` (Kubernetes 1.14+; neither namespaces nor pod names may
 * contain `_`), or `<uid>` before.
 */
export function parsePodLogDirName(name: string): { namespace: string | null; pod: string | null; podUid: string } | null {
  if (UID_DASHED.test(name)) return { namespace: null, pod: null, podUid: name };
  const parts = name.split('_');
  if (parts.length !== 3 || !parts[0] || !parts[1] || !UID_DASHED.test(parts[2])) return null;
  return { namespace: parts[0], pod: parts[1], podUid: parts[2] };
}

/** A link of /var/log/containers: `<pod>_<namespace>_<container>-<container id>.log`. */
export function parseContainerLogName(name: string): { pod: string; namespace: string; container: string; containerId: string } | null {
  const m = /^([^_]+)_([^_]+)_(.+)-([0-9a-f]{64})\.log$/.exec(name);
  return m ? { pod: m[1], namespace: m[2], container: m[3], containerId: m[4] } : null;
}

/** The container's name in a pre-1.14 pod log folder entry: `<container>_<restart>.log`. */
export function parseLegacyContainerLogName(name: string): string | null {
  const m = /^(.+)_\d+\.log$/.exec(name);
  return m ? m[1] : null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Docker's /var/lib/docker/containers/<id>/config.v2.json: name, image, Compose project/service, and a pod's names when dockershim ran it. */
export function parseDockerConfig(text: string): Partial<WorkloadNames> | null {
  let doc: Record<string, unknown>;
  try {
    doc = obj(JSON.parse(text));
  } catch {
    return null;
  }
  const config = obj(doc.Config);
  const labels = obj(config.Labels);
  const out: Partial<WorkloadNames> = {};
  const name = str(doc.Name)?.replace(/^\//, '') ?? null;
  if (name) out.container = name;
  const image = str(config.Image);
  if (image) out.image = image;
  const project = str(labels['com.docker.compose.project']);
  const service = str(labels['com.docker.compose.service']);
  if (project) out.composeProject = project;
  if (service) out.composeService = service;
  const ns = str(labels['io.kubernetes.pod.namespace']);
  const pod = str(labels['io.kubernetes.pod.name']);
  const container = str(labels['io.kubernetes.container.name']);
  if (ns) out.namespace = ns;
  if (pod) out.pod = pod;
  if (container) out.container = container;
  return out;
}

/** Podman's (containers/storage) overlay-containers/containers.json: the entry of one container ID. */
export function parsePodmanContainers(text: string, containerId: string): Partial<WorkloadNames> | null {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(list)) return null;
  const entry = list.map(obj).find((e) => e.id === containerId);
  if (!entry) return null;
  const out: Partial<WorkloadNames> = {};
  const names = Array.isArray(entry.names) ? entry.names.map(str).filter((n): n is string => n !== null) : [];
  if (names[0]) out.container = names[0];
  // metadata is a JSON string written by libpod: {"image-name": "docker.io/library/nginx:latest", "name": "web", …}
  try {
    const meta = obj(JSON.parse(typeof entry.metadata === 'string' ? entry.metadata : '{}'));
    const image = str(meta['image-name']);
    if (image) out.image = image;
    if (!out.container && str(meta.name)) out.container = str(meta.name)!;
  } catch {
    // metadata of another shape: the name from `names` is enough
  }
  return out;
}

/** The login name of a UID in a passwd(5) file. */
export function parsePasswdName(text: string, uid: number): string | null {
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[2] === String(uid) && f[0]) return f[0];
  }
  return null;
}
