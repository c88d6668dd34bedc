import { existsSync } from 'node:fs';
import type { CgroupMemory, CgroupVersion } from '../model/snapshot.js';
import { ProcFs, type ReadResult } from './procfs.js';
import { parseKeyValues } from './parse/vmstat.js';

/** v1 reports "no limit" as PAGE_COUNTER_MAX pages (9223372036854771712 on 4 KiB pages); anything near 2^63 is unlimited. */
const V1_UNLIMITED = 2 ** 62;

export interface MemoryHierarchy {
  version: CgroupVersion;
  /** Directory (below the cgroup root) of the hierarchy holding the memory controller: '' for a v2 root, 'memory' for v1. */
  dir: string;
}

/**
 * Reader of the cgroup filesystem's memory files, v1 and v2. Its root can point at a fixture tree.
 * Only memory-limited cgroups matter: a cgroup without a limit cannot have an OOM of its own.
 */
export class CgroupFs {
  private readonly reader: ProcFs;

  constructor(readonly root: string = '/sys/fs/cgroup') {
    this.reader = new ProcFs(root);
  }

  /** Finds the memory controller: v2 at the root (or at unified/ on hybrid hosts), else v1 at memory/. */
  detect(): MemoryHierarchy | null {
    const controllers = (rel: string) => {
      const r = this.reader.file(rel);
      return r.kind === 'ok' ? r.value.split(/\s+/) : [];
    };
    if (controllers('cgroup.controllers').includes('memory')) return { version: 2, dir: '' };
    if (existsSync(`${this.root}/memory/memory.limit_in_bytes`)) return { version: 1, dir: 'memory' };
    if (controllers('unified/cgroup.controllers').includes('memory')) return { version: 2, dir: 'unified' };
    return null;
  }

  /** Reads one cgroup's memory state; null when it has no limit; 'gone' when it was removed. */
  readMemory(h: MemoryHierarchy, path: string): CgroupMemory | null | 'gone' {
    if (path === '/') return null; // the root has no limit of its own: that is the host domain
    const base = `${h.dir ? `${h.dir}` : ''}${path}`.replace(/^\//, '');
    const int = (name: string): number | null | 'gone' => {
      const r = this.reader.file(`${base}/${name}`);
      if (r.kind === 'gone') return name === 'memory.max' || name === 'memory.limit_in_bytes' ? 'gone' : null;
      if (r.kind === 'denied') return null;
      const t = r.value.trim();
      if (t === 'max') return Infinity;
      const n = Number(t);
      return Number.isFinite(n) ? n : null;
    };
    const kv = (name: string): Map<string, number> | null => {
      const r: ReadResult<string> = this.reader.file(`${base}/${name}`);
      return r.kind === 'ok' ? parseKeyValues(r.value) : null;
    };
    if (h.version === 2) {
      const limit = int('memory.max');
      if (limit === 'gone') return 'gone';
      if (limit === null || limit === Infinity) return null;
      const usage = int('memory.current');
      const swapUsage = int('memory.swap.current');
      const swapMax = int('memory.swap.max');
      const events = kv('memory.events');
      return {
        path,
        version: 2,
        usageBytes: typeof usage === 'number' ? usage : 0,
        limitBytes: limit,
        swapUsageBytes: typeof swapUsage === 'number' ? swapUsage : null,
        swapLimitBytes: typeof swapMax === 'number' && Number.isFinite(swapMax) ? swapMax : null,
        oomKillCount: events?.get('oom_kill') ?? null,
        oomCount: events?.get('oom') ?? null,
        events: {
          high: events?.get('high') ?? null,
          max: events?.get('max') ?? null,
          oom: events?.get('oom') ?? null,
          oomKill: events?.get('oom_kill') ?? null,
          oomGroupKill: events?.get('oom_group_kill') ?? null,
        },
      };
    }
    const limit = int('memory.limit_in_bytes');
    if (limit === 'gone') return 'gone';
    if (limit === null || limit >= V1_UNLIMITED) return null;
    const usage = int('memory.usage_in_bytes');
    const memswUsage = int('memory.memsw.usage_in_bytes');
    const memswLimit = int('memory.memsw.limit_in_bytes');
    const oomControl = kv('memory.oom_control');
    const failcnt = int('memory.failcnt');
    const u = typeof usage === 'number' ? usage : 0;
    return {
      path,
      version: 1,
      usageBytes: u,
      limitBytes: limit,
      swapUsageBytes: typeof memswUsage === 'number' ? Math.max(0, memswUsage - u) : null,
      swapLimitBytes: typeof memswLimit === 'number' && memswLimit < V1_UNLIMITED ? Math.max(0, memswLimit - limit) : null,
      oomKillCount: oomControl?.get('oom_kill') ?? null,
      oomCount: null,
      events: {
        high: null,
        max: typeof failcnt === 'number' ? failcnt : null,
        oom: null,
        oomKill: oomControl?.get('oom_kill') ?? null,
        oomGroupKill: null,
        ...(oomControl?.has('under_oom') ? { underOom: oomControl.get('under_oom') === 1 } : {}),
      },
    };
  }
}

/** A path and all its ancestors, root excluded: /a/b/c → /a, /a/b, /a/b/c. */
export function withAncestors(path: string): string[] {
  const out: string[] = [];
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}
