/**
 * Assembles kernel log records into OOM reports. A stateful but pure machine: feed records in order
 * with push(); it returns what became complete. No I/O and no clock: the caller decides when a report
 * that never got its kill line is given up (flush()).
 *
 * The kernel prints one report as many records (DESIGN.md "The kernel's OOM report"):
 *   header "<comm> invoked oom-killer: …" … memcg lines / Mem-Info … task table …
 *   [5.0+] "oom-kill:constraint=…"   [<5.1] "…: Kill process N (c) score S or sacrifice child"
 *   "[…: ]Killed process M (c) total-vm:…"          ← the report is complete here and emitted at once
 *   "oom_reaper: reaped process M (c), now …"       ← may come seconds later, after another report:
 *                                                      emitted as its own 'reaped' event
 * The header (dump_header) is rate-limited, the kill line is not: a kill line may stand alone.
 * Records of other subsystems may be interleaved anywhere; they are ignored.
 */
import { classifyOomLine, parseTaskRow, taskRowPattern, type KillPrefix, type OomLine } from './oom-lines.js';
import type { KernelRecord, OomConstraint, OomReport, ReaperOutcome } from './types.js';

export type AssemblerEvent = { kind: 'report'; report: OomReport } | { kind: 'reaped'; reaper: ReaperOutcome };

/** Raw lines kept per report for forensics; the task table is stored separately, row by row. */
const RAW_LINES_MAX = 200;

interface Draft {
  report: OomReport;
  hasHeader: boolean;
  sawMemInfo: boolean;
  killPrefix: KillPrefix;
  statsPath: string | null;
  rowPattern: RegExp | null;
}

const KIB = 1024;

export class OomReportAssembler {
  private draft: Draft | null = null;

  /** Seq of the first record of the report in progress: a resumed reader must re-read from there. */
  get pendingSinceSeq(): number | null {
    return this.draft?.report.firstSeq ?? null;
  }

  /** Whether a report is in progress (header seen, kill line not yet). */
  get hasPending(): boolean {
    return this.draft !== null;
  }

  push(rec: KernelRecord): AssemblerEvent[] {
    const events: AssemblerEvent[] = [];
    const text = rec.text;
    if (text.includes('\n')) {
      for (const line of text.split('\n')) this.pushLine(line.trim(), rec, events);
    } else {
      this.pushLine(text.trim(), rec, events);
    }
    return events;
  }

  /** Ends input (or gives up waiting): a report in progress is emitted as truncated. */
  flush(): AssemblerEvent[] {
    if (!this.draft) return [];
    const d = this.draft;
    this.draft = null;
    return [{ kind: 'report', report: finish(d, true) }];
  }

  private pushLine(line: string, rec: KernelRecord, events: AssemblerEvent[]): void {
    if (!line) return;
    const c = classifyOomLine(line);
    if (!c) {
      if (this.draft) keepRaw(this.draft, line);
      return;
    }
    switch (c.kind) {
      case 'header': {
        if (this.draft) events.push({ kind: 'report', report: finish(this.draft, true) });
        this.draft = newDraft(rec, true);
        this.draft.report.trigger = { comm: c.comm, pid: null, gfpMask: c.gfpMask, gfpFlags: c.gfpFlags, order: c.order, oomScoreAdj: c.oomScoreAdj };
        keepRaw(this.draft, line);
        return;
      }
      case 'reaped':
        events.push({
          kind: 'reaped',
          reaper: {
            pid: c.pid,
            comm: c.comm,
            anonRssBytes: c.anonRssKib * KIB,
            fileRssBytes: c.fileRssKib * KIB,
            shmemRssBytes: c.shmemRssKib * KIB,
            monotonicUs: rec.monotonicUs,
            wallMs: rec.wallMs,
            seq: rec.seq,
          },
        });
        return;
      case 'killed': {
        const d = this.draft ?? newDraft(rec, false);
        this.draft = null;
        keepRaw(d, line);
        applyKilled(d, c);
        stamp(d, rec);
        d.report.killSeq = rec.seq;
        events.push({ kind: 'report', report: finish(d, false) });
        return;
      }
      case 'summary':
      case 'select': {
        // Both belong to the kill itself; without a header (lost or rate-limited) they open a report.
        if (!this.draft) this.draft = newDraft(rec, false);
        keepRaw(this.draft, line);
        applyDetail(this.draft, c);
        return;
      }
      default:
        if (!this.draft) return; // a CPU:/memory: line of some other splat
        if (c.kind !== 'task-row') keepRaw(this.draft, line);
        applyDetail(this.draft, c, line);
    }
  }
}

