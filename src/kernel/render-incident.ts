/**
 * Text rendering of incidents for the CLI (pure). Every kernel-provided string is untrusted: the
 * renderTable sanitises cells, and free text goes through sanitizeTerminal here.
 */
import { formatBytes, formatIso, shortenCgroupPath } from '../util/format.js';
import { sanitizeTerminal } from '../util/escape.js';
import { renderTable } from '../util/table.js';
import type { IncidentView } from '../model/incident.js';
import type { OomTaskRow } from '../model/kernel-report.js';
import { compactWorkload, workloadFacts } from '../workload/describe.js';

const when = (i: IncidentView): string => {
  if (i.timeMs === null) return i.monotonicUs !== null ? `+${(i.monotonicUs / 1e6).toFixed(3)}s since boot` : '?';
  return `${formatIso(i.timeMs)}${i.timeExact ? '' : '~'}`;
};

const victimText = (i: IncidentView): string => {
  const others = i.groupVictims.length ? ` +${i.groupVictims.length}` : '';
  if (i.victim) return `${i.victim.pid} ${i.victim.comm}${others}`;
  if (i.killer !== 'kernel')
    return i.taskMemcg ? shortenCgroupPath(i.taskMemcg, 32) : i.flags.includes('unparsed') ? '(line not understood)' : '-';
  return i.noKernelReport ? '(no kernel report)' : '(report cut short)';
};

/**
 * Where the victim ran: its workload (namespace/pod/container, docker:name, the unit) when the path names one, else
 * the memcg path; Kubernetes paths differ only at their end (pod UID, container id): keep the end, not the start.
 */
const whereText = (i: IncidentView): string => {
  const w = i.workload ? compactWorkload(i.workload) : null;
  if (w) return w.length <= 48 ? w : `…${w.slice(w.length - 47)}`;
  const path = i.oomMemcg ?? i.taskMemcg;
  return path ? shortenCgroupPath(path, 48) : i.constraint === 'global' ? '(host)' : '-';
};

/** One line per incident. A `~` after the time marks an approximate wall-clock time. */
export function renderIncidentList(incidents: readonly IncidentView[]): string {
  return renderTable(incidents, [
    { header: 'ID', get: (i) => i.id ?? '-', align: 'right' },
    { header: 'TIME', get: when },
    { header: 'HOST', get: (i) => i.hostname, max: 24 },
    { header: 'SOURCE', get: (i) => (i.noKernelReport ? `counter×${i.killCount}` : i.source) },
    { header: 'CONSTRAINT', get: (i) => i.constraint ?? '?' },
    { header: 'WORKLOAD', get: whereText, max: 48 },
    { header: 'VICTIM', get: victimText, max: 32 },
    { header: 'ANON RSS', get: (i) => formatBytes(i.victim?.anonRssBytes), align: 'right' },
    { header: 'REAPED', get: (i) => (i.reaped ? 'yes' : i.noKernelReport || i.killer !== 'kernel' ? '-' : 'no') },
    { header: 'KILLER', get: (i) => i.killer },
  ]);
}

