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
 *
 * memory.oom.group (4.19+, and every container of Kubernetes 1.28+): after the victim's kill line the kernel prints
 *   "Tasks in <cgroup> are going to be killed due to memory.oom.group set"
 *   "[Memory cgroup out of memory: ]Killed process N (c) …"   ← one per other task (the victim may be listed again)
 * That is one incident with several victims: the other tasks are added to the report already emitted (its
 * groupVictims), told with a 'group' event, never as incidents of their own.
 */
import { applyDetail, applyKilled, finish, keepRaw, newDraft, stamp, victimOfKillLine, type Draft } from './oom-draft.js';
import { classifyOomLine } from './oom-lines.js';
import type { KernelRecord, OomReport, ReaperOutcome } from '../model/kernel-report.js';

export type AssemblerEvent =
  | { kind: 'report'; report: OomReport }
  | { kind: 'reaped'; reaper: ReaperOutcome }
  /** A report emitted earlier became a group kill, or got another group victim (its groupVictims changed). */
  | { kind: 'group'; report: OomReport };

const KIB = 1024;
/** Kill lines of a group come in one burst; one later than this after the group line is not part of it. */
const GROUP_BURST_US = 5_000_000;

export class OomReportAssembler {
  private draft: Draft | null = null;
  /** The report whose kill line came last: a memory.oom.group line refers to it. */
  private lastReport: OomReport | null = null;
  /** The group kill in progress: its kill lines add victims to this report. */
  private group: { report: OomReport; startUs: number | null } | null = null;

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
    if (this.group && c.kind !== 'killed' && c.kind !== 'reaped') this.group = null;
    switch (c.kind) {
      case 'group': {
        const r = this.lastReport;
        if (!r) return; // the victim's kill line was lost: the kill lines that follow stand alone
        r.groupCgroup = c.cgroup;
        r.groupVictims ??= [];
        if (!r.flags.includes('group-kill')) r.flags.push('group-kill');
        if (r.rawLines.length < 200) r.rawLines.push(line);
        this.group = { report: r, startUs: rec.monotonicUs };
        events.push({ kind: 'group', report: r });
        return;
      }
      case 'header': {
        if (this.draft) events.push({ kind: 'report', report: finish(this.draft, true) });
        this.draft = newDraft(rec, true);
        this.draft.report.trigger = {
          comm: c.comm,
          pid: null,
          gfpMask: c.gfpMask,
          gfpFlags: c.gfpFlags,
          order: c.order,
          oomScoreAdj: c.oomScoreAdj,
        };
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
        const g = this.group;
        const inBurst = g !== null && (g.startUs === null || rec.monotonicUs === null || rec.monotonicUs - g.startUs <= GROUP_BURST_US);
        if (g && inBurst && !this.draft) {
          const r = g.report;
          // The kernel walks every task of the cgroup, the victim included: it is listed once.
          if (r.victim?.pid === c.pid || r.groupVictims!.some((v) => v.pid === c.pid)) return;
          r.groupVictims!.push(victimOfKillLine(c));
          if (r.rawLines.length < 200) r.rawLines.push(line);
          events.push({ kind: 'group', report: r });
          return;
        }
        this.group = null;
        const d = this.draft ?? newDraft(rec, false);
        this.draft = null;
        keepRaw(d, line);
        applyKilled(d, c);
        stamp(d, rec);
        d.report.killSeq = rec.seq;
        const done = finish(d, false);
        this.lastReport = done;
        events.push({ kind: 'report', report: done });
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

/**
 * Batch form for files (import): every report of the records, with each reaper outcome attached to the
 * latest earlier report of the same victim pid.
 */
export function assembleReports(records: Iterable<KernelRecord>): OomReport[] {
  const c = collectReports();
  for (const rec of records) c.push(rec);
  return c.end();
}

/** The same, fed one record at a time (import streams a file of any size through it): only reports are kept. */
export function collectReports(): { push(rec: KernelRecord): void; end(): OomReport[] } {
  const asm = new OomReportAssembler();
  const reports: OomReport[] = [];
  const apply = (events: AssemblerEvent[]) => {
    for (const e of events) {
      if (e.kind === 'report') reports.push(e.report);
      else if (e.kind === 'reaped') attachReaper(reports, e.reaper);
      // 'group': the report in the list already holds its group victims
    }
  };
  return {
    push: (rec) => apply(asm.push(rec)),
    end: () => {
      apply(asm.flush());
      return reports;
    },
  };
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
