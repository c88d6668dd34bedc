/**
 * The reasoning parts of the incident report: why the kernel's victim differs from oomwatch's first
 * ranked process, and what to change. Pure. Names in the sentences are untrusted: renderers escape them.
 */
import { formatDurationMs } from '../util/duration.js';
import { formatBytes } from '../util/format.js';
import type { IncidentInput } from '../store/report-queries.js';
import type { GrowthRow, IncidentReport, RankingAt } from './types.js';

export function explainDifference(input: IncidentInput, last: RankingAt | null): IncidentReport['verdict'] {
  const v = input.incident?.victim ?? null;
  const kernelVictim = v ? { pid: v.pid, comm: v.comm } : null;
  const top = last?.rows[0] ?? null;
  const firstRanked = top ? { pid: top.pid, comm: top.comm, risk: top.risk } : null;
  const reasons: string[] = [];
  if (!input.incident) return { kernelVictim, firstRanked, agree: null, reasons };
  if (!v) {
    reasons.push('the kernel report names no victim (lost or rate-limited log lines)');
    return { kernelVictim, firstRanked, agree: null, reasons };
  }
  if (!last || !top) {
    reasons.push('no sampled ranking before the kill to compare with');
    return { kernelVictim, firstRanked, agree: null, reasons };
  }
  const domainName = last.domain === 'cgroup' ? `cgroup ${last.cgroup}` : 'the host';
  const incMs = input.incident.timeMs ?? last.atMs;
  const lagS = Math.max(0, Math.round((incMs - last.atMs) / 1000));
  if (top.isVictim) {
    reasons.push(`oomwatch ranked ${top.comm} (pid ${top.pid}) first in ${domainName} ${lagS} s before the kill, and the kernel chose it`);
    return { kernelVictim, firstRanked, agree: true, reasons };
  }
  const idx = last.rows.findIndex((r) => r.isVictim);
  const constraint = input.incident.constraint;
  if (constraint === 'memcg' && last.domain === 'host') {
    reasons.push("domain: the kill was inside a memory cgroup, where the kernel ranks only that cgroup's processes against its limit");
  }
  if (idx < 0) {
    reasons.push(
      `domain/timing: ${v.comm} (pid ${v.pid}) was not among the ranked processes of ${domainName} at the last sample (${lagS} s before the kill): it started, moved or grew after it`,
    );
  } else {
    const vr = last.rows[idx];
    reasons.push(
      `timing: at the last sample (${lagS} s before the kill) ${v.comm} was ranked ${idx + 1}, behind ${top.comm}; memory moved after the sample`,
    );
    if (v.oomScoreAdj !== null && v.oomScoreAdj !== vr.oomScoreAdj) {
      reasons.push(`adj: ${v.comm}'s oom_score_adj was ${vr.oomScoreAdj} when sampled and ${v.oomScoreAdj} at the kill`);
    } else if (vr.oomScoreAdj > top.oomScoreAdj) {
      reasons.push(
        `adj: ${v.comm} has oom_score_adj ${vr.oomScoreAdj} against ${top.comm}'s ${top.oomScoreAdj}, which counts ${Math.round((vr.oomScoreAdj - top.oomScoreAdj) / 10)} % of the domain against it`,
      );
    }
    const killedRss = (v.anonRssBytes ?? 0) + (v.fileRssBytes ?? 0) + (v.shmemRssBytes ?? 0);
    if (killedRss > vr.rssBytes * 1.1)
      reasons.push(`growth: ${v.comm} held ${formatBytes(killedRss)} at the kill against ${formatBytes(vr.rssBytes)} when last sampled`);
  }
  return { kernelVictim, firstRanked, agree: false, reasons };
}

/**
 * A growth told with its span and rate: "+405 MiB in 49s, 8.3 MiB/s". A single sample has no span.
 * @example growthText({ growthBytes: 405 * 2 ** 20, spanMs: 49_000, growthBytesPerS: 8.3 * 2 ** 20 }) // '+405 MiB in 49s, 8.3 MiB/s'
 */
