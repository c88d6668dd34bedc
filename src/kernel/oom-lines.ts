/**
 * Pure classifiers for the lines of a kernel OOM report (mm/oom_kill.c, mm/memcontrol.c).
 * Each regex follows the format string of the kernel versions named beside it; cheap substring tests
 * run first so a 10,000-record backlog of unrelated text costs little.
 */
import type { MemcgCounterLine, OomTaskRow } from '../model/kernel-report.js';

export type KillPrefix = 'memcg' | 'global' | null;

export type OomLine =
  | { kind: 'header'; comm: string; gfpMask: string; gfpFlags: string | null; order: number; oomScoreAdj: number }
  | { kind: 'cpu'; pid: number; comm: string }
  | { kind: 'cpuset'; cpuset: string; memsAllowed: string }
  | { kind: 'task-in'; taskMemcg: string; oomMemcg: string }
  | { kind: 'memcg-counter'; counter: MemcgCounterLine }
  | { kind: 'memcg-stats'; path: string }
  | { kind: 'mem-info' }
  | { kind: 'tasks-header'; columns: string[] }
  | { kind: 'task-row' }
  | {
      kind: 'summary';
      constraintRaw: string;
      nodemask: string;
      cpuset: string | null;
      memsAllowed: string | null;
      oomMemcg: string | null;
      taskMemcg: string | null;
      comm: string;
      pid: number;
      uid: number;
    }
  | { kind: 'select'; prefix: KillPrefix; pid: number; comm: string; score: number }
  | {
      kind: 'killed';
      prefix: KillPrefix;
      pid: number;
      comm: string;
      totalVmKib: number;
      anonRssKib: number;
      fileRssKib: number;
      shmemRssKib: number | null;
      uid: number | null;
      pgtablesKib: number | null;
      oomScoreAdj: number | null;
    }
  | { kind: 'reaped'; pid: number; comm: string; anonRssKib: number; fileRssKib: number; shmemRssKib: number }
  | { kind: 'group'; cgroup: string };

// dump_header(): "%s invoked oom-killer: gfp_mask=%#x(%pGg), nodemask=%*pbl, order=%d, oom_score_adj=%hd"
// (nodemask= 4.10–4.19 only, followed by two spaces; 3.x without the decoded flags; early 3.x also print oom_adj=).
const HEADER_RE =
  /^(.*?) invoked oom-killer: gfp_mask=(0x[0-9a-fA-F]+)(?:\(([^)]*)\))?,(?:\s*nodemask=\S*?,)?\s*order=(-?\d+),(?: oom_adj=-?\d+,)? oom_score_adj=(-?\d+)/;
// dump_stack(): "CPU: 4 PID: 29481 Comm: sed Not tainted …" (6.x adds "UID: n" after the CPU).
const CPU_RE = /^CPU: \d+ (?:UID: \d+ )?PID: (\d+) Comm: (.*?) (?:Not tainted|Tainted:)/;
// cpuset_print_current_mems_allowed() before 5.0: "<comm> cpuset=<path> mems_allowed=<list>".
const CPUSET_RE = / cpuset=(\S*) mems_allowed=(\S*)$/;
// mem_cgroup_print_oom_info() before 5.0.
const TASK_IN_RE = /^Task in (.*) killed as a result of limit of (.*)$/;
// mem_cgroup_print_oom_meminfo(): v1 memory/memory+swap/kmem, v2 memory/swap.
const COUNTER_RE = /^(memory|memory\+swap|swap|kmem): usage (\d+)kB, limit (\d+)kB, failcnt (\d+)/;
const STATS_RE = /^Memory cgroup stats for (.*?):(?: |$)/;
const TASKS_HEADER_RE = /^\[\s*pid\s*\]\s+(.*)$/;
// dump_oom_summary() 5.0+: "oom-kill:constraint=%s,nodemask=%*pbl" ",cpuset=%s,mems_allowed=%*pbl"
// (",oom_memcg=<path>" | ",global_oom") ",task_memcg=<path>" ",task=%s,pid=%d,uid=%d".
const SUMMARY_HEAD_RE = /^oom-kill:constraint=(\w+),nodemask=(.*?)(?=,cpuset=|,global_oom|,oom_memcg=|,task_memcg=|,task=)/;
const SUMMARY_TAIL_RE = /,task=(.*),pid=(\d+),uid=(\d+)\s*$/;
// oom_kill_process() before 5.1: "%s: Kill process %d (%s) score %u or sacrifice child".
const SELECT_RE =
  /(?:(Memory cgroup out of memory|Out of memory(?: \([^)]*\))?): )?Kill process (\d+) \((.*)\) score (\d+) or sacrifice child/;
