/**
 * Memory cgroups at Kubernetes-shaped paths (kubepods/<qos>/pod<uid>/<cid>, the systemd driver's slices and scopes)
 * for real OOM kills: the parents are made as plain cgroups (with the memory controller delegated to them on v2),
 * the leaf gets the limit (createOomCgroup), and cleanup removes only the folders this helper made.
 */
import { mkdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createOomCgroup, memoryCgroupSupport, removeOomCgroup, type OomCgroup } from './oom-cgroup.js';

export interface PodCgroup {
  cg: OomCgroup;
  remove(): Promise<void>;
}

/** Creates `relPath` (no leading slash) under the memory hierarchy with a limit on its last component. */
export function createPodCgroup(relPath: string, limitBytes: number): PodCgroup {
  const support = memoryCgroupSupport();
  if (!support.ok) throw new Error(`Cannot create a memory cgroup: ${support.reason}`);
  const parts = relPath.split('/');
  const made: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const dir = join(support.mount!, ...parts.slice(0, i));
    try {
      mkdirSync(dir);
      made.push(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (support.version === 2) writeFileSync(join(dir, 'cgroup.subtree_control'), '+memory');
  }
  const cg = createOomCgroup({ limitBytes, name: relPath });
  return {
    cg,
    async remove() {
      await removeOomCgroup(cg);
      for (const dir of made.reverse()) {
        try {
          rmdirSync(dir);
        } catch {
          // another test's cgroup may still be below a shared parent (kubepods): it removes its own
        }
      }
    },
  };
}
