/**
 * Per-process kinds: process-risk, risk-rising, rss-growth, protected-next-victim. A tick may carry
 * 8,000 processes and 20 rules, so each rule makes one tight pass over its candidates, builds strings
 * only for processes at the raise level, and looks at processes below it only when they already have
 * an instance.
 */
import { isExitedState } from '../../sample/dying.js';
import type { ProcessSample } from '../../sample/types.js';
import { formatBytes } from '../../util/format.js';
import { formatDurationMs } from '../../util/duration.js';
import { hostShare, maxRisk, ratePerSecondB, riseSince, riseWithin, seriesOf, usageShare } from '../history.js';
import type { CompiledRule, Observation } from '../types.js';
import { cgroupHeadroomBytes, type KindContext, levelAbove, nameOf, permille, processLabels, processRef, processSubject } from './context.js';
import { formatEta } from './time-to-oom.js';
import { firstAtOrAfter, fitLine, MIN_GROWTH_R2 } from '../trend.js';

type Of<K extends CompiledRule['kind']> = Extract<CompiledRule, { kind: K }>;

interface ProcessKind<R extends CompiledRule> {
  /** The measured value, or null when it cannot be measured yet (too little history). */
  measure(rule: R, p: ProcessSample, ctx: KindContext): number | null;
  raise(rule: R): number;
  clear(rule: R): number;
  describe(rule: R, p: ProcessSample, value: number, ctx: KindContext): { summary: string; details: Observation['details']; etaMs?: number };
  /** Only these processes can newly raise (default: every process). */
  candidates?(rule: R, ctx: KindContext): Iterable<ProcessSample>;
  /** A cheap test that the value cannot reach `raise` (skips the exact measurement for most processes). */
  cannotRaise?(rule: R, p: ProcessSample, ctx: KindContext, raise: number): boolean;
  /** For a value at the raise level: whether it can be trusted to raise (else a new alert does not start and a firing one holds). */
  trusted?(rule: R, p: ProcessSample, ctx: KindContext): boolean;
}

const RANKING_SLACK = 5;

const riskIn = (rule: Of<'process-risk'>, p: ProcessSample, ctx: KindContext): number => {
  if (rule.basis === 'usage') {
    if (rule.domain === 'host') return hostShare(p, ctx.index);
    if (rule.domain === 'cgroup') return ctx.index.cgroupShareByPid.get(p.pid)?.share ?? 0;
    return usageShare(p, ctx.index);
  }
  if (rule.domain === 'host') return p.risk;
  if (rule.domain === 'cgroup') return ctx.index.cgroupRiskByPid.get(p.pid) ?? 0;
  return maxRisk(p, ctx.index);
};

/** Where a process's own share is largest: its memory-limited cgroup or the host. */
function tightestDomain(p: ProcessSample, ctx: KindContext): { kind: 'host' } | { kind: 'cgroup'; path: string } {
  const c = ctx.index.cgroupShareByPid.get(p.pid);
  return c !== undefined && c.share > hostShare(p, ctx.index) ? { kind: 'cgroup', path: c.domain } : { kind: 'host' };
}

const domainText = (d: ReturnType<typeof tightestDomain>): string => (d.kind === 'host' ? 'the host' : `cgroup ${d.path}`);

