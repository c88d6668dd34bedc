import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { HostMemory, ProcessSample } from '../sample/types.js';
import { parseStartTimeTicks } from './apply.js';

/**
 * A minimal /proc reader for `oomwatch protect plan|apply`: the processes and host totals the policy needs.
 * The agent passes the sampler's snapshot instead; this stays small on purpose (no cgroups, PSI or history).
 */

export interface PolicySnapshot {
  bootId: string;
  memory: HostMemory;
  processes: ProcessSample[];
  /** Exited or unreadable between listing and reading: counted, not errors. */
  skipped: number;
}

const PF_KTHREAD = 0x00200000; // include/linux/sched.h: kernel threads have no memory to protect

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES' || code === 'EPERM') return null;
    throw err;
  }
}

const kib = (status: string, key: string): number => {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : 0;
};

/** The cgroup v2 path ("0::/…"), else the v1 memory controller's. */
function cgroupPath(text: string): string {
  const lines = text.trim().split('\n');
  const v2 = lines.find((l) => l.startsWith('0::'));
  const mem = lines.find((l) => /^\d+:([^:]*,)?memory(,[^:]*)?:/.test(l));
  return (mem ? mem.slice(mem.indexOf(':', mem.indexOf(':') + 1) + 1) : v2?.slice(3)) ?? '/';
}

/** The systemd unit owning a cgroup path: its last .service or .scope component. */
export function unitOfCgroup(path: string): string | null {
  const parts = path.split('/').filter((p) => p.endsWith('.service') || p.endsWith('.scope'));
  return parts.length ? parts[parts.length - 1] : null;
}

export function readPolicySnapshot(procRoot = '/proc'): PolicySnapshot {
  const meminfo = read(`${procRoot}/meminfo`) ?? '';
  const memory: HostMemory = {
    memTotalBytes: kib(meminfo, 'MemTotal'),
    memAvailableBytes: kib(meminfo, 'MemAvailable'),
    memFreeBytes: kib(meminfo, 'MemFree'),
    swapTotalBytes: kib(meminfo, 'SwapTotal'),
    swapFreeBytes: kib(meminfo, 'SwapFree'),
  };
  const bootId = (read(`${procRoot}/sys/kernel/random/boot_id`) ?? '00000000-0000-0000-0000-000000000000').trim();
  const totalBytes = memory.memTotalBytes + memory.swapTotalBytes || 1;
  const processes: ProcessSample[] = [];
  let skipped = 0;
  for (const name of readdirSync(procRoot)) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const dir = `${procRoot}/${pid}`;
    const stat = read(`${dir}/stat`);
    const status = read(`${dir}/status`);
    const adjText = read(`${dir}/oom_score_adj`);
    const scoreText = read(`${dir}/oom_score`);
    const startTimeTicks = stat ? parseStartTimeTicks(stat) : null;
    if (!stat || !status || adjText === null || startTimeTicks === null) {
      skipped++;
      continue;
    }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if ((Number(f[6]) & PF_KTHREAD) !== 0) continue;
    let exe: string | null = null;
    try {
      exe = readlinkSync(`${dir}/exe`);
    } catch {
      exe = null; // denied or gone: matches by exe simply fail for this process
    }
    const cgroup = cgroupPath(read(`${dir}/cgroup`) ?? '');
    const uidMatch = /^Uid:\s+\d+\s+(\d+)/m.exec(status); // effective uid, as ps and the kernel's OOM report show
    const oomScoreAdj = Number(adjText.trim());
    const p = { rssBytes: kib(status, 'VmRSS'), swapBytes: kib(status, 'VmSwap'), pageTablesBytes: kib(status, 'VmPTE') };
    processes.push({
      bootId,
      pid,
      startTimeTicks,
      ppid: Number(f[1]),
      uid: uidMatch ? Number(uidMatch[1]) : null,
      comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      cmdline: (read(`${dir}/cmdline`) ?? '').replace(/\0+$/, '').replace(/\0/g, ' '),
      exe,
      cgroup,
      unit: unitOfCgroup(cgroup),
      state: f[0],
      ...p,
      oomScore: Number(scoreText?.trim() ?? 0),
      oomScoreAdj,
      risk: Math.round(((p.rssBytes + p.swapBytes + p.pageTablesBytes) * 1000) / totalBytes + oomScoreAdj),
      immune: oomScoreAdj === -1000,
    });
  }
  return { bootId, memory, processes, skipped };
}
