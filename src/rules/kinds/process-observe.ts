/**
 * The pass every per-process kind shares (process-risk, risk-rising, rss-growth, protected-next-victim).
 * A tick may carry 8,000 processes and 20 rules, so each rule makes one tight pass over its candidates,
 * builds strings only for processes at the raise level, and looks at processes below it only when they
 * already have an instance. A kind supplies a ProcessKind (what to measure, its thresholds, its text).
 */
import { isExitedState } from '../../sample/dying.js';
import type { ProcessSample } from '../../model/snapshot.js';
import type { Observation } from '../../model/rule-state.js';
import { type KindContext, levelAbove, processLabels, processRef, processSubject } from './context.js';
import type { CompiledParts, KindEvaluator } from './spec.js';

export interface ProcessKind<R extends CompiledParts> {
  /** The measured value, or null when it cannot be measured yet (too little history). */
  measure(rule: R, p: ProcessSample, ctx: KindContext): number | null;
  raise(rule: R): number;
  clear(rule: R): number;
  describe(
    rule: R,
    p: ProcessSample,
    value: number,
    ctx: KindContext,
  ): { summary: string; details: Observation['details']; etaMs?: number };
  /** Only these processes can newly raise (default: every process). */
  candidates?(rule: R, ctx: KindContext): Iterable<ProcessSample>;
  /** A cheap test that the value cannot reach `raise` (skips the exact measurement for most processes). */
  cannotRaise?(rule: R, p: ProcessSample, ctx: KindContext, raise: number): boolean;
  /** For a value at the raise level: whether it can be trusted to raise (else a new alert does not start and a firing one holds). */
  trusted?(rule: R, p: ProcessSample, ctx: KindContext): boolean;
}

/** The evaluator of a per-process kind. */
export function processEvaluator<R extends CompiledParts>(kind: ProcessKind<R>): KindEvaluator<R> {
  return { reads: 'sample', observe: (rule, ctx) => observeProcesses(rule, kind, ctx) };
}

/**
 * Observations for one process rule: every in-scope process at the raise level, and every process
 * that already has an instance (at whatever level). Processes that are gone produce nothing: the
 * lifecycle sees the instance without an observation and waits for kill evidence. So does a zombie
 * (state Z or X): it has exited, and its oom_score of 0 is no "risk −1000", nor a reason to clear.
 */
export function observeProcesses<R extends CompiledParts>(rule: R, kind: ProcessKind<R>, ctx: KindContext): Observation[] {
  const raise = kind.raise(rule);
  const clear = kind.clear(rule);
  const scope = rule.scopeMatcher;
  const bootId = ctx.snapshot.bootId;
  const out: Observation[] = [];
  const seen = new Set<string>();
  const emit = (p: ProcessSample, value: number, level: Observation['level'], subject: string) => {
    const { summary, details, etaMs } = kind.describe(rule, p, value, ctx);
    out.push({
      subject,
      level,
      value,
      summary,
      details,
      labels: processLabels(p),
      process: processRef(p),
      cgroup: p.cgroup,
      ...(etaMs !== undefined ? { etaMs } : {}),
    });
    seen.add(subject);
  };
  const candidates = kind.candidates ? kind.candidates(rule, ctx) : ctx.snapshot.processes;
  for (const p of candidates) {
    if (isExitedState(p.state)) continue;
    // The numbers first: the scope (regular expressions) is only tested for the few at the raise level.
    if (kind.cannotRaise?.(rule, p, ctx, raise)) continue;
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