const processRisk: ProcessKind<Of<'process-risk'>> = {
  measure: riskIn,
  raise: (r) => r.above,
  clear: (r) => r.clearBelow ?? Math.max(0, r.above - 50),
  // Rankings are sorted by badness in bytes, highest first (sample/rank.ts), and risk is badness per mille
  // of the domain's total, so walking each ranking down to the threshold finds every process at the raise
  // level. The host ranking shows the kernel's oom_score-derived risk (1 ‰ resolution, read a moment
  // apart from the bytes), so the walk goes RANKING_SLACK ‰ further before it stops (5 ‰ of 16 GiB is 80 MiB).
  candidates: (r, ctx) => {
    // Shares are not what the rankings are sorted by (adj moves a process up or down): look at every process.
    if (r.basis === 'usage') return ctx.snapshot.processes;
    const out = new Set<ProcessSample>();
    for (const d of ctx.snapshot.domains) {
      if ((r.domain === 'host' && d.kind !== 'host') || (r.domain === 'cgroup' && d.kind !== 'cgroup')) continue;
      for (const x of d.ranking) {
        if (x.risk < r.above - RANKING_SLACK) break;
        const p = ctx.index.byPid.get(x.pid);
        if (p && p.startTimeTicks === x.startTimeTicks) out.add(p);
      }
    }
    return out;
  },
  describe: (r, p, v, ctx) => ({
    summary:
      r.basis === 'usage'
        ? `${nameOf(p)} holds ${permille(v)} of ${r.domain === 'host' ? 'the host' : domainText(tightestDomain(p, ctx))}'s memory ≥ ${permille(r.above)}${r.for ? ` for ${formatDurationMs(r.for)}` : ''}`
        : `${nameOf(p)} risk ${permille(v)} ≥ ${permille(r.above)}${r.for ? ` for ${formatDurationMs(r.for)}` : ''}`,
    details: [
      { label: r.basis === 'usage' ? 'own share' : 'risk', value: permille(v) },
      { label: 'oom_score', value: String(p.oomScore) },
      { label: 'oom_score_adj', value: String(p.oomScoreAdj) },
      { label: 'RSS + swap', value: formatBytes(p.rssBytes + p.swapBytes) },
    ],
  }),
};

/**
 * When the process's tightest domain fills at the rate its share rose: the domain's headroom over the
 * growth in bytes per second. Undefined when it cannot be told.
 */
function etaOfRise(r: Of<'risk-rising'>, p: ProcessSample, ctx: KindContext): number | undefined {
  const rise = riseSince(seriesOf(ctx.history, p), r.within, ctx.snapshot.takenAtMs);
  if (!rise || rise.rise <= 0 || rise.overMs <= 0) return undefined;
  const d = tightestDomain(p, ctx);
  let totalBytes = ctx.index.hostTotalBytes;
  let headroomBytes = ctx.snapshot.memory.memAvailableBytes + ctx.snapshot.memory.swapFreeBytes;
  if (d.kind === 'cgroup') {
    const domain = ctx.snapshot.domains.find((x) => x.kind === 'cgroup' && x.id === d.path);
    const cg = ctx.snapshot.cgroups.find((c) => c.path === d.path);
    if (!domain || !cg) return undefined;
    totalBytes = domain.totalBytes;
    headroomBytes = cgroupHeadroomBytes(cg);
  }
  const bytesPerMs = (rise.rise * totalBytes) / 1000 / rise.overMs;
  return Math.max(0, headroomBytes) / bytesPerMs;
}

const riskRising: ProcessKind<Of<'risk-rising'>> = {
  // The series holds the process's own share, oom_score_adj left out: a browser moving a tab's renderer
  // from adj 300 to 1000 does not "rise".
  measure: (r, p, ctx) => riseWithin(seriesOf(ctx.history, p), r.within, ctx.snapshot.takenAtMs),
  cannotRaise: (_r, p, ctx, raise) => {
    const s = seriesOf(ctx.history, p);
    return !s || s.a[s.a.length - 1] - s.minA < raise;
  },
  raise: (r) => r.increase,
  clear: (r) => r.clearIncrease ?? r.increase / 2,
  describe: (r, p, v, ctx) => {
    const where = domainText(tightestDomain(p, ctx));
    const etaMs = etaOfRise(r, p, ctx);
    const details = [
      { label: 'rise', value: permille(v) },
      { label: 'share now', value: `${permille(usageShare(p, ctx.index))} of ${where}` },
      { label: 'RSS + swap', value: formatBytes(p.rssBytes + p.swapBytes) },
    ];
    if (etaMs !== undefined) details.push({ label: 'predicted', value: `${where} full in ${formatEta(etaMs)}` });
    return {
      summary: `${nameOf(p)} memory share rose ${permille(v)} within ${formatDurationMs(r.within)} (now ${permille(usageShare(p, ctx.index))} of ${where})${etaMs !== undefined ? `; ${where} full in ${formatEta(etaMs)} at this rate` : ''}`,
      details,
      ...(etaMs !== undefined ? { etaMs } : {}),
    };
  },
};

