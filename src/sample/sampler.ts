import { CgroupFs, withAncestors, type MemoryHierarchy } from './cgroupfs.js';
import { parseMeminfo } from './parse/meminfo.js';
import { parsePidCgroup, unitOfCgroupPath } from './parse/pid-cgroup.js';
import type { UnitScope, CgroupMemory, HostSnapshot, MemoryPsi, OomScoreScale, ProcessSample, TickCounts } from '../model/snapshot.js';
import { isKernelThread, parsePidStat, type PidStat } from './parse/pid-stat.js';
import { parsePidStatus } from './parse/pid-status.js';
import { parsePsi } from './parse/psi.js';
import { parseCmdline } from './parse/simple.js';
import { parseVmstatOomKill } from './parse/vmstat.js';
import type { ProcFs } from './procfs.js';
import { ProcReadError } from '../errors.js';
import { rankDomains } from './rank.js';
import { endingFromStat, endingFromStatus } from './dying.js';
import { redactCmdline } from './redact.js';
import { detectScale, isImmune, riskFromOomScore, scaleFromKernelRelease, type ScaleEvidence } from './risk.js';

export interface SamplerOptions {
  procfs: ProcFs;
  cgroupfs: CgroupFs;
  bootId: string;
  hostname: string;
  kernelRelease: string;
  pageSizeBytes: number;
  /** Static facts (cmdline, cgroup, exe) and status (uid, swap, page tables) are re-read this often per process. */
  refreshEveryMs: number;
  clockTicksPerSecond?: number;
}

/** What is kept between ticks for a live identity, so the hot path reads only stat, oom_score and oom_score_adj. */
interface Known {
  startTimeTicks: number;
  comm: string;
  uid: number | null;
  cmdline: string;
  exe: string | null;
  cgroup: string;
  unit: string | null;
  unitScope: UnitScope | null;
  swapBytes: number;
  pageTablesBytes: number;
  refreshedAtMs: number;
  seenTick: number;
  /** RSS (pages) when the cgroup was last read: a process whose memory moves is checked for a cgroup move. */
  rssPagesAtCgroupRead: number;
  /** oom_score of the last tick: a drop to 0 is checked for a process being killed. */
  oomScore: number;
}

/** RSS change (pages, 4 MiB on 4 KiB pages) after which a process's cgroup is read again. */
const CGROUP_RECHECK_PAGES = 1024;

/** Ticks an emptied memory cgroup is still read (the kill-counter cross-check compares two ticks). */
const CGROUP_LINGER_TICKS = 3;

/** Processes read between two yields of the sliced tick. */
const SLICE = 200;

/**
 * One tick → one HostSnapshot. Per process and tick it reads `stat` (comm, ppid, RSS, start time),
 * `oom_score` and `oom_score_adj`; `status`, `cmdline`, `cgroup` and `exe` only for a new identity,
 * after an exec (comm changed) and every `refreshEveryMs`, and `status` every tick when the host has swap
 * (VmSwap lives only there). A process that vanishes or is denied mid-read is counted, never thrown.
 * A process caught while it dies (sample/dying.ts) is counted as gone: what it shows then (cgroup `/`,
 * RSS 0, oom_score 0) is not a fact about it, so its last live sample stands and the store records its end.
 */
export class Sampler {
  private readonly known = new Map<number, Known>();
  /** Kernel threads seen, by pid → tick (their stat descriptor is kept too). */
  private readonly kthreads = new Map<number, number>();
  /** Memory cgroups by path → the last tick they held a sampled process. */
  private readonly cgroupHeld = new Map<string, number>();
  private tickNo = 0;
  private scale: OomScoreScale | null = null;
  private hierarchy: MemoryHierarchy | null | undefined;

  constructor(private readonly opts: SamplerOptions) {}

  /** Closes the descriptors kept between ticks. */
  close(): void {
    this.opts.procfs.closeAll();
  }

  /** Takes a snapshot in one go (CLI `sample --once`, benchmarks). */
  takeSnapshot(nowMs: number): HostSnapshot {
    const it = this.run(nowMs);
    for (;;) {
      const r = it.next();
      if (r.done) return r.value;
    }
  }

