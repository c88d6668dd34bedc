import type { ProcFs } from '../sample/procfs.js';
import { GRANT_CAP_SYS_RESOURCE } from './capability.js';

export interface SelfProtectResult {
  outcome: 'applied' | 'unchanged' | 'denied' | 'failed';
  fromAdj: number | null;
  toAdj: number;
  /** For denied and failed: what it means and the fix (log it as a warning and show it in doctor). */
  message: string | null;
}

/**
 * Sets the agent's own oom_score_adj (policy.agentOomScoreAdj) at start: the agent must outlive the processes it
 * watches, or the kill it exists to record goes unrecorded. `/proc/self` is the writer itself, so no identity check
 * is needed. The shipped unit's OOMScoreAdjust= does the same before exec; this covers runs outside systemd.
 */
export function applyAgentSelfProtection(selfProc: ProcFs, adj: number): SelfProtectResult {
  const path = selfProc.pidPath('self', 'oom_score_adj');
  let fromAdj: number | null = null;
  try {
    const r = selfProc.pidFile('self', 'oom_score_adj');
    if (r.kind !== 'ok') throw new Error(r.kind === 'gone' ? 'no such file' : 'permission denied');
    fromAdj = Number(r.value.trim());
  } catch (err) {
    return {
      outcome: 'failed',
      fromAdj: null,
      toAdj: adj,
      message: `cannot read ${path}: ${(err as Error).message}. Check --proc-root / sample.procRoot.`,
    };
  }
  if (fromAdj === adj) return { outcome: 'unchanged', fromAdj, toAdj: adj, message: null };
  const written = selfProc.writeOomScoreAdj('self', adj);
  switch (written.kind) {
    case 'ok':
      return { outcome: 'applied', fromAdj, toAdj: adj, message: null };
    case 'denied':
      return {
        outcome: 'denied',
        fromAdj,
        toAdj: adj,
        message:
          `cannot protect the oomwatch agent itself: lowering its oom_score_adj from ${fromAdj} to ${adj} needs CAP_SYS_RESOURCE, ` +
          `so under memory pressure the agent may be killed before it records the kill. ${GRANT_CAP_SYS_RESOURCE} ` +
          'The shipped unit sets OOMScoreAdjust= for the same reason.',
      };
    case 'gone':
      return { outcome: 'failed', fromAdj, toAdj: adj, message: `writing ${adj} to ${path} failed: no such file` };
    case 'failed':
      return { outcome: 'failed', fromAdj, toAdj: adj, message: `writing ${adj} to ${path} failed: ${written.error.message}` };
  }
}
