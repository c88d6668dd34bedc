/**
 * Pure helpers that keep label values bounded and safe (no I/O, no prom-client).
 * Prometheus stores every distinct label set as its own series, so a label fed from an unbounded
 * source (pid, cmdline, a free-form string) grows the server's memory without limit. Labels here come
 * only from bounded sets: rank 1..topN, a 15-character comm, a capped unit or cgroup name, and
 * fixed vocabularies for constraints and severities.
 * https://prometheus.io/docs/practices/naming/#labels
 */
import type { HostSnapshot, ProcessSample, RankedProcess } from '../sample/types.js';
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
  const c = constraint.trim().toLowerCase().replace(/^constraint_/, '');
  return CONSTRAINTS[c] ?? 'unknown';
}

const WORKLOAD_KINDS = new Set(['k8s-pod', 'docker', 'podman', 'systemd-unit', 'user-session', 'slice', 'other']);

/** A workload kind (src/workload/types.ts) as a label: the fixed vocabulary, `none` without a cgroup. */
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
  /** 1 = the process the kernel would choose first. */
  rank: number;
  comm: string;
  unit: string;
  risk: number;
  badnessBytes: number;
  rssBytes: number;
  oomScoreAdj: number;
}

/**
 * The `topN` riskiest processes of the host domain (the kernel's order of choice), with their
 * labels already sanitised. The domain ranking comes from the sampler; when a snapshot has no host
 * domain (older sampler, fixture), processes are ranked by `risk` here.
 */
export function selectTopProcesses(snapshot: HostSnapshot, topN: number): TopProcessRow[] {
  if (topN <= 0) return [];
  const host = snapshot.domains.find((d) => d.kind === 'host');
  const ranked: { r: Pick<RankedProcess, 'comm' | 'risk' | 'badnessBytes' | 'oomScoreAdj'>; p: ProcessSample | undefined }[] = [];
  if (host) {
    // One pass over the processes, keyed by pid (then checked by start time): no per-process allocation at 8,000 processes.
    const top = host.ranking.slice(0, topN);
    const byPid = new Map(top.map((r) => [r.pid, r]));
    const samples = new Map<RankedProcess, ProcessSample>();
    for (const p of snapshot.processes) {
      const r = byPid.get(p.pid);
      if (r && r.startTimeTicks === p.startTimeTicks) samples.set(r, p);
    }
    for (const r of top) ranked.push({ r, p: samples.get(r) });
  } else {
    for (const p of [...snapshot.processes].filter((q) => !q.immune).sort((a, b) => b.risk - a.risk).slice(0, topN)) {
      ranked.push({ r: { comm: p.comm, risk: p.risk, badnessBytes: p.rssBytes + p.swapBytes + p.pageTablesBytes, oomScoreAdj: p.oomScoreAdj }, p });
    }
  }
  return ranked.map(({ r, p }, i) => ({
    rank: i + 1,
    comm: sanitizeLabelValue(r.comm, COMM_LABEL_MAX),
    unit: sanitizeLabelValue(p?.unit ?? '', UNIT_LABEL_MAX),
    risk: r.risk,
    badnessBytes: r.badnessBytes,
    rssBytes: p?.rssBytes ?? 0,
    oomScoreAdj: r.oomScoreAdj,
  }));
}

export interface TopCgroupRow {
  rank: number;
  cgroup: string;
  usageBytes: number;
  limitBytes: number;
  /** usage / limit, 0..1 (can pass 1 briefly while the kernel reclaims). */
  usageRatio: number;
}

/** The `topN` memory-limited cgroups closest to their limit. Unlimited cgroups have no ratio and are left out. */
export function selectTopCgroups(snapshot: HostSnapshot, topN: number): TopCgroupRow[] {
  if (topN <= 0) return [];
  return snapshot.cgroups
    .filter((c) => c.limitBytes > 0 && c.limitBytes < snapshot.memory.memTotalBytes)
    .map((c) => ({ c, ratio: c.usageBytes / c.limitBytes }))
    .sort((a, b) => b.ratio - a.ratio)
    .slice(0, topN)
    .map(({ c, ratio }, i) => ({
      rank: i + 1,
      cgroup: sanitizeLabelValue(c.path, CGROUP_LABEL_MAX),
      usageBytes: c.usageBytes,
      limitBytes: c.limitBytes,
      usageRatio: ratio,
    }));
}
