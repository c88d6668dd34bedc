import type { Database, Statement } from 'better-sqlite3';
import { isExitedState } from '../sample/dying.js';
import type { CgroupMemory, HostSnapshot, ProcessSample } from '../model/snapshot.js';

export interface SamplesRepoOptions {
  /** A tick where every live process gets a row, so any instant can be reconstructed from the last one. */
  keyframeEveryMs: number;
  /** Relative change of RSS/swap (beyond 1 MiB) that earns a row between keyframes. */
  deadBandFraction: number;
}

export interface TickWrite {
  tickId: number;
  keyframe: boolean;
  processRows: number;
  cgroupRows: number;
}

interface LastRow {
  rssKib: number;
  swapKib: number;
  pgtablesKib: number;
  oomScore: number;
  oomScoreAdj: number;
}

interface LastCgroupRow {
  usageKib: number;
  limitKib: number;
  oomKill: number | null;
  top: number | null;
}

const kib = (bytes: number) => Math.round(bytes / 1024);
/** Processes written per transaction (a few ms each), so a write never blocks the event loop long. */
const CHUNK = 1000;
const MIB_IN_KIB = 1024;

/**
 * Writes one tick per call, in one transaction: the host row, new process identities (static facts
 * stored once), change-only process and cgroup samples with periodic keyframes, and the end of
 * processes that disappeared. Keeps the last written values in memory to decide what changed.
 * A process listed as exited (zombie) has ended: its identity keeps its last live facts and samples
 * (a zombie reads cgroup `/`, RSS 0 and oom_score 0, none of them about the process).
 */
export class SamplesRepo {
  private readonly ids = new Map<string, number>();
  private readonly last = new Map<number, LastRow>();
  private readonly cgroupIds = new Map<string, number>();
  private readonly lastCgroup = new Map<number, LastCgroupRow>();
  private lastKeyframeMs = -Infinity;
  private prevLive = new Set<number>();
  private prevTick: { id: number; ts: number } | null = null;
  private readonly st: Record<string, Statement>;
  private readonly tx: <T>(fn: () => T) => T;

