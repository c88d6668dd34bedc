import type { Log } from '../log.js';
import type { PolicyConfig } from './config.js';
import type { ProcFs } from '../sample/procfs.js';
import type { HostSnapshot, ProcessSample } from '../model/snapshot.js';
import { type AdjChange } from '../store/policy-repo.js';
import type { Store } from '../store/store.js';
import { applyAdjustments, describeTarget, type ApplyResult } from './apply.js';
import { GRANT_CAP_SYS_RESOURCE } from './capability.js';
import { compilePolicy, ruleFor } from './compile.js';
import { planAdjustments, type PlanEntry } from './plan.js';
import { readUidLookup } from './users.js';

export interface PolicyEnforcerDeps {
  store: Pick<Store, 'policy'>;
  log: Log;
  /** The gateway the snapshots were read through: values are written below the same root. */
  procfs: ProcFs;
  policy: PolicyConfig;
  bootId: string;
  /** User name → uid for `user:` matches; default: /etc/passwd. */
  uidOf?: (name: string) => number | undefined;
}

export interface EnforceTickResult {
  /** Values written this tick (new processes and drift corrections). */
  applied: number;
  /** Of those, corrections of a value someone reset after oomwatch had set it. */
  drifted: number;
  /** Processes a rule wants protected that oomwatch cannot protect (no CAP_SYS_RESOURCE): feed health.unprotected. */
  unprotected: string[];
  /** Exited before the write: counted, not errors. */
  gone: number;
  /** Processes that keep resetting their own value: oomwatch stopped correcting them (see CONTESTED_*). */
  contested: string[];
}

export interface PolicyEnforcer {
  onTick(snapshot: HostSnapshot, nowMs: number): EnforceTickResult;
  /** The process's rule asks for protection (adj < 0) and the value is in effect. */
  isProtected(p: ProcessSample): boolean;
}

/**
 * A process that resets its value again and again (Chromium renderers set their own, between 300 and 1000, as tabs
 * move to the background) would be corrected on every tick, flooding the audit and fighting its own logic.
 * After this many drift corrections within the window oomwatch stops correcting that process and says so once.
 */
export const CONTESTED_CORRECTIONS = 3;
export const CONTESTED_WINDOW_MS = 10 * 60_000;

const keyOf = (e: { bootId: string; pid: number; startTimeTicks: number }): string => `${e.bootId}:${e.pid}:${e.startTimeTicks}`;

/**
 * Continuous enforcement, called once per sampler tick with that tick's snapshot. New matching processes get their
 * value; a value someone reset is corrected ("drift"); every attempt is audited (adj_change). A process whose
 * protection is refused is not retried every tick (it would flood the audit): it stays in `unprotected` while it
 * lives, and the missing capability is logged once per rule, with the fix.
 */