  /** Takes a snapshot in slices, yielding to the event loop between them so no slice blocks it long. */
  async takeSnapshotSliced(nowMs: number): Promise<HostSnapshot> {
    const it = this.run(nowMs);
    for (;;) {
      const r = it.next();
      if (r.done) return r.value;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private *run(nowMs: number): Generator<void, HostSnapshot> {
    const { procfs } = this.opts;
    const tick = ++this.tickNo;
    const memory = parseMeminfo(okOrThrow(procfs.file('meminfo'), `${procfs.root}/meminfo`));
    const psi = readPsi(procfs);
    const vmstat = procfs.file('vmstat');
    const vmstatOomKill = vmstat.kind === 'ok' ? parseVmstatOomKill(vmstat.value) : null;
    if (this.hierarchy === undefined) this.hierarchy = this.opts.cgroupfs.detect();
    const withSwap = memory.swapTotalBytes > 0;

    const counts: TickCounts = { listed: 0, sampled: 0, gone: 0, denied: 0, kernelThreads: 0, newIdentities: 0 };
    const processes: ProcessSample[] = [];
    const pids = procfs.listPids();
    counts.listed = pids.length;
    for (let i = 0; i < pids.length; i++) {
      if (i > 0 && i % SLICE === 0) yield;
      const p = this.sampleProcess(pids[i], nowMs, tick, withSwap, counts);
      if (p) processes.push(p);
    }
    for (const [pid, k] of this.known) if (k.seenTick !== tick) this.known.delete(pid);
    for (const [pid, seen] of this.kthreads) if (seen !== tick) this.kthreads.delete(pid);
    for (const pid of [...procfs.hotPids()]) {
      if (this.known.get(pid)?.seenTick !== tick && !this.kthreads.has(pid)) procfs.closePid(pid);
    }
    counts.sampled = processes.length;

    const scale = this.resolveScale(processes, memory.memTotalBytes + memory.swapTotalBytes);
    for (const p of processes) {
      p.risk = riskFromOomScore(p.oomScore, scale);
      // init is never chosen (oom_unkillable_task(): is_global_init), whatever its score reads on the old scale
      p.immune = isImmune(p.oomScore, p.oomScoreAdj, scale) || p.pid === 1;
    }
    yield;
    const cgroups = this.readCgroups(processes, tick);
    return {
      takenAtMs: nowMs,
      bootId: this.opts.bootId,
      hostname: this.opts.hostname,
      kernelRelease: this.opts.kernelRelease,
      scale,
      pageSizeBytes: this.opts.pageSizeBytes,
      clockTicksPerSecond: this.opts.clockTicksPerSecond ?? 100,
      memory,
      psi,
      vmstatOomKill,
      cgroupVersion: this.hierarchy?.version ?? null,
      cgroups,
      processes,
      domains: rankDomains(processes, cgroups, memory),
      counts,
    };
  }

  private sampleProcess(pid: number, nowMs: number, tick: number, withSwap: boolean, counts: TickCounts): ProcessSample | null {
    const { procfs } = this.opts;
    const statText = procfs.hotStat(pid);
    if (statText.kind !== 'ok') return countMiss(statText, counts);
    let stat: PidStat;
    try {
      stat = parsePidStat(statText.value);
    } catch {
      counts.gone++; // a zombie mid-exit can present a truncated stat: treat as gone
      return null;
    }
    if (isKernelThread(stat)) {
      this.kthreads.set(pid, tick);
      counts.kernelThreads++;
      return null;
    }
    if (endingFromStat(stat)) {
      counts.gone++;
      return null;
    }
    const score = procfs.hotInt(pid, 'oom_score');
    if (score.kind !== 'ok') return countMiss(score, counts);
    const adj = procfs.hotInt(pid, 'oom_score_adj');
    if (adj.kind !== 'ok') return countMiss(adj, counts);

    let k = this.known.get(pid);
    let statusRead = true; // readStatic reads status; only the other paths need it again for swap
    // A score that fell to 0 (adj not -1000) is what an OOM victim shows once the oom_reaper took its memory.
    const scoreDropped = score.value === 0 && adj.value > -1000 && k !== undefined && k.oomScore > 0;
    let confirm = scoreDropped; // slow reads (status, cgroup) may have raced with an exit: confirm it still lives
    if (!k || k.startTimeTicks !== stat.startTimeTicks) {
      counts.newIdentities++;
      const created = this.readStatic(pid, stat, nowMs);
      if (!created) {
        counts.gone++;
        return null;
      }
      // Spread the periodic refresh of many processes seen at once (the first tick) over the period.
      created.refreshedAtMs -= (((pid * 7919) % 1000) / 1000) * this.opts.refreshEveryMs;
      this.known.set(pid, (k = created));
      confirm = true;
    } else if (k.comm !== stat.comm || nowMs - k.refreshedAtMs >= this.opts.refreshEveryMs) {
      // comm changes on exec: the command line, executable and possibly the cgroup changed with it.
      const fresh = this.readStatic(pid, stat, nowMs);
      if (!fresh) {
        counts.gone++;
        return null;
      }
      k = Object.assign(k, fresh);
      confirm = true;
    } else {
      statusRead = false;
      // A process whose memory moves is the one whose domain matters: re-read its cgroup (a container runtime
      // or a test may have moved it since it was first seen); idle processes wait for the periodic refresh.
      if (Math.abs(stat.rssPages - k.rssPagesAtCgroupRead) >= CGROUP_RECHECK_PAGES) {
        this.recheckCgroup(pid, k, stat.rssPages);
        confirm = true;
      }
    }
    if (withSwap && !statusRead) {
      const st = procfs.pidFile(pid, 'status');
      if (st.kind === 'ok') {
        const s = parsePidStatus(st.value);
        if (endingFromStatus(s)) {
          counts.gone++;
          return null;
        }
        k.swapBytes = s.swapBytes;
        k.pageTablesBytes = s.pageTablesBytes;
      }
    }
    // Exiting is one way: a stat read after the other files that still shows the process alive proves they were read alive.
    if (confirm && this.endedSinceStat(pid, stat.startTimeTicks, scoreDropped)) {
      counts.gone++;
      return null;
    }
    k.oomScore = score.value;
    k.seenTick = tick;
    return {
      bootId: this.opts.bootId,
      pid,
      startTimeTicks: stat.startTimeTicks,
      ppid: stat.ppid,
      uid: k.uid,
      comm: stat.comm,
      cmdline: k.cmdline,
      exe: k.exe,
      cgroup: k.cgroup,
      unit: k.unit,
      unitScope: k.unitScope,
      state: stat.state,
      rssBytes: stat.rssPages * this.opts.pageSizeBytes,
      swapBytes: k.swapBytes,
      pageTablesBytes: k.pageTablesBytes,
      oomScore: score.value,
      oomScoreAdj: adj.value,
      risk: 0,
      immune: false,
    };
  }

  /** Whether the process has begun to exit (or its pid is someone else's) since its stat was read; with `status`, also a pending SIGKILL. */
  private endedSinceStat(pid: number, startTimeTicks: number, status: boolean): boolean {
    const r = this.opts.procfs.hotStat(pid);
    if (r.kind !== 'ok') return true;
    let again: PidStat;
    try {
      again = parsePidStat(r.value);
    } catch {
      return true;
    }
    if (again.startTimeTicks !== startTimeTicks || endingFromStat(again)) return true;
    if (!status) return false;
    const st = this.opts.procfs.pidFile(pid, 'status');
    return st.kind === 'gone' || (st.kind === 'ok' && endingFromStatus(parsePidStatus(st.value)));
  }

  private recheckCgroup(pid: number, k: Known, rssPages: number): void {
    k.rssPagesAtCgroupRead = rssPages;
    const cg = this.opts.procfs.pidFile(pid, 'cgroup');
    if (cg.kind !== 'ok') return;
    const { cgroup, unit, unitScope } = this.cgroupOf(parsePidCgroup(cg.value));
    k.cgroup = cgroup;
    k.unit = unit;
    k.unitScope = unitScope;
  }

  private cgroupOf(cgroups: ReturnType<typeof parsePidCgroup> | null): {
    cgroup: string;
    unit: string | null;
    unitScope: UnitScope | null;
  } {
    const cgroup = (this.hierarchy?.version === 1 ? cgroups?.v1.memory : cgroups?.unified) ?? cgroups?.unified ?? cgroups?.v1.memory ?? '/';
    const unitSource = cgroups?.unified && cgroups.unified !== '/' ? cgroups.unified : (cgroups?.v1['name=systemd'] ?? cgroup);
    return { cgroup, ...unitOfCgroupPath(unitSource) };
  }

  /** Reads what changes rarely: status (uid, swap, page tables), cmdline, cgroup, exe. Null when the process is gone or ending. */
  private readStatic(pid: number, stat: PidStat, nowMs: number): Known | null {
    const { procfs } = this.opts;
    const status = procfs.pidFile(pid, 'status');
    if (status.kind === 'gone') return null;
    const st = status.kind === 'ok' ? parsePidStatus(status.value) : null;
    if (st && endingFromStatus(st)) return null;
    const cmd = procfs.pidFile(pid, 'cmdline');
    const cg = procfs.pidFile(pid, 'cgroup');
    const exe = procfs.pidLink(pid, 'exe');
    const { cgroup, unit, unitScope } = this.cgroupOf(cg.kind === 'ok' ? parsePidCgroup(cg.value) : null);
    return {
      startTimeTicks: stat.startTimeTicks,
      comm: stat.comm,
      uid: st?.uid ?? null,
      cmdline: cmd.kind === 'ok' ? redactCmdline(parseCmdline(cmd.value)) : '',
      exe: exe.kind === 'ok' ? exe.value.replace(/ \(deleted\)$/, '') : null,
      cgroup,
      unit,
      unitScope,
      swapBytes: st?.swapBytes ?? 0,
      pageTablesBytes: st?.pageTablesBytes ?? 0,
      refreshedAtMs: nowMs,
      seenTick: 0,
      rssPagesAtCgroupRead: stat.rssPages,
      oomScore: 0,
    };
  }

  /** The scale is detected once from the processes' own scores (sticky once decided). */
  private resolveScale(processes: readonly ProcessSample[], totalBytes: number): OomScoreScale {
    if (this.scale) return this.scale;
    const evidence: ScaleEvidence[] = processes.map((p) => ({
      oomScore: p.oomScore,
      oomScoreAdj: p.oomScoreAdj,
      usagePermille: ((p.rssBytes + p.swapBytes + p.pageTablesBytes) * 1000) / totalBytes,
    }));
    const detected = detectScale(evidence);
    if (detected) this.scale = detected;
    return detected ?? scaleFromKernelRelease(this.opts.kernelRelease);
  }

  /** Memory-limited cgroups holding sampled processes, with their ancestors (a parent's limit covers its children). */
  /**
   * The memory cgroups of the sampled processes and their ancestors, and those that held one within the
   * last CGROUP_LINGER_TICKS ticks: when the OOM killer takes a cgroup's only process, the cgroup must
   * still be read on the next tick, or its kill counter's rise is never seen.
   */
  private readCgroups(processes: readonly ProcessSample[], tick: number): CgroupMemory[] {
    const h = this.hierarchy;
    if (!h) return [];
    for (const p of processes) for (const a of withAncestors(p.cgroup)) this.cgroupHeld.set(a, tick);
    const out: CgroupMemory[] = [];
    for (const [path, held] of [...this.cgroupHeld].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (tick - held > CGROUP_LINGER_TICKS) {
        this.cgroupHeld.delete(path);
        continue;
      }
      const m = this.opts.cgroupfs.readMemory(h, path);
      if (m === 'gone') this.cgroupHeld.delete(path);
      else if (m) out.push(m);
    }
    return out;
  }
}

function countMiss(r: { kind: 'gone' } | { kind: 'denied' }, counts: TickCounts): null {
  if (r.kind === 'gone') counts.gone++;
  else counts.denied++;
  return null;
}

function okOrThrow(r: ReturnType<ProcFs['file']>, path: string): string {
  if (r.kind === 'ok') return r.value;
  throw new ProcReadError(`${path} (${r.kind === 'gone' ? 'missing' : 'not readable'})`);
}

function readPsi(procfs: ProcFs): MemoryPsi | null {
  const r = procfs.file('pressure/memory');
  if (r.kind !== 'ok') return null; // absent before 4.20 or without CONFIG_PSI / psi=1: fine
  try {
    return parsePsi(r.value);
  } catch {
    return null;
  }
}
