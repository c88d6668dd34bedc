/**
 * Whole-host snapshots for testing the default rules: an idle desktop, a Kubernetes node and a database
 * server, sampled tick after tick with small deterministic wobbles (no randomness: the same run every time).
 * Risk is derived the way the kernel scores on the 5.9+ scale (own share of RAM+swap plus adj), and the
 * domains are ranked by the sampler's own pure ranking.
 */
import { rankDomains } from '../../src/sample/rank.js';
import type { CgroupMemory, HostMemory, HostSnapshot, ProcessSample } from '../../src/model/snapshot.js';
import { processSample } from '../helpers/process-sample.js';
import { BOOT, GiB, MiB, snapshot } from './factories.js';

export interface ProcSpec {
  pid: number;
  comm: string;
  rssBytes: number;
  adj: number;
  cgroup: string;
  unit?: string | null;
  swapBytes?: number;
}

export interface HostSpec {
  memory: HostMemory;
  cgroups: CgroupMemory[];
  processes: ProcSpec[];
}

/** -1..1, deterministic: the wobble of tick `i` for series `k`. */
export const wobble = (i: number, k: number): number => Math.sin(i * 1.7 + k * 2.3);

/** A sample of the process as the sampler reads it; risk as the kernel computes it (badness ‰ of RAM+swap, adj included). */
export function sampled(spec: ProcSpec, memory: HostMemory): ProcessSample {
  const totalBytes = memory.memTotalBytes + memory.swapTotalBytes;
  const swapBytes = spec.swapBytes ?? 0;
  const pageTablesBytes = Math.round(spec.rssBytes / 500);
  const usage = ((spec.rssBytes + swapBytes + pageTablesBytes) * 1000) / totalBytes;
  return processSample({
    bootId: BOOT,
    pid: spec.pid,
    startTimeTicks: 9000 + spec.pid,
    comm: spec.comm,
    cmdline: spec.comm,
    exe: `/usr/bin/${spec.comm}`,
    cgroup: spec.cgroup,
    unit: spec.unit ?? null,
    unitScope: spec.cgroup.includes('/user.slice/') ? 'user' : 'system',
    rssBytes: spec.rssBytes,
    swapBytes,
    pageTablesBytes,
    oomScore: spec.adj === -1000 ? 0 : Math.max(0, Math.floor(((1000 + usage + spec.adj) * 2) / 3)),
    oomScoreAdj: spec.adj,
    risk: spec.adj === -1000 ? -1000 : Math.round(Math.min(2000, usage + spec.adj)),
    immune: spec.adj === -1000,
  });
}

export function hostSnapshot(spec: HostSpec, atMs: number): HostSnapshot {
  const processes = spec.processes.map((p) => sampled(p, spec.memory));
  return snapshot({
    atMs,
    memory: spec.memory,
    cgroups: spec.cgroups,
    processes,
    domains: rankDomains(processes, spec.cgroups, spec.memory),
  });
}

const NO_LIMIT = 9223372036854771712;
const cg = (path: string, usageBytes: number, limitBytes = NO_LIMIT): CgroupMemory => ({
  path,
  version: 2,
  usageBytes,
  limitBytes,
  swapUsageBytes: 0,
  swapLimitBytes: limitBytes === NO_LIMIT ? null : 0,
  oomKillCount: 0,
  oomCount: 0,
});

/**
 * A desktop, 16 GiB + 2 GiB swap, a third of the swap used. Chrome's renderers run at adj 300 (visible)
 * or 1000 (background) and move between the two as tabs are switched; the editor's helpers do the same.
 */
