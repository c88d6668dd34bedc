import { hostname as osHostname } from 'node:os';
import { CgroupFs } from './cgroupfs.js';
import { parseBootId } from './parse/simple.js';
import { DEFAULT_PROC_ROOT, ProcFs } from './procfs.js';
import { Sampler } from './sampler.js';

export interface HostFacts {
  bootId: string;
  hostname: string;
  kernelRelease: string;
  pageSizeBytes: number;
}

/** Facts that hold for the whole boot, read once at start through the proc gateway. */
export function readHostFacts(procfs: ProcFs, hostnameOverride?: string): HostFacts {
  const boot = procfs.file('sys/kernel/random/boot_id');
  const release = procfs.file('sys/kernel/osrelease');
  const host = procfs.file('sys/kernel/hostname');
  return {
    // A fixture tree without boot_id still gets a stable identity for its processes.
    bootId: boot.kind === 'ok' ? parseBootId(boot.value) : '00000000-0000-0000-0000-000000000000',
    hostname:
      hostnameOverride ?? (procfs.root === DEFAULT_PROC_ROOT ? osHostname() : host.kind === 'ok' ? host.value.trim() : osHostname()),
    kernelRelease: release.kind === 'ok' ? release.value.trim() : 'unknown',
    pageSizeBytes: readPageSize(procfs),
  };
}

/** KernelPageSize of the first mapping in /proc/self/smaps; 4 KiB when unreadable (fixture trees, x86-64). */
function readPageSize(procfs: ProcFs): number {
  const r = procfs.file('self/smaps');
  if (r.kind !== 'ok') return 4096;
  const m = /KernelPageSize:\s+(\d+) kB/.exec(r.value);
  return m ? Number(m[1]) * 1024 : 4096;
}

export interface SamplerSetup {
  procRoot: string;
  cgroupRoot: string;
  refreshEveryMs: number;
  hostname?: string;
  /**
   * Keep the descriptors of the per-tick files open between ticks (the agent, the bench): one pread per
   * file and tick instead of open/read/close. Bounded by RLIMIT_NOFILE, read from self/limits of the gateway
   * given here (the real /proc of this process); processes past the budget are read the ordinary way.
   */
  keepDescriptors?: ProcFs;
}

/** How many descriptors the sampler may keep: most of what RLIMIT_NOFILE leaves after 1024 for everything else. */
export function descriptorBudget(limitsText: string | null): number {
  const m = limitsText ? /^Max open files\s+(\d+|unlimited)/m.exec(limitsText) : null;
  const soft = m ? (m[1] === 'unlimited' ? 1 << 20 : Number(m[1])) : 1024;
  return Math.max(0, Math.floor((soft - 1024) * 0.8));
}

/** Builds the proc gateway, the cgroup reader and a sampler for the given roots. */
export function createSampler(setup: SamplerSetup): { sampler: Sampler; procfs: ProcFs; facts: HostFacts } {
  const limits = setup.keepDescriptors ? setup.keepDescriptors.pidFile('self', 'limits') : null;
  const procfs = new ProcFs(setup.procRoot, setup.keepDescriptors ? descriptorBudget(limits?.kind === 'ok' ? limits.value : null) : 0);
  const facts = readHostFacts(procfs, setup.hostname);
  const sampler = new Sampler({
    procfs,
    cgroupfs: new CgroupFs(setup.cgroupRoot),
    bootId: facts.bootId,
    hostname: facts.hostname,
    kernelRelease: facts.kernelRelease,
    pageSizeBytes: facts.pageSizeBytes,
    refreshEveryMs: setup.refreshEveryMs,
  });
  return { sampler, procfs, facts };
}
