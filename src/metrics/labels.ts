/**
 * Pure helpers that keep label values bounded and safe (no I/O, no prom-client).
 * Prometheus stores every distinct label set as its own series, so a label fed from an unbounded
 * source (pid, cmdline, a free-form string) grows the server's memory without limit. Labels here come
 * only from bounded sets: a 15-character comm, a capped unit or cgroup name, and fixed vocabularies for
 * constraints and severities. Positions (rank) are values, never labels: a label whose value changes
 * starts a new series each time.
 * https://prometheus.io/docs/practices/naming/#labels
 */
import type { HostSnapshot, ProcessSample, RankedProcess } from '../model/snapshot.js';
import { sanitizeTerminal } from '../util/escape.js';

/** The kernel's TASK_COMM_LEN is 16 bytes including the NUL, so a real comm is at most 15 characters. */
export const COMM_LABEL_MAX = 15;
/** systemd unit names may reach 256 characters; container scopes are ~80. Longer names are cut. */
export const UNIT_LABEL_MAX = 80;
export const CGROUP_LABEL_MAX = 120;

/**
 * Makes untrusted text (process names, unit and cgroup names) a safe label value: one line, no
 * control or bidi characters, at most `max` code points. prom-client escapes `\`, `"` and newlines
 * in the exposition format itself; this removes what would still mislead a reader of a dashboard.
 * @example sanitizeLabelValue('evil\u202eexe\nx', 15) // 'evil�exe�x'
 */
export function sanitizeLabelValue(text: string, max: number): string {
  const clean = sanitizeTerminal(text);
  const points = Array.from(clean);
  return points.length <= max ? clean : `${points.slice(0, Math.max(0, max - 1)).join('')}…`;
}

// The store's vocabulary (migrations/0002_incidents.sql constraint_kind), plus the kernel's spellings.
const CONSTRAINTS: Record<string, string> = {
  global: 'global',
  none: 'global',
  memcg: 'memcg',
  cpuset: 'cpuset',
  mempolicy: 'mempolicy',
  memory_policy: 'mempolicy',
};

/**
 * Maps a constraint (`constraint=CONSTRAINT_MEMCG` as printed, or the store's `memcg`) to a fixed
 * vocabulary: global | memcg | cpuset | mempolicy | unknown. See DESIGN.md "The kernel's OOM report"
 * (5.0–5.2 print CONSTRAINT_NONE for memcg kills; the kernel module classifies those before they get here).
 */
export function normalizeConstraint(constraint: string): string {
  const c = constraint
    .trim()
    .toLowerCase()
    .replace(/^constraint_/, '');
  return CONSTRAINTS[c] ?? 'unknown';
}

const WORKLOAD_KINDS = new Set(['k8s-pod', 'docker', 'podman', 'systemd-unit', 'user-session', 'slice', 'other']);

/** A workload kind (model/workload.ts) as a label: the fixed vocabulary, `none` without a cgroup. */
export function normalizeWorkloadKind(kind: string | null | undefined): string {
  if (!kind) return 'none';
  return WORKLOAD_KINDS.has(kind) ? kind : 'other';
}

/** Code- or config-chosen names (sources, severities, channel and rule ids): `[A-Za-z0-9_:.-]`, at most 64 characters. */
export function normalizeToken(text: string): string {
  const t = text.replace(/[^A-Za-z0-9_:.-]+/g, '_').slice(0, 64);
  return t || 'unknown';
}

export interface TopProcessRow {
  /** The process's position in its domain's ranking: 1 = the process the kernel would choose first. A value, not a label. */
  rank: number;
  comm: string;
  unit: string;
  risk: number;
  badnessBytes: number;
  rssBytes: number;
  oomScoreAdj: number;
}

type Candidate = Pick<RankedProcess, 'comm' | 'risk' | 'badnessBytes' | 'oomScoreAdj'> & {
  rank: number;
  sample: ProcessSample | undefined;
};

/**
 * The riskiest processes of the host domain (the kernel's order of choice), one row per distinct
 * (comm, unit) label pair, at most `topN` rows, with their labels already sanitised.
 * A series is named by what the process is (comm, unit), never by its position: a rank label would change
 * whenever two processes swap places, start a new series and reset every `for:` of a Prometheus alert
 * on it. Rank is exported as a value instead. When several processes share comm and unit (a pool of
 * workers), the highest-ranked one stands for them, so no two rows have the same labels.
 * The domain ranking comes from the sampler; when a snapshot has no host domain (older sampler,
 * fixture), processes are ranked by `risk` here.
 */
