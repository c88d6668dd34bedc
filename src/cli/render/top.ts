import type { HostSnapshot, OomDomain, ProcessSample } from '../../model/snapshot.js';
import { formatBytes, formatPercent } from '../../util/format.js';
import { renderTable } from '../../util/table.js';
import { compactWorkload } from '../../workload/describe.js';
import { workloadFromPath } from '../../workload/parse-cgroup-path.js';
import type { WorkloadLookup } from '../../workload/lookup.js';
import type { TopRowJson } from '../json/top.js';

/** One row of `oomwatch top`: the JSON row (../json/top.ts) is the same object. */
export interface TopRow extends TopRowJson {
  rank: number;
  pid: number;
  comm: string;
  uid: number | null;
  /** Deprecated duplicate of `uid` (oomwatch.top/v1 named it so); removed in v2. */
  user: number | null;
  oomScore: number;
  risk: number;
  domainRisk: number;
  oomScoreAdj: number;
  rssBytes: number;
  swapBytes: number;
  /** RSS change since the comparison point (bytes); null when unknown. */
  rssTrendBytes: number | null;
  /** Mark for the live view: '+' new, '^' rose, 'v' fell, '' unchanged. */
  mark: '' | '+' | '^' | 'v';
  unit: string | null;
}

/** Without a store or the node's files: what the cgroup path says. */
const pathOnly: WorkloadLookup = workloadFromPath;

const key = (p: { pid: number; startTimeTicks: number }) => `${p.pid}:${p.startTimeTicks}`;

/** Pure: who the kernel would kill next in a domain, with the trend against an earlier snapshot. */
export function topRows(
  snap: HostSnapshot,
  domain: OomDomain,
  earlier: HostSnapshot | null,
  limit: number,
  workloadOf: WorkloadLookup = pathOnly,
): TopRow[] {
  const byKey = new Map<string, ProcessSample>(snap.processes.map((p) => [key(p), p]));
  const before = new Map<string, ProcessSample>((earlier?.processes ?? []).map((p) => [key(p), p]));
  const beforeRank = new Map<string, number>();
  const earlierDomain = earlier?.domains.find((d) => d.id === domain.id);
  earlierDomain?.ranking.forEach((r, i) => beforeRank.set(key(r), i));
  return domain.ranking.slice(0, limit).map((r, i) => {
    const p = byKey.get(key(r))!;
    const b = before.get(key(r));
    const prevRank = beforeRank.get(key(r));
    const mark = !earlier
      ? ''
      : !b
        ? '+'
        : prevRank !== undefined && prevRank > i
          ? '^'
          : prevRank !== undefined && prevRank < i
            ? 'v'
            : '';
    return {
      rank: i + 1,
      pid: r.pid,
      comm: r.comm,
      uid: p.uid,
      user: p.uid,
      oomScore: p.oomScore,
      risk: p.risk,
      domainRisk: r.risk,
      oomScoreAdj: r.oomScoreAdj,
      rssBytes: p.rssBytes,
      swapBytes: p.swapBytes,
      rssTrendBytes: b ? p.rssBytes - b.rssBytes : null,
      mark,
      unit: p.unit,
      cgroup: p.cgroup,
      workload: workloadOf(p.cgroup),
    };
  });
}

/** "data from 12:00:03, 4 min before the asked instant": `top --at` past the last sample. */
export function renderStaleNote(takenAtMs: number, ageMs: number, timeZone: string): string {
  const when = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(
    new Date(takenAtMs),
  );
  return `data from ${when}, ${formatAge(ageMs)} before the asked instant (no later sample is stored: the agent was not running, or not yet); run oomwatch top without --at for the present`;
}

const formatAge = (ms: number): string =>
  ms < 120_000
    ? `${Math.round(ms / 1000)} s`
    : ms < 2 * 3_600_000
      ? `${Math.round(ms / 60_000)} min`
      : ms < 2 * 86_400_000
        ? `${Math.round(ms / 3_600_000)} h`
        : `${Math.round(ms / 86_400_000)} days`;

export function renderHostLine(s: HostSnapshot): string {
  const m = s.memory;
  const psi = s.psi
    ? `  PSI some ${s.psi.some.avg10.toFixed(2)}/${s.psi.some.avg60.toFixed(2)} full ${s.psi.full?.avg10.toFixed(2) ?? '-'}`
    : '';
  const swap = m.swapTotalBytes
    ? `  swap used ${formatBytes(m.swapTotalBytes - m.swapFreeBytes)} of ${formatBytes(m.swapTotalBytes)}`
    : '  no swap';
  return `${s.hostname}  ${new Date(s.takenAtMs).toISOString()}  available ${formatBytes(m.memAvailableBytes)} of ${formatBytes(m.memTotalBytes)} (${formatPercent(m.memAvailableBytes / m.memTotalBytes)})${swap}${psi}  oom_kill ${s.vmstatOomKill ?? '-'}`;
}

export function renderDomainTable(snap: HostSnapshot, domain: OomDomain, rows: TopRow[]): string {
  const title =
    domain.kind === 'host'
      ? `Host domain (RAM+swap ${formatBytes(domain.totalBytes)}): next victims`
      : `cgroup ${domain.id} (limit+swap ${formatBytes(domain.totalBytes)}, usage ${formatBytes(snap.cgroups.find((c) => c.path === domain.id)?.usageBytes)}): next victims`;
  const table = renderTable(rows, [
    { header: '', get: (r) => r.mark },
    { header: '#', get: (r) => r.rank, align: 'right' },
    { header: 'PID', get: (r) => r.pid, align: 'right' },
    { header: 'COMM', get: (r) => r.comm, max: 16 },
    { header: 'UID', get: (r) => r.uid, align: 'right' },
    { header: 'SCORE', get: (r) => r.oomScore, align: 'right' },
    { header: domain.kind === 'host' ? 'RISK‰' : 'RISK‰(cg)', get: (r) => r.domainRisk, align: 'right' },
    { header: 'ADJ', get: (r) => r.oomScoreAdj, align: 'right' },
    { header: 'RSS', get: (r) => formatBytes(r.rssBytes), align: 'right' },
    { header: 'SWAP', get: (r) => formatBytes(r.swapBytes), align: 'right' },
    {
      header: 'TREND',
      get: (r) => (r.rssTrendBytes === null ? '' : `${r.rssTrendBytes >= 0 ? '+' : ''}${formatBytes(r.rssTrendBytes)}`),
      align: 'right',
    },
    // The pod/container or container name when the cgroup is one, else the unit (the cgroup when it has none).
    { header: 'WORKLOAD', get: (r) => compactWorkload(r.workload) ?? r.unit ?? r.cgroup, max: 40 },
  ]);
  return `${title}\n${table}`;
}
