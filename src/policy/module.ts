import type { AgentContext, AgentModule, TickContext } from '../agent/module.js';
import { parsePidStat } from '../sample/parse/pid-stat.js';
import type { ProcFs } from '../sample/procfs.js';
import type { ProcessSample } from '../model/snapshot.js';
import { createPolicyEnforcer, type PolicyEnforcer } from './enforcer.js';
import type { PolicyConfig } from './config.js';
import { applyAgentSelfProtection, type SelfProtectResult } from './self-protect.js';

export interface PolicyHealth {
  /** Processes left unprotected (the agent itself included): feeds the agent-health alert (`health.unprotected`). */
  unprotected: string[];
  /** The agent's own value at start; null when policy.agentOomScoreAdj is null. */
  self: SelfProtectResult | null;
}

export interface PolicyModule extends AgentModule {
  health(): PolicyHealth;
  isProtected(p: ProcessSample): boolean;
}

/**
 * The protection policy as an agent module: at start the agent protects itself; on every tick the enforcer applies
 * the policy to the tick's snapshot (writing below the root the snapshot was read from, `ctx.procfs`); a reload
 * (SIGHUP) takes the new policy. The agent's own /proc/self is read and written through `ctx.selfProc`: the real
 * /proc, even when sampling reads a fixture tree.
 */
export function createPolicyModule(ctx: AgentContext): PolicyModule {
  const log = ctx.log.child({ mod: 'policy' });
  const repo = ctx.store.policy;
  const build = (config: { policy: PolicyConfig }): PolicyEnforcer =>
    createPolicyEnforcer({ store: ctx.store, log: ctx.log, procfs: ctx.procfs, policy: config.policy, bootId: ctx.facts.bootId });
  let enforcer = build(ctx.config);
  /** From the last tick: processes whose rule could not be applied. */
  let ruleUnprotected: string[] = [];
  let self: SelfProtectResult | null = null;

  const selfLine = (r: SelfProtectResult): string =>
    `oomwatch agent (pid ${process.pid}): wants ${r.toAdj}, stays at ${r.fromAdj ?? 'unknown'}`;

  return {
    name: 'policy',
    start() {
      const adj = ctx.config.policy.agentOomScoreAdj;
      if (adj === null) return;
      self = applyAgentSelfProtection(ctx.selfProc, adj);
      const nowMs = ctx.clock.nowMs();
      if (self.outcome === 'applied' || self.outcome === 'denied' || self.outcome === 'failed') {
        repo.recordChanges([
          {
            tsMs: nowMs,
            ...selfIdentity(ctx.selfProc, ctx.facts.bootId),
            ruleId: 'agent-self',
            fromAdj: self.fromAdj,
            toAdj: self.toAdj,
            reason: 'self',
            outcome: self.outcome,
            message: self.message,
          },
        ]);
      }
      if (self.message) {
        log.warn({ outcome: self.outcome }, self.message);
        repo.recordHealthEvent(nowMs, 'policy-unprotected', self.message);
      } else {
        log.info({ from: self.fromAdj, to: self.toAdj }, `the agent's own oom_score_adj is ${self.toAdj}`);
      }
    },
    onTick(tc: TickContext) {
      const r = enforcer.onTick(tc.snapshot, tc.nowMs);
      ruleUnprotected = r.unprotected;
      if (r.applied) log.debug({ applied: r.applied, drifted: r.drifted, gone: r.gone }, 'policy applied');
    },
    reload(config: { policy: PolicyConfig }) {
      enforcer = build(config);
    },
    health: () => ({ unprotected: [...(self?.message ? [selfLine(self)] : []), ...ruleUnprotected], self }),
    isProtected: (p) => enforcer.isProtected(p),
  };
}

/** The agent's identity for its own audit row: pid and start time as /proc/self shows them. */
function selfIdentity(selfProc: ProcFs, bootId: string): { bootId: string; pid: number; startTimeTicks: number; comm: string } {
  try {
    const r = selfProc.pidFile('self', 'stat');
    if (r.kind !== 'ok') throw new Error(r.kind);
    const stat = parsePidStat(r.value);
    return { bootId, pid: process.pid, startTimeTicks: stat.startTimeTicks, comm: stat.comm };
  } catch {
    return { bootId, pid: process.pid, startTimeTicks: 0, comm: 'oomwatch' }; // identity unreadable: the row still records the attempt
  }
}
