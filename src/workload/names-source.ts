/**
 * The gateway to the files that name a node's workloads (kubelet's logs, Docker's and Podman's stores, the
 * passwd file), read below configurable roots so tests point it at a fixture tree. Called once per new cgroup
 * (the tracker caches), so a listing of /var/log/pods per new container is cheap enough. A missing folder or
 * file is no error: that runtime is not on this node, or the container is gone.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkloadConfig } from './config.js';
import {
  parseContainerLogName,
  parseDockerConfig,
  parseLegacyContainerLogName,
  parsePasswdName,
  parsePodLogDirName,
  parsePodmanContainers,
} from './parse-node-names.js';
import { NO_NAMES, type WorkloadIds, type WorkloadNames } from './types.js';

export type WorkloadRoots = Omit<WorkloadConfig, 'resolveNames'>;

export interface NamesSource {
  namesFor(ids: WorkloadIds): WorkloadNames;
}

const listDir = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

const readText = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

const isDir = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** Fills only what is still null: the first source to name a field wins. */
function merge(into: WorkloadNames, found: Partial<WorkloadNames> | null): void {
  if (!found) return;
  for (const k of Object.keys(found) as (keyof WorkloadNames)[]) if (into[k] === null && found[k]) into[k] = found[k]!;
}

export function createNamesSource(roots: WorkloadRoots): NamesSource {
  function kubernetesNames(ids: WorkloadIds, out: WorkloadNames): void {
    if (ids.containerId) {
      const link = listDir(roots.containerLogsDir)
        .map(parseContainerLogName)
        .find((l) => l?.containerId === ids.containerId);
      if (link) merge(out, { namespace: link.namespace, pod: link.pod, container: link.container });
    }
    for (const entry of listDir(roots.podLogsDir)) {
      const d = parsePodLogDirName(entry);
      if (!d || d.podUid !== ids.podUid) continue;
      merge(out, { namespace: d.namespace, pod: d.pod });
      // The folder has one sub-folder per container (one file per container before 1.14): a pod with one
      // container names it; with several, only the container log links can tell which one an ID is.
      const dir = join(roots.podLogsDir, entry);
      const containers = [
        ...new Set(
          listDir(dir)
            .map((c) => (isDir(join(dir, c)) ? c : parseLegacyContainerLogName(c)))
            .filter((c): c is string => c !== null),
        ),
      ];
      if (ids.containerId && containers.length === 1) merge(out, { container: containers[0] });
      break;
    }
    if (ids.runtime === 'docker' && ids.containerId) merge(out, dockerNames(ids.containerId));
  }

  function dockerNames(containerId: string): Partial<WorkloadNames> | null {
    const text = readText(join(roots.dockerContainersDir, containerId, 'config.v2.json'));
    return text === null ? null : parseDockerConfig(text);
  }

  function podmanNames(containerId: string): Partial<WorkloadNames> | null {
    for (const store of roots.podmanStorageDirs) {
      const text = readText(join(store, 'overlay-containers', 'containers.json'));
      const found = text === null ? null : parsePodmanContainers(text, containerId);
      if (found) return found;
    }
    return null;
  }

  return {
    namesFor(ids) {
      const out: WorkloadNames = { ...NO_NAMES };
      if (ids.kind === 'k8s-pod' && ids.podUid) kubernetesNames(ids, out);
      else if (ids.kind === 'docker' && ids.containerId) merge(out, dockerNames(ids.containerId));
      else if (ids.kind === 'podman' && ids.containerId) merge(out, podmanNames(ids.containerId));
      if (ids.userUid !== null) {
        const passwd = readText(roots.passwdFile);
        if (passwd !== null) out.userName = parsePasswdName(passwd, ids.userUid);
      }
      return out;
    },
  };
}
