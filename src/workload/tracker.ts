/**
 * Keeps the workload of every cgroup the sampler sees: resolved (path parsed, names read from the node) the
 * first time a cgroup is seen, stored, and only touched after that, so a tick costs a map lookup per cgroup.
 * Names a runtime writes a moment after the cgroup appears (kubelet's log links) are looked up again, a few
 * times, until found. A kill in a cgroup never sampled (a container that lived less than a tick) is resolved
 * at kill time by `ensure`.
 */
import type { Log } from '../log.js';
import type { WorkloadsRepo } from '../store/workloads-repo.js';
import type { NamesSource } from './names-source.js';
import { parseCgroupPath } from './parse-cgroup-path.js';
import { NO_NAMES, type Workload } from './types.js';

/** How often a cgroup still seen gets its last_seen_ms written (the retention is days: a minute is exact enough). */
const TOUCH_EVERY_MS = 60_000;
/** Names still missing are looked up again this often, this many times (then the cgroup keeps what it has). */
const RENAME_EVERY_MS = 30_000;
const RENAME_TRIES = 10;

interface Known {
  touchedMs: number;
  complete: boolean;
  triedMs: number;
  tries: number;
}

export interface WorkloadTracker {
  /** One tick's cgroup paths: new ones are resolved and stored, the others touched now and then. */
  observe(paths: Iterable<string>, nowMs: number): void;
  /** Makes sure a cgroup has a stored workload (a kill names it); returns it. */
  ensure(path: string, nowMs: number): Workload;
  /** How many cgroups are tracked (for tests and the agent's own health). */
  size(): number;
}

/** Whether the node could still tell more: the names a workload of this kind has when all is found. */
export function hasAllNames(w: Workload): boolean {
  if (w.userUid !== null && w.userName === null) return false;
  if (w.kind === 'k8s-pod') return w.namespace !== null && w.pod !== null && (w.containerId === null || w.container !== null);
  if (w.kind === 'docker' || w.kind === 'podman') return w.containerId === null || w.container !== null;
  return true;
}

export function createWorkloadTracker(deps: { repo: WorkloadsRepo; names: NamesSource | null; log: Log }): WorkloadTracker {
  const log = deps.log.child({ mod: 'workload' });
  const known = new Map<string, Known>();

  function resolve(path: string): Workload {
    const ids = parseCgroupPath(path);
    return { ...ids, ...(deps.names ? deps.names.namesFor(ids) : NO_NAMES) };
  }

  /** Resolves a cgroup and caches what was found; the caller stores it. */
  function learn(path: string, nowMs: number, prev?: Known): Workload {
    const w = resolve(path);
    const complete = !deps.names || hasAllNames(w);
    known.set(path, { touchedMs: nowMs, complete, triedMs: nowMs, tries: (prev?.tries ?? 0) + 1 });
    if (w.kind !== 'other' && !prev) log.debug({ cgroup: path, workload: w }, 'new workload');
    return w;
  }

  return {
    observe(paths, nowMs) {
      const seen = new Set(paths);
      const touch: string[] = [];
      const learned: { cgroup: string; workload: Workload }[] = [];
      for (const path of seen) {
        const k = known.get(path);
        if (!k) learned.push({ cgroup: path, workload: learn(path, nowMs) });
        else if (!k.complete && k.tries < RENAME_TRIES && nowMs - k.triedMs >= RENAME_EVERY_MS)
          learned.push({ cgroup: path, workload: learn(path, nowMs, k) });
        else if (nowMs - k.touchedMs >= TOUCH_EVERY_MS) {
          touch.push(path);
          k.touchedMs = nowMs;
        }
      }
      // One transaction each: a first tick on a busy host learns hundreds of cgroups.
      if (learned.length) deps.repo.saveAll(learned, nowMs);
      if (touch.length) deps.repo.touchAll(touch, nowMs);
      // A cgroup no longer seen keeps its stored row (a kill may name it later); the cache forgets it.
      for (const path of known.keys()) if (!seen.has(path)) known.delete(path);
    },
    ensure(path, nowMs) {
      const stored = deps.repo.get(path);
      if (stored && (known.has(path) || hasAllNames(stored) || !deps.names)) return stored;
      const w = learn(path, nowMs, known.get(path));
      deps.repo.save(path, w, nowMs);
      return w;
    },
    size: () => known.size,
  };
}