export function desktop(i: number): HostSpec {
  const app = '/user.slice/user-1000.slice/user@1000.service/app.slice';
  const processes: ProcSpec[] = [
    { pid: 1, comm: 'systemd', rssBytes: 14 * MiB, adj: 0, cgroup: '/init.scope' },
    { pid: 310, comm: 'systemd-journal', rssBytes: 90 * MiB, adj: -250, cgroup: '/system.slice/systemd-journald.service' },
    { pid: 330, comm: 'systemd-udevd', rssBytes: 12 * MiB, adj: -1000, cgroup: '/system.slice/systemd-udevd.service' },
    { pid: 1400, comm: 'gnome-shell', rssBytes: 480 * MiB, adj: 0, cgroup: `${app}/org.gnome.Shell@wayland.service` },
    { pid: 1500, comm: 'Xwayland', rssBytes: 90 * MiB, adj: 0, cgroup: `${app}/org.gnome.Shell@wayland.service` },
    { pid: 2000, comm: 'chrome', rssBytes: 420 * MiB, adj: 0, cgroup: `${app}/app-chrome.scope` },
    { pid: 2010, comm: 'chrome', rssBytes: 230 * MiB, adj: 200, cgroup: `${app}/app-chrome.scope` }, // GPU process
  ];
  for (let r = 0; r < 14; r++) {
    const visible = (r + Math.floor(i / 3)) % 5 === 0; // the visible tab changes every few ticks
    processes.push({
      pid: 2100 + r,
      comm: 'chrome',
      rssBytes: (120 + ((r * 97) % 500)) * MiB * (1 + 0.02 * wobble(i, r)),
      adj: visible ? 300 : 1000,
      cgroup: `${app}/app-chrome.scope`,
    });
  }
  for (let r = 0; r < 4; r++)
    processes.push({
      pid: 3000 + r,
      comm: 'code',
      rssBytes: (200 + r * 150) * MiB * (1 + 0.02 * wobble(i, 20 + r)),
      adj: r === 0 ? 0 : 300,
      cgroup: `${app}/app-code.scope`,
    });
  const memory: HostMemory = {
    memTotalBytes: 16 * GiB,
    memAvailableBytes: 9 * GiB + 200 * MiB * wobble(i, 99),
    memFreeBytes: 3 * GiB,
    swapTotalBytes: 2 * GiB,
    swapFreeBytes: 1.35 * GiB,
  };
  return {
    memory,
    processes: processes.map((p) => ({ ...p, rssBytes: Math.round(p.rssBytes) })),
    cgroups: [cg('/user.slice', 7 * GiB), cg(app, 6 * GiB)],
  };
}

/**
 * A Kubernetes node (systemd cgroup driver), 32 GiB, no swap. BestEffort pods run at adj 1000, Burstable
 * ones at 1000 - 1000 × request / capacity, Guaranteed ones and the node's own daemons below 0.
 */