function newDraft(rec: KernelRecord, hasHeader: boolean): Draft {
  return {
    hasHeader,
    sawMemInfo: false,
    killPrefix: null,
    statsPath: null,
    rowPattern: null,
    report: {
      trigger: null,
      constraint: null,
      constraintRaw: null,
      oomMemcg: null,
      taskMemcg: null,
      cpuset: null,
      memsAllowed: null,
      memcgCounters: [],
      victim: null,
      tasks: [],
      taskColumns: [],
      reaper: null,
      flags: hasHeader ? [] : ['no-header'],
      monotonicUs: rec.monotonicUs,
      wallMs: rec.wallMs,
      wallExact: rec.wallExact ?? rec.wallMs !== null,
      firstSeq: rec.seq,
      killSeq: null,
      bootId: rec.bootId ?? null,
      hostname: rec.hostname ?? null,
      rawLines: [],
    },
  };
}

function keepRaw(d: Draft, line: string): void {
  if (d.report.rawLines.length < RAW_LINES_MAX) d.report.rawLines.push(line);
}

function stamp(d: Draft, rec: KernelRecord): void {
  d.report.monotonicUs = rec.monotonicUs ?? d.report.monotonicUs;
  d.report.wallMs = rec.wallMs ?? d.report.wallMs;
  d.report.wallExact = rec.wallMs !== null ? (rec.wallExact ?? true) : d.report.wallExact;
  d.report.bootId = rec.bootId ?? d.report.bootId;
  d.report.hostname = rec.hostname ?? d.report.hostname;
}

function applyDetail(d: Draft, c: OomLine, line = ''): void {
  const r = d.report;
  switch (c.kind) {
    case 'cpu':
      // Only the first dump_stack after the header is the trigger's; a later one is another splat.
      if (r.trigger && r.trigger.pid === null) r.trigger.pid = c.pid;
      return;
    case 'cpuset':
      r.cpuset ??= c.cpuset;
      r.memsAllowed ??= c.memsAllowed;
      return;
    case 'task-in':
      r.taskMemcg = c.taskMemcg;
      r.oomMemcg = c.oomMemcg;
      return;
    case 'memcg-counter':
      r.memcgCounters.push(c.counter);
      return;
    case 'memcg-stats':
      d.statsPath ??= c.path;
      return;
    case 'mem-info':
      d.sawMemInfo = true;
      return;
    case 'tasks-header':
      r.taskColumns = c.columns;
      d.rowPattern = taskRowPattern(c.columns);
      return;
    case 'task-row': {
      if (!d.rowPattern) return;
      const row = parseTaskRow(r.taskColumns, d.rowPattern, line);
      if (row) r.tasks.push(row);
      return;
    }
    case 'summary':
      r.constraintRaw = c.constraintRaw;
      r.oomMemcg = c.oomMemcg ?? r.oomMemcg;
      r.taskMemcg = c.taskMemcg ?? r.taskMemcg;
      r.cpuset = c.cpuset ?? r.cpuset;
      r.memsAllowed = c.memsAllowed ?? r.memsAllowed;
      if (!r.victim)
        r.victim = { ...emptyVictim(c.pid, c.comm), uid: c.uid };
      return;
    case 'select':
      d.killPrefix = c.prefix ?? d.killPrefix;
      r.victim ??= emptyVictim(c.pid, c.comm);
      r.victim.selectedPid = c.pid;
      r.victim.selectedScore = c.score;
      return;
    default:
      return;
  }
}

function emptyVictim(pid: number, comm: string): NonNullable<OomReport['victim']> {
  return {
    pid,
    comm,
    uid: null,
    totalVmBytes: null,
    anonRssBytes: null,
    fileRssBytes: null,
    shmemRssBytes: null,
    pageTablesBytes: null,
    oomScoreAdj: null,
    selectedPid: null,
    selectedScore: null,
  };
}