export function growthText(g: Pick<GrowthRow, 'growthBytes' | 'spanMs' | 'growthBytesPerS'>): string {
  const amount = `${g.growthBytes >= 0 ? '+' : ''}${formatBytes(g.growthBytes)}`;
  return g.spanMs > 0 ? `${amount} in ${formatDurationMs(g.spanMs)}, ${formatBytes(g.growthBytesPerS)}/s` : amount;
}

/**
 * The memory limit knobs of a cgroup version: systemd's MemoryMax= and the memory.max file on v2 (with
 * MemoryHigh= to throttle before the kill); MemoryLimit= and memory.limit_in_bytes on v1, where
 * MemoryMax= does nothing. Unknown (an older database): both, so the reader picks.
 */
export function limitKnobs(version: 1 | 2 | null): { unit: string; file: string; soft: string | null } {
  if (version === 2) return { unit: 'MemoryMax=', file: 'memory.max', soft: 'MemoryHigh=' };
  if (version === 1) return { unit: 'MemoryLimit=', file: 'memory.limit_in_bytes', soft: null };
  return { unit: 'MemoryMax= (MemoryLimit= on cgroup v1)', file: 'memory.max (memory.limit_in_bytes on cgroup v1)', soft: null };
}

/** The systemd unit a cgroup path is (…/app.service → app.service), or null for other cgroups (pods, containers). */
const unitOfPath = (path: string): string | null => {
  const last = path.split('/').filter(Boolean).at(-1) ?? '';
  return /\.(service|scope|slice)$/.test(last) ? last : null;
};