// __oom_kill_process(): "%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB,
// UID:%u pgtables:%lukB oom_score_adj:%hd" (5.3+); no prefix and fewer fields before 5.1 (3.x: no shmem-rss).
const KILLED_RE =
  /(?:(Memory cgroup out of memory|Out of memory(?: \([^)]*\))?): )?Killed process (\d+) \((.*)\) total-vm:(\d+)kB, anon-rss:(\d+)kB, file-rss:(\d+)kB(?:, shmem-rss:(\d+)kB)?(?:, UID:(\d+))?(?: pgtables:(\d+)kB)?(?: oom_score_adj:(-?\d+))?/;
// oom_reap_task_mm() 4.6+: "oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:%lukB, shmem-rss:%lukB".
// mem_cgroup_print_oom_group() 4.19+: "Tasks in <cgroup path> are going to be killed due to memory.oom.group set",
// printed after the chosen victim's kill line and followed by one kill line per other task of that cgroup.
const GROUP_RE = /^Tasks in (.*) are going to be killed due to memory\.oom\.group set$/;
const REAPED_RE = /oom_reaper: reaped process (\d+) \((.*)\), now anon-rss:(\d+)kB, file-rss:(\d+)kB, shmem-rss:(\d+)kB/;

function prefixOf(p: string | undefined): KillPrefix {
  if (!p) return null;
  return p.startsWith('Memory cgroup') ? 'memcg' : 'global';
}

const num = (s: string | undefined): number | null => (s === undefined ? null : Number(s));

/** Classifies one line (leading/trailing whitespace already removed). Null: not part of an OOM report. */
export function classifyOomLine(line: string): OomLine | null {
  const c0 = line.charCodeAt(0);
  if (c0 === 0x5b /* [ */) {
    if (/^\[\s*\d+\]\s/.test(line)) return { kind: 'task-row' };
    const h = TASKS_HEADER_RE.exec(line);
    if (h && /^uid\s+tgid\b/.test(h[1])) return { kind: 'tasks-header', columns: ['pid', ...h[1].trim().split(/\s+/)] };
    return null;
  }
  if (line.includes('invoked oom-killer:')) {
    const m = HEADER_RE.exec(line);
    if (m) return { kind: 'header', comm: m[1], gfpMask: m[2], gfpFlags: m[3] ?? null, order: Number(m[4]), oomScoreAdj: Number(m[5]) };
  }
  if (line.startsWith('oom-kill:')) return parseSummary(line);
  if (line.includes('Killed process ')) {
    const m = KILLED_RE.exec(line);
    if (m)
      return {
        kind: 'killed',
        prefix: prefixOf(m[1]),
        pid: Number(m[2]),
        comm: m[3],
        totalVmKib: Number(m[4]),
        anonRssKib: Number(m[5]),
        fileRssKib: Number(m[6]),
        shmemRssKib: num(m[7]),
        uid: num(m[8]),
        pgtablesKib: num(m[9]),
        oomScoreAdj: num(m[10]),
      };
  }
  if (line.includes('or sacrifice child')) {
    const m = SELECT_RE.exec(line);
    if (m) return { kind: 'select', prefix: prefixOf(m[1]), pid: Number(m[2]), comm: m[3], score: Number(m[4]) };
  }
  if (line.includes('oom_reaper: reaped')) {
    const m = REAPED_RE.exec(line);
    if (m)
      return {
        kind: 'reaped',
        pid: Number(m[1]),
        comm: m[2],
        anonRssKib: Number(m[3]),
        fileRssKib: Number(m[4]),
        shmemRssKib: Number(m[5]),
      };
  }
  if (line.startsWith('Tasks in ')) {
    const m = GROUP_RE.exec(line);
    if (m) return { kind: 'group', cgroup: m[1] };
  }
  if (line.startsWith('CPU: ')) {
    const m = CPU_RE.exec(line);
    if (m) return { kind: 'cpu', pid: Number(m[1]), comm: m[2] };
    return null;
  }
  if (line.includes(': usage ')) {
    const m = COUNTER_RE.exec(line);
    if (m) {
      const limitKib = Number(m[3]);
      return {
        kind: 'memcg-counter',
        counter: {
          kind: m[1] as MemcgCounterLine['kind'],
          usageBytes: Number(m[2]) * 1024,
          // PAGE_COUNTER_MAX prints as 9007199254740988kB (64-bit): no limit.
          limitBytes: limitKib >= 2 ** 50 ? null : limitKib * 1024,
          failcnt: Number(m[4]),
        },
      };
    }
  }
  if (line.startsWith('Task in ')) {
    const m = TASK_IN_RE.exec(line);
    if (m) return { kind: 'task-in', taskMemcg: m[1], oomMemcg: m[2] };
  }
  if (line.startsWith('Memory cgroup stats for ')) {
    const m = STATS_RE.exec(line);
    if (m) return { kind: 'memcg-stats', path: m[1] };
  }
  if (line.startsWith('Mem-Info:')) return { kind: 'mem-info' };
  if (line.includes(' mems_allowed=') && !line.startsWith('oom-kill:')) {
    const m = CPUSET_RE.exec(line);
    if (m) return { kind: 'cpuset', cpuset: m[1], memsAllowed: m[2] };
  }
  return null;
}