  constructor(
    private readonly db: Database,
    private readonly opts: SamplesRepoOptions,
  ) {
    this.st = {
      tick: db.prepare(`INSERT INTO tick (ts_ms, boot_id, hostname, keyframe, scale, mem_total_kib, mem_available_kib, mem_free_kib,
        swap_total_kib, swap_free_kib, psi_some_avg10, psi_some_avg60, psi_some_avg300, psi_full_avg10, psi_full_avg60, psi_full_avg300,
        vmstat_oom_kill, n_listed, n_sampled, n_gone, n_denied, host_top_process_id, duration_us, cgroup_version)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`),
      setTop: db.prepare('UPDATE tick SET host_top_process_id = ? WHERE id = ?'),
      markKeyframe: db.prepare('UPDATE tick SET keyframe = 1 WHERE id = ?'),
      reopen: db.prepare('UPDATE process SET ended_ms = NULL WHERE id = ?'),
      findProc: db.prepare('SELECT id FROM process WHERE boot_id = ? AND pid = ? AND start_time_ticks = ?'),
      insProc: db.prepare(`INSERT INTO process (boot_id, pid, start_time_ticks, ppid, uid, comm, cmdline, exe, cgroup, unit,
        first_tick_id, first_seen_ms, last_tick_id, last_seen_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      updFacts: db.prepare('UPDATE process SET comm = ?, cmdline = ?, exe = ?, cgroup = ?, unit = ?, uid = ? WHERE id = ?'),
      seen: db.prepare('UPDATE process SET last_tick_id = ?, last_seen_ms = ? WHERE id = ?'),
      end: db.prepare('UPDATE process SET last_tick_id = ?, last_seen_ms = ?, ended_ms = ? WHERE id = ?'),
      // Open identities of an earlier run were live at its last tick (the ones that ended during it were closed then).
      closeOpen: db.prepare(`UPDATE process SET ended_ms = @now,
        last_tick_id = MAX(last_tick_id, COALESCE((SELECT MAX(id) FROM tick), 0)),
        last_seen_ms = MAX(last_seen_ms, COALESCE((SELECT ts_ms FROM tick ORDER BY id DESC LIMIT 1), 0))
        WHERE ended_ms IS NULL`),
      sample: db.prepare(
        'INSERT INTO sample (tick_id, process_id, rss_kib, swap_kib, pgtables_kib, oom_score, oom_score_adj) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      findCg: db.prepare('SELECT id FROM cgroup WHERE path = ?'),
      insCg: db.prepare('INSERT INTO cgroup (path, version) VALUES (?, ?)'),
      cgSample:
        db.prepare(`INSERT INTO cgroup_sample (tick_id, cgroup_id, usage_kib, limit_kib, swap_usage_kib, swap_limit_kib, oom_kill_count, oom_count, top_process_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      cgEnd: db.prepare('INSERT OR IGNORE INTO cgroup_end (tick_id, cgroup_id) VALUES (?, ?)'),
    };
    this.tx = <T>(fn: () => T): T => db.transaction(fn)();
  }

  /** Stores one snapshot at once (CLI, tests, benchmarks). See writeTickSliced for the agent. */
  writeTick(snap: HostSnapshot, durationUs: number): TickWrite {
    const it = this.guarded(this.steps(snap, durationUs));
    for (;;) {
      const r = it.next();
      if (r.done) return r.value;
    }
  }

  /**
   * Stores one snapshot in short transactions of at most CHUNK processes, yielding to the event loop
   * between them, so a keyframe of 8,000 processes never blocks the agent for long. The tick is marked
   * as a keyframe only by the last transaction: a crash half-way leaves valid change rows under a
   * non-keyframe tick, and reconstruction falls back to the previous keyframe.
   */
  async writeTickSliced(snap: HostSnapshot, durationUs: number): Promise<TickWrite> {
    const it = this.guarded(this.steps(snap, durationUs));
    for (;;) {
      const r = it.next();
      if (r.done) return r.value;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Process-table id of a live identity (for links from incidents, alerts, audits). */
  processId(p: Pick<ProcessSample, 'bootId' | 'pid' | 'startTimeTicks'>): number | undefined {
    return this.ids.get(`${p.bootId}:${p.pid}:${p.startTimeTicks}`);
  }

  /** A failed write (disk full, read-only) leaves the in-memory view unsure: forget it, so the next tick starts over with a keyframe. */
  private *guarded(steps: Generator<void, TickWrite>): Generator<void, TickWrite> {
    try {
      return yield* steps;
    } catch (err) {
      this.ids.clear();
      this.last.clear();
      this.facts.clear();
      this.lastCgroup.clear();
      this.prevLive = new Set();
      this.prevTick = null;
      throw err;
    }
  }

  private *steps(snap: HostSnapshot, durationUs: number): Generator<void, TickWrite> {
    const firstTick = this.prevTick === null;
    const keyframe = firstTick || snap.takenAtMs - this.lastKeyframeMs >= this.opts.keyframeEveryMs;
    const m = snap.memory;
    const tickId = this.tx(() => {
      if (firstTick) this.st.closeOpen.run({ now: snap.takenAtMs }); // processes of an earlier run: their end is unknown, close them now
      return Number(
        this.st.tick.run(
          snap.takenAtMs,
          snap.bootId,
          snap.hostname,
          0,
          snap.scale,
          kib(m.memTotalBytes),
          kib(m.memAvailableBytes),
          kib(m.memFreeBytes),
          kib(m.swapTotalBytes),
          kib(m.swapFreeBytes),
          snap.psi?.some.avg10 ?? null,
          snap.psi?.some.avg60 ?? null,
          snap.psi?.some.avg300 ?? null,
          snap.psi?.full?.avg10 ?? null,
          snap.psi?.full?.avg60 ?? null,
          snap.psi?.full?.avg300 ?? null,
          snap.vmstatOomKill,
          snap.counts.listed,
          snap.counts.sampled,
          snap.counts.gone,
          snap.counts.denied,
          durationUs,
          snap.cgroupVersion,
        ).lastInsertRowid,
      );
    });
    let processRows = 0;
    const live = new Set<number>();
    for (let i = 0; i < snap.processes.length; i += CHUNK) {
      yield;
      const written: [number, LastRow][] = [];
      this.tx(() => {
        for (const p of snap.processes.slice(i, i + CHUNK)) {
          if (isExitedState(p.state)) continue;
          const id = this.identity(p, tickId, snap.takenAtMs);
          live.add(id);
          const row: LastRow = {
            rssKib: kib(p.rssBytes),
            swapKib: kib(p.swapBytes),
            pgtablesKib: kib(p.pageTablesBytes),
            oomScore: p.oomScore,
            oomScoreAdj: p.oomScoreAdj,
          };
          const prev = this.last.get(id);
          if (keyframe || !prev || this.changed(prev, row)) {
            this.st.sample.run(tickId, id, row.rssKib, row.swapKib, row.pgtablesKib, row.oomScore, row.oomScoreAdj);
            written.push([id, row]);
          }
          if (keyframe) this.st.seen.run(tickId, snap.takenAtMs, id);
        }
      });
      for (const [id, row] of written) this.last.set(id, row);
      processRows += written.length;
    }
    yield;
    const cgroupRows = this.tx(() => {
      if (this.prevTick) {
        for (const id of this.prevLive) if (!live.has(id)) this.st.end.run(this.prevTick.id, this.prevTick.ts, snap.takenAtMs, id);
      }
      const host = snap.domains.find((d) => d.kind === 'host')?.ranking[0];
      const topId = host ? this.ids.get(`${snap.bootId}:${host.pid}:${host.startTimeTicks}`) : undefined;
      if (topId !== undefined) this.st.setTop.run(topId, tickId);
      const rows = this.writeCgroups(snap, tickId, keyframe);
      if (keyframe) this.st.markKeyframe.run(tickId);
      return rows;
    });
    for (const id of this.prevLive) if (!live.has(id)) this.last.delete(id);
    for (const [key, id] of this.ids) {
      if (!live.has(id)) {
        this.ids.delete(key);
        this.facts.delete(id);
      }
    }
    if (keyframe) this.lastKeyframeMs = snap.takenAtMs;
    this.prevLive = live;
    this.prevTick = { id: tickId, ts: snap.takenAtMs };
    return { tickId, keyframe, processRows, cgroupRows };
  }

  private identity(p: ProcessSample, tickId: number, ts: number): number {
    const key = `${p.bootId}:${p.pid}:${p.startTimeTicks}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      const found = this.st.findProc.get(p.bootId, p.pid, p.startTimeTicks) as { id: number } | undefined;
      if (found) {
        id = found.id;
        this.st.updFacts.run(p.comm, p.cmdline, p.exe, p.cgroup, p.unit, p.uid, id);
        this.st.reopen.run(id);
      } else {
        id = Number(
          this.st.insProc.run(
            p.bootId,
            p.pid,
            p.startTimeTicks,
            p.ppid,
            p.uid,
            p.comm,
            p.cmdline,
            p.exe,
            p.cgroup,
            p.unit,
            tickId,
            ts,
            tickId,
            ts,
          ).lastInsertRowid,
        );
      }
      this.ids.set(key, id);
      this.facts.set(id, factsOf(p));
    } else if (!sameFacts(this.facts.get(id), p)) {
      // exec or a move to another cgroup: keep the identity's facts current
      this.st.updFacts.run(p.comm, p.cmdline, p.exe, p.cgroup, p.unit, p.uid, id);
      this.facts.set(id, factsOf(p));
    }
    return id;
  }

  /** The facts last written per identity: the sample's own strings, compared field by field each tick. */
  private readonly facts = new Map<number, Facts>();

  private changed(a: LastRow, b: LastRow): boolean {
    if (a.oomScore !== b.oomScore || a.oomScoreAdj !== b.oomScoreAdj) return true;
    const band = (v: number) => Math.max(MIB_IN_KIB, v * this.opts.deadBandFraction);
    return (
      Math.abs(a.rssKib - b.rssKib) > band(a.rssKib) ||
      Math.abs(a.swapKib - b.swapKib) > band(a.swapKib) ||
      Math.abs(a.pgtablesKib - b.pgtablesKib) > 256
    );
  }

  private writeCgroups(snap: HostSnapshot, tickId: number, keyframe: boolean): number {
    let rows = 0;
    const present = new Set<number>();
    for (const cg of snap.cgroups) {
      const id = this.cgroupId(cg);
      present.add(id);
      const dom = snap.domains.find((d) => d.kind === 'cgroup' && d.id === cg.path)?.ranking[0];
      const top = dom ? (this.ids.get(`${snap.bootId}:${dom.pid}:${dom.startTimeTicks}`) ?? null) : null;
      const row: LastCgroupRow = { usageKib: kib(cg.usageBytes), limitKib: kib(cg.limitBytes), oomKill: cg.oomKillCount, top };
      const prev = this.lastCgroup.get(id);
      const moved =
        !prev ||
        prev.limitKib !== row.limitKib ||
        prev.oomKill !== row.oomKill ||
        prev.top !== row.top ||
        Math.abs(prev.usageKib - row.usageKib) > Math.max(MIB_IN_KIB, prev.usageKib * 0.01);
      if (!keyframe && !moved) continue;
      this.st.cgSample.run(
        tickId,
        id,
        row.usageKib,
        row.limitKib,
        cg.swapUsageBytes === null ? null : kib(cg.swapUsageBytes),
        cg.swapLimitBytes === null ? null : kib(cg.swapLimitBytes),
        cg.oomKillCount,
        cg.oomCount,
        top,
      );
      this.lastCgroup.set(id, row);
      rows++;
    }
    // A cgroup written before and missing now is gone (or lost its limit): mark it, so a reconstruction
    // after this tick leaves it out until it has a row again.
    for (const id of this.lastCgroup.keys()) {
      if (present.has(id)) continue;
      this.st.cgEnd.run(tickId, id);
      this.lastCgroup.delete(id);
    }
    return rows;
  }

  private cgroupId(cg: CgroupMemory): number {
    let id = this.cgroupIds.get(cg.path);
    if (id === undefined) {
      const found = this.st.findCg.get(cg.path) as { id: number } | undefined;
      id = found ? found.id : Number(this.st.insCg.run(cg.path, cg.version).lastInsertRowid);
      this.cgroupIds.set(cg.path, id);
    }
    return id;
  }
}

/**
 * An identity's static facts as last written. It refers to the strings the sampler holds, which it reads
 * again only for a new identity or after an exec or a cgroup move, so an unchanged process costs five
 * comparisons per tick and no copy of its command line.
 */
type Facts = Pick<ProcessSample, 'comm' | 'cmdline' | 'exe' | 'cgroup' | 'uid'>;

const factsOf = (p: ProcessSample): Facts => ({ comm: p.comm, cmdline: p.cmdline, exe: p.exe, cgroup: p.cgroup, uid: p.uid });

const sameFacts = (f: Facts | undefined, p: ProcessSample): boolean =>
  f !== undefined && f.comm === p.comm && f.cmdline === p.cmdline && f.exe === p.exe && f.cgroup === p.cgroup && f.uid === p.uid;