export function recommendIncident(r: IncidentReport, input: IncidentInput): string[] {
  const out: string[] = [];
  const v = r.incident?.victim ?? null;
  const knobs = limitKnobs(r.cgroupVersion);
  const unitOf = (pid: number) => input.processes.find((p) => p.pid === pid)?.unit ?? null;
  // A limit bounds memory; oom_score_adj (OOMScoreAdjust=, or an oomwatch protection rule) only changes who dies.
  const limitIn = (pid: number) => {
    const unit = unitOf(pid);
    return unit
      ? `${knobs.unit} in ${unit} (systemctl edit ${unit})`
      : `a limit on its cgroup (${knobs.file}), or by running it in a systemd unit with ${knobs.unit}`;
  };
  const adjIn = (pid: number, adj: number) => {
    const unit = unitOf(pid);
    return unit
      ? `OOMScoreAdjust=${adj} in ${unit} (systemctl edit ${unit})`
      : `oom_score_adj ${adj} with an oomwatch protection rule (docs/protection.md)`;
  };
  if (r.culprit && v && !r.culprit.isVictim && r.culprit.growthBytes > 0) {
    // Unit settings (MemoryMax=, OOMScoreAdjust=) apply to every process of the unit: when both are in one,
    // they cannot set one apart from the other.
    const shared = unitOf(r.culprit.pid);
    const sameUnit = shared !== null && shared === unitOf(v.pid);
    out.push(
      `${r.culprit.comm} (pid ${r.culprit.pid}) grew ${growthText(r.culprit)}, but ${v.comm} (pid ${v.pid}) was killed: ` +
        (sameUnit
          ? `both run in ${shared}, so its ${knobs.unit} and OOMScoreAdjust= bind them alike; give ${r.culprit.comm} a positive oom_score_adj with an oomwatch protection rule (docs/protection.md) so it goes first, or run it in a unit of its own with its own ${knobs.unit}`
          : `bound ${r.culprit.comm} with ${limitIn(r.culprit.pid)}, or set ${adjIn(r.culprit.pid, 500)} so it goes first`),
    );
    const last = r.rankings.at(-1)?.rows ?? [];
    const vRow = last.find((x) => x.isVictim);
    const cRow = last.find((x) => x.pid === r.culprit!.pid);
    if (vRow && cRow && vRow.oomScoreAdj > cRow.oomScoreAdj) {
      const how = sameUnit ? 'with an oomwatch protection rule; a unit setting would move both' : adjIn(v.pid, cRow.oomScoreAdj);
      out.push(
        `${v.comm} has oom_score_adj ${vRow.oomScoreAdj} against ${cRow.comm}'s ${cRow.oomScoreAdj}, which put it first: lower it (${how}) unless it really is the expendable one`,
      );
    }
  } else if (r.culprit && r.culprit.isVictim) {
    const soft = knobs.soft ? ` (${knobs.soft} a little below it throttles the process before the kernel kills it)` : '';
    out.push(
      `${r.culprit.comm} (pid ${r.culprit.pid}) grew ${growthText(r.culprit)} and was killed: look for a leak or an unbounded cache, and bound it with ${limitIn(r.culprit.pid)}${soft}`,
    );
  }
  if (v) {
    const kills = input.killsThisWeek.find((k) => k.comm === v.comm)?.count ?? 0;
    // A positive adj was set on purpose ("kill this first"): only suggest protection for unprotected defaults.
    if (kills >= 2 && (v.oomScoreAdj ?? 0) <= 0 && (v.oomScoreAdj ?? 0) > -500)
      out.push(`${v.comm} was killed ${kills} times this week: if it must survive, set ${adjIn(v.pid, -500)}`);
  }
  const top = r.rankings.at(-1)?.rows[0];
  const nextCount = top ? (input.nextVictimThisWeek.find((n) => n.comm === top.comm)?.count ?? 0) : 0;
  if (top && nextCount >= 2 && top.oomScoreAdj <= 0 && top.oomScoreAdj > -500) {
    out.push(
      `${top.comm} was the next victim ${nextCount} times this week: if it must survive, set ${adjIn(top.pid, -500)}; if it is the one that grows, bound it with ${limitIn(top.pid)}`,
    );
  }
  if (top && !top.isVictim && top.oomScoreAdj < 0)
    out.push(
      `${top.comm} is protected (oom_score_adj ${top.oomScoreAdj}) yet was the next victim: give it more memory or protect it further`,
    );
  for (const e of r.protection.exposed) {
    if (e.killed)
      out.push(`${e.comm} was killed despite oom_score_adj ${e.oomScoreAdj}: only -1000 makes a process immune; give it headroom instead`);
  }
  const raiseLimit = (path: string) => {
    const unit = unitOfPath(path);
    return unit
      ? `raise ${knobs.unit} of ${unit} (systemctl edit ${unit}) or find what grows`
      : `raise its ${knobs.file} (or the limit of whatever created it, e.g. the pod's memory limit) or find what grows`;
  };
  if (r.cgroup && r.cgroup.limitBytes > 0 && r.cgroup.peakUsageBytes >= r.cgroup.limitBytes * 0.9) {
    out.push(
      `cgroup ${r.cgroup.path} peaked at ${formatBytes(r.cgroup.peakUsageBytes)} of its ${formatBytes(r.cgroup.limitBytes)} limit: ${raiseLimit(r.cgroup.path)}`,
    );
  } else if (!r.cgroup && r.incident?.constraint === 'memcg' && r.incident.oomMemcg) {
    const counter = input.incident?.memcgCounters.find((c) => c.kind === 'memory');
    if (counter?.limitBytes)
      out.push(
        `cgroup ${r.incident.oomMemcg} reached ${formatBytes(counter.usageBytes)} of its ${formatBytes(counter.limitBytes)} limit (from the kernel report): ${raiseLimit(r.incident.oomMemcg)}`,
      );
  }
  if (r.memory && r.memory.swapTotalBytes === 0 && r.incident?.constraint === 'global') {
    out.push(
      `the host has no swap and MemAvailable fell to ${formatBytes(r.memory.lowestAvailableBytes)}: add memory, or a little swap to absorb short peaks`,
    );
  }
  if (!r.memory && r.incident) out.push(`run the oomwatch agent on ${r.host} so the next report shows what led up to the kill`);
  return out;
}