const rssGrowth: ProcessKind<Of<'rss-growth'>> = {
  measure: (r, p, ctx) => {
    if (p.rssBytes + p.swapBytes < r.minRssBytes) return 0;
    // b is RSS + swap (history.ts); the rate over the whole window smooths out a single spike.
    return ratePerSecondB(seriesOf(ctx.history, p), r.over, ctx.snapshot.takenAtMs);
  },
  // A leak is a line: RSS wobbling around a plateau (a 40 GiB database moving a few hundred MiB either
  // way) can show a fast rise between two points, but a line fitted through the window explains little of it.
  trusted: (r, p, ctx) => {
    const s = seriesOf(ctx.history, p);
    const fit = s ? fitLine(s, firstAtOrAfter(s, ctx.snapshot.takenAtMs - r.over), 'b') : null;
    return fit !== null && fit.slopePerSecond > 0 && fit.r2 >= MIN_GROWTH_R2;
  },
  raise: (r) => r.bytesPerSecond,
  clear: (r) => r.clearBytesPerSecond ?? r.bytesPerSecond / 2,
  // The rate needs at least half the window, so it is at most (newest - lowest) / (window / 2).
  cannotRaise: (r, p, ctx, raise) => {
    if (p.rssBytes + p.swapBytes < r.minRssBytes) return true;
    const s = seriesOf(ctx.history, p);
    return !s || ((s.b[s.b.length - 1] - s.minB) / (r.over / 2)) * 1000 < raise;
  },
  describe: (r, p, v) => ({
    summary: `${nameOf(p)} RSS growing ${formatBytes(v)}/s over ${formatDurationMs(r.over)} (now ${formatBytes(p.rssBytes + p.swapBytes)})`,
    details: [
      { label: 'growth', value: `${formatBytes(v)}/s` },
      { label: 'RSS', value: formatBytes(p.rssBytes) },
      { label: 'swap', value: formatBytes(p.swapBytes) },
    ],
  }),
};

const isProtectedBy = (r: Of<'protected-next-victim'>, p: ProcessSample, ctx: KindContext): boolean =>
  (r.negativeAdj && p.oomScoreAdj < 0) || r.protectMatchers.some((m) => m(p)) || (r.fromPolicy && ctx.isProtected(p));

/**
 * The domains in which this process is the kernel's next choice (first in the ranking) while an
 * unprotected process ranks below it: protection could have steered the kill elsewhere and did not. A
 * domain holding only protected processes (a container whose processes all inherit a negative adj) is
 * not this rule's business: its kill is cgroup-near-limit's and time-to-oom's.
 */
function domainsLedBy(r: Of<'protected-next-victim'>, p: ProcessSample, ctx: KindContext): { id: string; risk: number }[] {
  const out: { id: string; risk: number }[] = [];
  for (const d of ctx.snapshot.domains) {
    const top = d.ranking[0];
    if (!top || top.pid !== p.pid || top.startTimeTicks !== p.startTimeTicks) continue;
    const alternative = d.ranking.some((x, i) => {
      if (i === 0) return false;
      const q = ctx.index.byPid.get(x.pid);
      return q !== undefined && q.startTimeTicks === x.startTimeTicks && !isProtectedBy(r, q, ctx);
    });
    if (alternative) out.push({ id: d.id, risk: top.risk });
  }
  return out;
}