export function selectTopProcesses(snapshot: HostSnapshot, topN: number): TopProcessRow[] {
  if (topN <= 0) return [];
  const host = snapshot.domains.find((d) => d.kind === 'host');
  const rows: TopProcessRow[] = [];
  const seen = new Set<string>();
  const take = (c: Candidate): void => {
    const comm = sanitizeLabelValue(c.comm, COMM_LABEL_MAX);
    const unit = sanitizeLabelValue(c.sample?.unit ?? '', UNIT_LABEL_MAX);
    const key = `${comm}\u0000${unit}`;
    if (seen.has(key)) return;
    seen.add(key);
    rows.push({
      rank: c.rank,
      comm,
      unit,
      risk: c.risk,
      badnessBytes: c.badnessBytes,
      rssBytes: c.sample?.rssBytes ?? 0,
      oomScoreAdj: c.oomScoreAdj,
    });
  };
  if (host) {
    // Look at a window of the ranking, widened only while worker pools fill it with repeated labels. One pass over
    // the processes per window, keyed by pid (then checked by start time): no per-process allocation at 8,000 processes.
    let from = 0;
    for (let size = topN * 4; from < host.ranking.length && rows.length < topN; size *= 4) {
      const window = host.ranking.slice(from, from + size);
      const byPid = new Map(window.map((r) => [r.pid, r]));
      const samples = new Map<RankedProcess, ProcessSample>();
      for (const p of snapshot.processes) {
        const r = byPid.get(p.pid);
        if (r && r.startTimeTicks === p.startTimeTicks) samples.set(r, p);
      }
      for (let i = 0; i < window.length && rows.length < topN; i++)
        take({ ...window[i], rank: from + i + 1, sample: samples.get(window[i]) });
      from += window.length;
    }
  } else {
    const ranked = snapshot.processes.filter((q) => !q.immune).sort((a, b) => b.risk - a.risk);
    for (let i = 0; i < ranked.length && rows.length < topN; i++) {
      const p = ranked[i];
      take({
        comm: p.comm,
        risk: p.risk,
        badnessBytes: p.rssBytes + p.swapBytes + p.pageTablesBytes,
        oomScoreAdj: p.oomScoreAdj,
        rank: i + 1,
        sample: p,
      });
    }
  }
  return rows;
}

export interface TopCgroupRow {
  /** 1 = the cgroup closest to its limit. A value, not a label (see selectTopProcesses). */
  rank: number;
  cgroup: string;
  usageBytes: number;
  limitBytes: number;
  /** usage / limit, 0..1 (can pass 1 briefly while the kernel reclaims). */
  usageRatio: number;
  /** Who the kernel would kill first when this cgroup reaches its limit (its OOM domain's rank 1), or null when it holds no killable process. */
  nextVictim: { comm: string; riskPermille: number } | null;
}

/**
 * The `topN` memory-limited cgroups closest to their limit. Unlimited cgroups have no ratio and are left out.
 * Two paths that are the same once cut to CGROUP_LABEL_MAX keep only the fuller one, so labels stay unique.
 */
export function selectTopCgroups(snapshot: HostSnapshot, topN: number): TopCgroupRow[] {
  if (topN <= 0) return [];
  const ranked = snapshot.cgroups
    .filter((c) => c.limitBytes > 0 && c.limitBytes < snapshot.memory.memTotalBytes)
    .map((c) => ({ c, ratio: c.usageBytes / c.limitBytes }))
    .sort((a, b) => b.ratio - a.ratio);
  const rows: TopCgroupRow[] = [];
  const seen = new Set<string>();
  const domains = new Map(snapshot.domains.filter((d) => d.kind === 'cgroup').map((d) => [d.id, d]));
  for (let i = 0; i < ranked.length && rows.length < topN; i++) {
    const { c, ratio } = ranked[i];
    const cgroup = sanitizeLabelValue(c.path, CGROUP_LABEL_MAX);
    if (seen.has(cgroup)) continue;
    seen.add(cgroup);
    const first = domains.get(c.path)?.ranking[0];
    const nextVictim = first ? { comm: sanitizeLabelValue(first.comm, COMM_LABEL_MAX), riskPermille: first.risk } : null;
    rows.push({ rank: i + 1, cgroup, usageBytes: c.usageBytes, limitBytes: c.limitBytes, usageRatio: ratio, nextVictim });
  }
  return rows;
}