export function k8sNode(i: number): HostSpec {
  const pods = '/kubepods.slice';
  const be = `${pods}/kubepods-besteffort.slice`;
  const bu = `${pods}/kubepods-burstable.slice`;
  const w = (k: number) => 1 + 0.03 * wobble(i, k);
  const java = `${bu}/kubepods-burstable-pod1a2b.slice/cri-containerd-aaa1.scope`;
  const pg = `${pods}/kubepods-pod9c8d.slice/cri-containerd-bbb2.scope`;
  const exporter = `${bu}/kubepods-burstable-pod5e6f.slice/cri-containerd-ccc3.scope`;
  const processes: ProcSpec[] = [
    { pid: 1, comm: 'systemd', rssBytes: 12 * MiB, adj: 0, cgroup: '/init.scope' },
    { pid: 800, comm: 'kubelet', rssBytes: 180 * MiB * w(1), adj: -999, cgroup: '/system.slice/kubelet.service' },
    { pid: 810, comm: 'containerd', rssBytes: 140 * MiB * w(2), adj: -999, cgroup: '/system.slice/containerd.service' },
    {
      pid: 2000,
      comm: 'nginx',
      rssBytes: 40 * MiB * w(3),
      adj: 1000,
      cgroup: `${be}/kubepods-besteffort-podaa.slice/cri-containerd-d1.scope`,
    },
    {
      pid: 2100,
      comm: 'python3',
      rssBytes: 900 * MiB * w(4),
      adj: 1000,
      cgroup: `${be}/kubepods-besteffort-podbb.slice/cri-containerd-d2.scope`,
    },
    { pid: 2200, comm: 'java', rssBytes: 3.1 * GiB * w(5), adj: 938, cgroup: java }, // request 2 GiB, limit 4 GiB
    { pid: 2300, comm: 'node_exporter', rssBytes: 30 * MiB * w(6), adj: 999, cgroup: exporter },
    { pid: 2400, comm: 'postgres', rssBytes: 5 * GiB * w(7), adj: -997, cgroup: pg }, // Guaranteed, 8 GiB
    { pid: 2401, comm: 'postgres', rssBytes: 1.2 * GiB * w(8), adj: -997, cgroup: pg },
  ];
  for (let k = 0; k < 6; k++)
    processes.push({ pid: 1900 + k, comm: 'pause', rssBytes: 1 * MiB, adj: -998, cgroup: `${pods}/pod-sandbox-${k}.scope` });
  const used = processes.reduce((s, p) => s + p.rssBytes, 0);
  const memory: HostMemory = {
    memTotalBytes: 32 * GiB,
    memAvailableBytes: 32 * GiB - used - 3 * GiB + 300 * MiB * wobble(i, 50),
    memFreeBytes: 4 * GiB,
    swapTotalBytes: 0,
    swapFreeBytes: 0,
  };
  const cgroups = [
    cg(pods, used, 30 * GiB),
    cg(be, 1 * GiB),
    cg(bu, 3.3 * GiB),
    cg(java, 3.15 * GiB * w(5), 4 * GiB), // 79 % of its limit: a JVM with its heap sized to the container
    cg(exporter, 32 * MiB, 128 * MiB),
    cg(pg, 6.3 * GiB * w(7), 8 * GiB),
  ];
  return { memory, processes: processes.map((p) => ({ ...p, rssBytes: Math.round(p.rssBytes) })), cgroups };
}

/**
 * A database server, 64 GiB, no swap: one postgres backend holds 60 % of RAM (shared buffers it has
 * touched count in its RSS), which is how it was sized. The postmaster is immune (adj -1000, as the
 * RHEL unit sets it) and resets its children to 0.
 */
export function databaseServer(i: number): HostSpec {
  const unit = '/system.slice/postgresql.service';
  const w = (k: number) => 1 + 0.01 * wobble(i, k);
  const processes: ProcSpec[] = [
    { pid: 1, comm: 'systemd', rssBytes: 14 * MiB, adj: 0, cgroup: '/init.scope' },
    { pid: 700, comm: 'sshd', rssBytes: 8 * MiB, adj: -1000, cgroup: '/system.slice/ssh.service' },
    { pid: 900, comm: 'postgres', rssBytes: 200 * MiB, adj: -1000, cgroup: unit, unit: 'postgresql.service' },
    { pid: 901, comm: 'postgres', rssBytes: 38.4 * GiB * w(1), adj: 0, cgroup: unit, unit: 'postgresql.service' }, // 600 ‰ of RAM
    { pid: 902, comm: 'postgres', rssBytes: 6 * GiB * w(2), adj: 0, cgroup: unit, unit: 'postgresql.service' },
    { pid: 903, comm: 'postgres', rssBytes: 2 * GiB * w(3), adj: 0, cgroup: unit, unit: 'postgresql.service' },
    { pid: 1200, comm: 'node_exporter', rssBytes: 30 * MiB, adj: 0, cgroup: '/system.slice/node_exporter.service' },
  ];
  const memory: HostMemory = {
    memTotalBytes: 64 * GiB,
    memAvailableBytes: 19 * GiB + 400 * MiB * wobble(i, 60),
    memFreeBytes: 2 * GiB,
    swapTotalBytes: 0,
    swapFreeBytes: 0,
  };
  return { memory, processes: processes.map((p) => ({ ...p, rssBytes: Math.round(p.rssBytes) })), cgroups: [cg(unit, 41 * GiB)] };
}