/** Key facts of one incident, then its task table (largest first, capped). */
export function renderIncidentDetail(i: IncidentView, tasks: readonly OomTaskRow[], extra: string[] = []): string {
  const kv: [string, string][] = [
    ['incident', `${i.id ?? '-'} (${i.noKernelReport ? 'counter only: no kernel report was read' : i.source})`],
    ['killer', i.killer + (i.reason ? `: ${i.reason}` : '')],
    ['host', i.hostname],
    ['time', when(i) + (i.windowStartMs !== null ? ` (killed after ${formatIso(i.windowStartMs)})` : '')],
    ['constraint', `${i.constraint ?? 'unknown'}${i.constraintRaw ? ` (${i.constraintRaw})` : ''}`],
  ];
  if (i.oomMemcg) kv.push(['oom memcg', i.oomMemcg]);
  if (i.taskMemcg) kv.push(['task memcg', i.taskMemcg]);
  // 'unit' is listed even for a pod's container: the scope the systemd driver gives it.
  if (i.workload) for (const f of workloadFacts(i.workload)) kv.push([f.label, f.value]);
  if (i.trigger)
    kv.push([
      'trigger',
      `${i.trigger.comm}${i.trigger.pid !== null ? ` (pid ${i.trigger.pid})` : ''} gfp_mask=${i.trigger.gfpMask}${i.trigger.gfpFlags ? `(${i.trigger.gfpFlags})` : ''} order=${i.trigger.order} oom_score_adj=${i.trigger.oomScoreAdj}`,
    ]);
  const v = i.victim;
  if (v) {
    kv.push([
      'victim',
      `${v.pid} ${v.comm} uid ${v.uid ?? '?'} oom_score_adj ${v.oomScoreAdj ?? '?'}${v.startTimeTicks != null ? ` start ${v.startTimeTicks}` : ''}`,
    ]);
    kv.push([
      'victim mem',
      `anon ${formatBytes(v.anonRssBytes)}, file ${formatBytes(v.fileRssBytes)}, shmem ${formatBytes(v.shmemRssBytes)}, total-vm ${formatBytes(v.totalVmBytes)}, page tables ${formatBytes(v.pageTablesBytes)}`,
    ]);
    if (v.selectedPid !== null && v.selectedPid !== v.pid)
      kv.push(['selected', `${v.selectedPid} (score ${v.selectedScore}); the victim is its child`]);
  }
  if (i.groupCgroup) {
    kv.push(['group', `memory.oom.group of ${i.groupCgroup}: ${i.killCount} processes killed`]);
    for (const g of i.groupVictims)
      kv.push(['  also killed', `${g.pid} ${g.comm} anon ${formatBytes(g.anonRssBytes)} oom_score_adj ${g.oomScoreAdj ?? '?'}`]);
  }
  for (const c of i.memcgCounters)
    kv.push([
      `${c.kind}`,
      `usage ${formatBytes(c.usageBytes)} limit ${c.limitBytes === null ? 'none' : formatBytes(c.limitBytes)} failcnt ${c.failcnt}`,
    ]);
  if (i.killer === 'kernel')
    kv.push([
      'reaped',
      i.reaper
        ? `yes${i.reaper.timeMs !== null ? ` at ${formatIso(i.reaper.timeMs)}` : ''}, left anon ${formatBytes(i.reaper.anonRssBytes)}`
        : 'no',
    ]);
  if (i.flags.length) kv.push(['notes', i.flags.join(', ')]);
  for (const p of i.vanished) kv.push(['vanished', `${p.pid} ${p.comm} rss ${formatBytes(p.rssBytes)} adj ${p.oomScoreAdj}`]);
  const width = Math.max(...kv.map(([k]) => k.length));
  const head = kv.map(([k, val]) => `${k.padEnd(width)}  ${sanitizeTerminal(val)}`).join('\n');
  const parts = [head, ...extra];
  if (tasks.length) {
    const top = [...tasks].sort((a, b) => (b.rssPages ?? 0) - (a.rssPages ?? 0)).slice(0, 20);
    parts.push(
      `kernel task table (${tasks.length} tasks, largest RSS first${tasks.length > top.length ? `, first ${top.length}` : ''}; pages):\n` +
        renderTable(top, [
          { header: 'PID', get: (t) => t.pid, align: 'right' },
          { header: 'UID', get: (t) => t.uid, align: 'right' },
          { header: 'RSS', get: (t) => t.rssPages, align: 'right' },
          { header: 'ANON', get: (t) => t.rssAnonPages, align: 'right' },
          { header: 'SWAPENTS', get: (t) => t.swapents, align: 'right' },
          { header: 'ADJ', get: (t) => t.oomScoreAdj, align: 'right' },
          { header: 'NAME', get: (t) => t.name, max: 24 },
        ]),
    );
  }
  return parts.join('\n\n');
}