export function createPolicyEnforcer(deps: PolicyEnforcerDeps): PolicyEnforcer {
  const policy = compilePolicy(deps.policy, deps.uidOf ?? readUidLookup().uidOf);
  const repo = deps.store.policy;
  const log = deps.log.child({ mod: 'policy' });
  /** Identities whose value oomwatch set (or found right): a later difference is drift. */
  const established = new Map<string, number>();
  /** Identities whose write was refused, with the refused value. */
  const refused = new Map<string, { target: number; text: string }>();
  /** Identities whose write failed for another reason, with the value: logged and audited once, not retried. */
  const failed = new Map<string, number>();
  const warnedRules = new Set<string>();
  /** Times of drift corrections per identity, and identities oomwatch stopped correcting. */
  const corrections = new Map<string, number[]>();
  const contested = new Map<string, string>();

  function onTick(snapshot: HostSnapshot, nowMs: number): EnforceTickResult {
    const result: EnforceTickResult = { applied: 0, drifted: 0, unprotected: [], gone: 0, contested: [] };
    if (!policy.enforce || policy.rules.length === 0) return result;
    const plan = planAdjustments(snapshot.processes, policy, snapshot);
    const live = new Set(plan.map((e) => keyOf(e.process)));
    for (const k of established.keys()) if (!live.has(k)) established.delete(k);
    for (const k of refused.keys()) if (!live.has(k)) refused.delete(k);
    for (const k of corrections.keys()) if (!live.has(k)) corrections.delete(k);
    for (const k of contested.keys()) if (!live.has(k)) contested.delete(k);
    for (const k of failed.keys()) if (!live.has(k)) failed.delete(k);

    const toApply: PlanEntry[] = [];
    for (const e of plan) {
      const k = keyOf(e.process);
      if (e.action === 'keep') {
        established.set(k, e.targetAdj);
        refused.delete(k);
        continue;
      }
      const given = contested.get(k);
      if (given !== undefined) {
        result.contested.push(given);
        continue;
      }
      if (failed.get(k) === e.targetAdj) continue;
      const prior = refused.get(k);
      if (prior && prior.target === e.targetAdj) {
        result.unprotected.push(prior.text);
        continue;
      }
      toApply.push(e);
    }
    const results = applyAdjustments(deps.procfs, toApply, { bootId: deps.bootId });
    const audit: AdjChange[] = [];
    const newlyRefused: ApplyResult[] = [];
    for (const r of results) {
      const k = keyOf(r.entry.process);
      const wasDrift = established.get(k) === r.entry.targetAdj;
      if (r.outcome === 'gone') {
        result.gone++;
        continue;
      }
      if (r.outcome === 'unchanged') {
        established.set(k, r.toAdj);
        continue;
      }
      if (r.outcome === 'applied') {
        result.applied++;
        if (wasDrift) {
          result.drifted++;
          log.info(
            { pid: r.entry.process.pid, rule: r.entry.rule.id, from: r.fromAdj, to: r.toAdj },
            `corrected oom_score_adj drift of ${describeTarget(r.entry)}: ${r.fromAdj} → ${r.toAdj}`,
          );
          noteCorrection(k, r, nowMs);
        }
        established.set(k, r.toAdj);
      } else if (r.outcome === 'denied') {
        const text = `${describeTarget(r.entry)}: wants ${r.toAdj}, stays at ${r.fromAdj ?? 'unknown'}`;
        refused.set(k, { target: r.toAdj, text });
        result.unprotected.push(text);
        newlyRefused.push(r);
      } else if (r.outcome === 'failed') {
        failed.set(k, r.toAdj);
        log.error({ pid: r.entry.process.pid, rule: r.entry.rule.id }, r.message ?? 'oom_score_adj write failed');
      }
      if (r.outcome === 'applied' || r.outcome === 'denied' || r.outcome === 'failed' || r.outcome === 'identity-changed') {
        audit.push({
          tsMs: nowMs,
          ...pick(r.entry),
          fromAdj: r.fromAdj,
          toAdj: r.toAdj,
          reason: wasDrift ? 'drift' : 'new',
          outcome: r.outcome,
          message: r.message,
        });
      }
    }
    repo.recordChanges(audit);
    warnOnce(newlyRefused, result.unprotected, nowMs);
    return result;
  }

  function noteCorrection(k: string, r: ApplyResult, nowMs: number): void {
    const times = [...(corrections.get(k) ?? []), nowMs].filter((t) => nowMs - t < CONTESTED_WINDOW_MS);
    corrections.set(k, times);
    if (times.length < CONTESTED_CORRECTIONS) return;
    const text = `${describeTarget(r.entry)}: reset its oom_score_adj ${times.length} times in ${Math.round(CONTESTED_WINDOW_MS / 60_000)} min`;
    contested.set(k, text);
    const message =
      `${text}; oomwatch stops correcting it, to stop fighting whatever sets it (often the program itself). ` +
      `Exclude it from rule ${r.entry.rule.id} (e.g. with a cmdline pattern), or stop what resets it.`;
    log.warn({ pid: r.entry.process.pid, rule: r.entry.rule.id }, message);
    repo.recordHealthEvent(nowMs, 'policy-contested', message);
  }

  /** One warning per rule that meets a refusal for the first time, listing everything still unprotected. */
  function warnOnce(newlyRefused: readonly ApplyResult[], unprotected: readonly string[], nowMs: number): void {
    const rules = [...new Set(newlyRefused.map((r) => r.entry.rule.id))].filter((id) => !warnedRules.has(id));
    if (rules.length === 0) return;
    for (const id of rules) warnedRules.add(id);
    const message =
      `oomwatch cannot protect ${unprotected.length} process${unprotected.length === 1 ? '' : 'es'} (rule${rules.length === 1 ? '' : 's'} ${rules.join(', ')}): ` +
      `lowering oom_score_adj below 0 needs CAP_SYS_RESOURCE, which oomwatch lacks. They stay unprotected: ${unprotected.join('; ')}. ` +
      `${GRANT_CAP_SYS_RESOURCE} oomwatch keeps applying the values it can (raising is allowed).`;
    log.warn({ rules, unprotected }, message);
    repo.recordHealthEvent(nowMs, 'policy-unprotected', message);
  }

  function isProtected(p: ProcessSample): boolean {
    const rule = ruleFor(policy, p);
    return rule !== null && rule.oomScoreAdj < 0 && p.oomScoreAdj <= rule.oomScoreAdj;
  }

  return { onTick, isProtected };
}

function pick(e: PlanEntry): Pick<AdjChange, 'bootId' | 'pid' | 'startTimeTicks' | 'comm' | 'ruleId'> {
  return {
    bootId: e.process.bootId,
    pid: e.process.pid,
    startTimeTicks: e.process.startTimeTicks,
    comm: e.process.comm,
    ruleId: e.rule.id,
  };
}