function parseSummary(line: string): OomLine | null {
  const head = SUMMARY_HEAD_RE.exec(line);
  const tail = SUMMARY_TAIL_RE.exec(line);
  if (!head || !tail) return null;
  const middle = line.slice(head[0].length, tail.index);
  let cpuset: string | null = null;
  let memsAllowed: string | null = null;
  let oomMemcg: string | null = null;
  let taskMemcg: string | null = null;
  // mems_allowed is a node list (%*pbl): "0", "0-3" or "0,2" on machines with non-contiguous nodes.
  const cs = /^,cpuset=(.*?),mems_allowed=((?:\d+(?:-\d+)?)(?:,\d+(?:-\d+)?)*)?/.exec(middle);
  let rest = middle;
  if (cs) {
    cpuset = cs[1];
    memsAllowed = cs[2] ?? '';
    rest = middle.slice(cs[0].length);
  }
  const tm = rest.indexOf(',task_memcg=');
  if (tm >= 0) {
    taskMemcg = rest.slice(tm + ',task_memcg='.length);
    rest = rest.slice(0, tm);
  }
  if (rest.startsWith(',oom_memcg=')) oomMemcg = rest.slice(',oom_memcg='.length);
  return {
    kind: 'summary',
    constraintRaw: head[1],
    nodemask: head[2],
    cpuset,
    memsAllowed,
    oomMemcg,
    taskMemcg,
    comm: tail[1],
    pid: Number(tail[2]),
    uid: Number(tail[3]),
  };
}

/** The columns between pid and name, as a row regex (cached per header by the caller). */
export function taskRowPattern(columns: readonly string[]): RegExp {
  const numeric = columns.length - 2; // minus pid and name
  return new RegExp(`^\\[\\s*(\\d+)\\]${'\\s+(-?\\d+)'.repeat(Math.max(0, numeric))}\\s(.*)$`);
}

/** Parses one task-table row against the header's columns; null when the row does not fit the header. */
export function parseTaskRow(columns: readonly string[], pattern: RegExp, line: string): OomTaskRow | null {
  const m = pattern.exec(line);
  if (!m) return null;
  const byName = new Map<string, number>();
  for (let i = 1; i < columns.length - 1; i++) byName.set(columns[i], Number(m[i + 1]));
  const get = (k: string): number | null => byName.get(k) ?? null;
  return {
    pid: Number(m[1]),
    uid: get('uid'),
    tgid: get('tgid'),
    totalVmPages: get('total_vm'),
    rssPages: get('rss'),
    rssAnonPages: get('rss_anon'),
    rssFilePages: get('rss_file'),
    rssShmemPages: get('rss_shmem'),
    pgtablesBytes: get('pgtables_bytes'),
    nrPtes: get('nr_ptes'),
    swapents: get('swapents'),
    oomScoreAdj: get('oom_score_adj'),
    name: m[columns.length].trimStart(),
  };
}
