/**
 * One OOM report being assembled: how each classified line updates it, and how it is finished
 * (constraint classification, victim enrichment from the task table). Pure; used by oom-assembler.ts.
 */
import { parseTaskRow, taskRowPattern, type KillPrefix, type OomLine } from './oom-lines.js';
import type { KernelRecord, OomConstraint, OomReport, OomVictim } from '../model/kernel-report.js';

/** Raw lines kept per report for forensics; the task table is stored separately, row by row. */
const RAW_LINES_MAX = 200;
const KIB = 1024;

export interface Draft {
  report: OomReport;
  hasHeader: boolean;
  sawMemInfo: boolean;
  killPrefix: KillPrefix;
  statsPath: string | null;
  rowPattern: RegExp | null;
}

export function newDraft(rec: KernelRecord, hasHeader: boolean): Draft {
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

export function keepRaw(d: Draft, line: string): void {
  if (d.report.rawLines.length < RAW_LINES_MAX) d.report.rawLines.push(line);
}

export function stamp(d: Draft, rec: KernelRecord): void {
  d.report.monotonicUs = rec.monotonicUs ?? d.report.monotonicUs;
  d.report.wallMs = rec.wallMs ?? d.report.wallMs;
  d.report.wallExact = rec.wallMs !== null ? (rec.wallExact ?? true) : d.report.wallExact;
  d.report.bootId = rec.bootId ?? d.report.bootId;
  d.report.hostname = rec.hostname ?? d.report.hostname;
}

export function applyDetail(d: Draft, c: OomLine, line = ''): void {
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
      if (!r.victim) r.victim = { ...emptyVictim(c.pid, c.comm), uid: c.uid };
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

/** The victim a kill line names, alone (memory.oom.group members: no selection, no task table). */
export function victimOfKillLine(c: Extract<OomLine, { kind: 'killed' }>): OomVictim {
  return {
    ...emptyVictim(c.pid, c.comm),
    uid: c.uid,
    totalVmBytes: c.totalVmKib * KIB,
    anonRssBytes: c.anonRssKib * KIB,
    fileRssBytes: c.fileRssKib * KIB,
    shmemRssBytes: c.shmemRssKib === null ? null : c.shmemRssKib * KIB,
    pageTablesBytes: c.pgtablesKib === null ? null : c.pgtablesKib * KIB,
    oomScoreAdj: c.oomScoreAdj,
  };
}

export function applyKilled(d: Draft, c: Extract<OomLine, { kind: 'killed' }>): void {
  const prev = d.report.victim;
  d.killPrefix = c.prefix ?? d.killPrefix;
  const samePid = prev?.pid === c.pid;
  d.report.victim = {
    pid: c.pid,
    comm: c.comm,
    uid: c.uid ?? (samePid ? prev.uid : null),
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

export function finish(d: Draft, truncated: boolean): OomReport {
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