const protectedNextVictim: ProcessKind<Of<'protected-next-victim'>> = {
  // The value is the risk in the domain it leads; 0 when it leads none (or is not protected).
  measure: (r, p, ctx) => {
    if (!isProtectedBy(r, p, ctx)) return 0;
    let best = 0;
    for (const d of domainsLedBy(r, p, ctx)) best = Math.max(best, d.risk);
    return best;
  },
  raise: (r) => r.minRisk,
  clear: (r) => r.minRisk * 0.8,
  candidates: (_r, ctx) => {
    const tops: ProcessSample[] = [];
    for (const d of ctx.snapshot.domains) {
      const top = d.ranking[0];
      const p = top && ctx.index.byPid.get(top.pid);
      if (p && p.startTimeTicks === top.startTimeTicks) tops.push(p);
    }
    return tops;
  },
  describe: (r, p, v, ctx) => {
    const led = domainsLedBy(r, p, ctx).map((d) => (d.id === 'host' ? 'the host' : `cgroup ${d.id}`));
    return {
      summary: `protected ${nameOf(p)} is the next OOM victim in ${led.join(' and ') || 'its domain'} (risk ${permille(v)})`,
      details: [
        { label: 'domain', value: led.join(', ') },
        { label: 'risk', value: permille(v) },
        { label: 'oom_score_adj', value: String(p.oomScoreAdj) },
      ],
    };
  },
};

const KINDS: { [K in 'process-risk' | 'risk-rising' | 'rss-growth' | 'protected-next-victim']: ProcessKind<Of<K>> } = {
  'process-risk': processRisk,
  'risk-rising': riskRising,
  'rss-growth': rssGrowth,
  'protected-next-victim': protectedNextVictim,
};

export type ProcessRule = Of<keyof typeof KINDS>;
export const isProcessRule = (r: CompiledRule): r is ProcessRule => r.kind in KINDS;

/**
 * Observations for one process rule: every in-scope process at the raise level, and every process
 * that already has an instance (at whatever level). Processes that are gone produce nothing: the
 * lifecycle sees the instance without an observation and waits for kill evidence. So does a zombie
 * (state Z or X): it has exited, and its oom_score of 0 is no "risk −1000", nor a reason to clear.
 */
export function observeProcesses(rule: ProcessRule, ctx: KindContext): Observation[] {
  const kind = KINDS[rule.kind] as ProcessKind<ProcessRule>;
  const raise = kind.raise(rule);
  const clear = kind.clear(rule);
  const scope = rule.scopeMatcher;
  const bootId = ctx.snapshot.bootId;
  const out: Observation[] = [];
  const seen = new Set<string>();
  const emit = (p: ProcessSample, value: number, level: Observation['level'], subject: string) => {
    const { summary, details, etaMs } = kind.describe(rule, p, value, ctx);
    out.push({ subject, level, value, summary, details, labels: processLabels(p), process: processRef(p), cgroup: p.cgroup, ...(etaMs !== undefined ? { etaMs } : {}) });
    seen.add(subject);
  };
  const candidates = kind.candidates ? kind.candidates(rule, ctx) : ctx.snapshot.processes;
  const cannotRaise = kind.cannotRaise;
  for (const p of candidates) {
    if (isExitedState(p.state)) continue;
    // The numbers first: the scope (regular expressions) is only tested for the few at the raise level.
    if (cannotRaise && cannotRaise(rule, p, ctx, raise)) continue;
    const v = kind.measure(rule, p, ctx);
    if (v === null || v < raise || (scope && !scope(p)) || (kind.trusted && !kind.trusted(rule, p, ctx))) continue;
    emit(p, v, 'raise', processSubject(bootId, p));
  }
  for (const [subject, inst] of ctx.existing) {
    if (seen.has(subject) || !inst.alert.process) continue;
    const ref = inst.alert.process;
    const p = ctx.index.byPid.get(ref.pid);
    if (!p || p.startTimeTicks !== ref.startTimeTicks || subject !== processSubject(bootId, p) || isExitedState(p.state)) continue; // gone or exited
    if (scope && !scope(p)) {
      emit(p, inst.value, 'clear', subject);
      continue;
    }
    const v = kind.measure(rule, p, ctx);
    let level = v === null ? 'hold' : levelAbove(v, raise, clear);
    if (level === 'raise' && kind.trusted && !kind.trusted(rule, p, ctx)) level = 'hold';
    emit(p, v ?? inst.value, level, subject);
  }
  return out;
}
