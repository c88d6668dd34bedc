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
import { maxRisk, ratePerSecondB, riseWithin, seriesOf } from '../history.js';
import type { CompiledRule, Observation } from '../types.js';
import { type KindContext, levelAbove, nameOf, permille, processLabels, processRef, processSubject } from './context.js';

type Of<K extends CompiledRule['kind']> = Extract<CompiledRule, { kind: K }>;

interface ProcessKind<R extends CompiledRule> {
  /** The measured value, or null when it cannot be measured yet (too little history). */
  measure(rule: R, p: ProcessSample, ctx: KindContext): number | null;
  raise(rule: R): number;
  clear(rule: R): number;
  describe(rule: R, p: ProcessSample, value: number, ctx: KindContext): { summary: string; details: Observation['details'] };
  /** Only these processes can newly raise (default: every process). */
  candidates?(rule: R, ctx: KindContext): Iterable<ProcessSample>;
  /** A cheap test that the value cannot reach `raise` (skips the exact measurement for most processes). */
  cannotRaise?(rule: R, p: ProcessSample, ctx: KindContext, raise: number): boolean;
}

const RANKING_SLACK = 5;

const riskIn = (rule: Of<'process-risk'>, p: ProcessSample, ctx: KindContext): number => {
  if (rule.domain === 'host') return p.risk;
  if (rule.domain === 'cgroup') return ctx.index.cgroupRiskByPid.get(p.pid) ?? 0;
  return maxRisk(p, ctx.index);
};

const processRisk: ProcessKind<Of<'process-risk'>> = {
  measure: riskIn,
  raise: (r) => r.above,
  clear: (r) => r.clearBelow ?? Math.max(0, r.above - 50),
  // Rankings are sorted by badness in bytes, highest first (sample/rank.ts), and risk is badness per mille
  // of the domain's total, so walking each ranking down to the threshold finds every process at the raise
  // level. The host ranking shows the kernel's oom_score-derived risk (1 ‰ resolution, read a moment
  // apart from the bytes), so the walk goes RANKING_SLACK ‰ further before it stops (5 ‰ of 16 GiB is 80 MiB).
  candidates: (r, ctx) => {
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
  describe: (r, p, v) => ({
    summary: `${nameOf(p)} risk ${permille(v)} ≥ ${permille(r.above)}${r.for ? ` for ${formatDurationMs(r.for)}` : ''}`,
    details: [
      { label: 'risk', value: permille(v) },
      { label: 'oom_score', value: String(p.oomScore) },
      { label: 'oom_score_adj', value: String(p.oomScoreAdj) },
      { label: 'RSS + swap', value: formatBytes(p.rssBytes + p.swapBytes) },
    ],
  }),
};

const riskRising: ProcessKind<Of<'risk-rising'>> = {
  measure: (r, p, ctx) => riseWithin(seriesOf(ctx.history, p), r.within, ctx.snapshot.takenAtMs),
  cannotRaise: (_r, p, ctx, raise) => {
    const s = seriesOf(ctx.history, p);
    return !s || s.a[s.a.length - 1] - s.minA < raise;
  },
  raise: (r) => r.increase,
  clear: (r) => r.clearIncrease ?? r.increase / 2,
  describe: (r, p, v, ctx) => ({
    summary: `${nameOf(p)} risk rose ${permille(v)} within ${formatDurationMs(r.within)} (now ${permille(maxRisk(p, ctx.index))})`,
    details: [
      { label: 'rise', value: permille(v) },
      { label: 'risk now', value: permille(maxRisk(p, ctx.index)) },
      { label: 'RSS + swap', value: formatBytes(p.rssBytes + p.swapBytes) },
    ],
  }),
};

const rssGrowth: ProcessKind<Of<'rss-growth'>> = {
  measure: (r, p, ctx) => {
    if (p.rssBytes + p.swapBytes < r.minRssBytes) return 0;
    // b is RSS + swap (history.ts); the rate over the whole window smooths out a single spike.
    return ratePerSecondB(seriesOf(ctx.history, p), r.over, ctx.snapshot.takenAtMs);
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

/** The domains in which this process is the kernel's next choice (first in the ranking). */
function domainsLedBy(p: ProcessSample, ctx: KindContext): { id: string; risk: number }[] {
  const out: { id: string; risk: number }[] = [];
  for (const d of ctx.snapshot.domains) {
    const top = d.ranking[0];
    if (top && top.pid === p.pid && top.startTimeTicks === p.startTimeTicks) out.push({ id: d.id, risk: top.risk });
  }
  return out;
}

const isProtectedBy = (r: Of<'protected-next-victim'>, p: ProcessSample, ctx: KindContext): boolean =>
  r.protectMatchers.some((m) => m(p)) || (r.fromPolicy && ctx.isProtected(p));

const protectedNextVictim: ProcessKind<Of<'protected-next-victim'>> = {
  // The value is the risk in the domain it leads; 0 when it leads none (or is not protected).
  measure: (r, p, ctx) => {
    if (!isProtectedBy(r, p, ctx)) return 0;
    let best = 0;
    for (const d of domainsLedBy(p, ctx)) best = Math.max(best, d.risk);
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
    const led = domainsLedBy(p, ctx).map((d) => (d.id === 'host' ? 'the host' : `cgroup ${d.id}`));
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
    const { summary, details } = kind.describe(rule, p, value, ctx);
    out.push({ subject, level, value, summary, details, labels: processLabels(p), process: processRef(p), cgroup: p.cgroup });
    seen.add(subject);
  };
  const candidates = kind.candidates ? kind.candidates(rule, ctx) : ctx.snapshot.processes;
  const cannotRaise = kind.cannotRaise;
  for (const p of candidates) {
    if (isExitedState(p.state)) continue;
    // The numbers first: the scope (regular expressions) is only tested for the few at the raise level.
    if (cannotRaise && cannotRaise(rule, p, ctx, raise)) continue;
    const v = kind.measure(rule, p, ctx);
    if (v === null || v < raise || (scope && !scope(p))) continue;
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
    emit(p, v ?? inst.value, v === null ? 'hold' : levelAbove(v, raise, clear), subject);
  }
  return out;
}