function applyKilled(d: Draft, c: Extract<OomLine, { kind: 'killed' }>): void {
  const prev = d.report.victim;
  d.killPrefix = c.prefix ?? d.killPrefix;
  const samePid = prev?.pid === c.pid;
  d.report.victim = {
    pid: c.pid,
    comm: c.comm,
    uid: c.uid ?? (samePid ? prev!.uid : null),
    totalVmBytes: c.totalVmKib * KIB,
    anonRssBytes: c.anonRssKib * KIB,
    fileRssBytes: c.fileRssKib * KIB,
    shmemRssBytes: c.shmemRssKib === null ? null : c.shmemRssKib * KIB,
    pageTablesBytes: c.pgtablesKib === null ? null : c.pgtablesKib * KIB,
    oomScoreAdj: c.oomScoreAdj,
    selectedPid: prev?.selectedPid ?? null,
    selectedScore: prev?.selectedScore ?? null,
  };
  const v = d.report.victim;
  if (v.selectedPid !== null && v.selectedPid !== v.pid) d.report.flags.push('child-sacrificed');
}

function classify(d: Draft): OomConstraint | null {
  const r = d.report;
  switch (r.constraintRaw) {
    case 'CONSTRAINT_MEMCG':
      return 'memcg';
    case 'CONSTRAINT_CPUSET':
      return 'cpuset';
    case 'CONSTRAINT_MEMORY_POLICY':
      return 'mempolicy';
    case 'CONSTRAINT_NONE':
      // 5.0–5.2 print CONSTRAINT_NONE for memcg OOMs too; only oom_memcg= tells them apart.
      return r.oomMemcg ? 'memcg' : 'global';
    default:
      break;
  }
  if (r.oomMemcg || d.statsPath || r.memcgCounters.length > 0 || d.killPrefix === 'memcg') return 'memcg';
  // Before 5.0 cpuset/mempolicy kills also say "Out of memory": 'global' is the closest we can tell.
  if (d.killPrefix === 'global' || d.sawMemInfo) return 'global';
  return null;
}

function finish(d: Draft, truncated: boolean): OomReport {
  const r = d.report;
  r.constraint = classify(d);
  if (r.constraint === 'memcg' && !r.oomMemcg && d.statsPath) r.oomMemcg = d.statsPath;
  if (truncated && !r.flags.includes('truncated')) r.flags.push('truncated');
  if (d.hasHeader && r.tasks.length === 0 && !truncated) r.flags.push('no-task-table');
  const v = r.victim;
  if (v) {
    const row = r.tasks.find((t) => t.pid === v.pid);
    if (row) {
      v.uid ??= row.uid;
      v.oomScoreAdj ??= row.oomScoreAdj;
      if (v.pageTablesBytes === null && row.pgtablesBytes !== null) v.pageTablesBytes = row.pgtablesBytes;
    }
  }
  if (r.trigger && r.trigger.pid === null && !d.hasHeader) r.trigger = null;
  return r;
}

/**
 * Batch form for files (import): every report of the records, with each reaper outcome attached to the
 * latest earlier report of the same victim pid.
 */
export function assembleReports(records: Iterable<KernelRecord>): OomReport[] {
  const asm = new OomReportAssembler();
  const reports: OomReport[] = [];
  const apply = (events: AssemblerEvent[]) => {
    for (const e of events) {
      if (e.kind === 'report') reports.push(e.report);
      else attachReaper(reports, e.reaper);
    }
  };
  for (const rec of records) apply(asm.push(rec));
  apply(asm.flush());
  return reports;
}

/** Attaches a reaper outcome to the most recent report of that victim still without one; false when none. */
export function attachReaper(reports: OomReport[], reaper: ReaperOutcome): boolean {
  for (let i = reports.length - 1; i >= 0; i--) {
    const r = reports[i];
    if (r.victim?.pid === reaper.pid && !r.reaper) {
      r.reaper = reaper;
      return true;
    }
  }
  return false;
}
