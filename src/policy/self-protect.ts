import { readFileSync, writeFileSync } from 'node:fs';
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
export function applyAgentSelfProtection(procRoot: string, adj: number): SelfProtectResult {
  const path = `${procRoot}/self/oom_score_adj`;
  let fromAdj: number | null = null;
  try {
    fromAdj = Number(readFileSync(path, 'utf8').trim());
  } catch (err) {
    return { outcome: 'failed', fromAdj: null, toAdj: adj, message: `cannot read ${path}: ${(err as Error).message}. Check --proc-root / sample.procRoot.` };
  }
  if (fromAdj === adj) return { outcome: 'unchanged', fromAdj, toAdj: adj, message: null };
  try {
    writeFileSync(path, `${adj}\n`);
    return { outcome: 'applied', fromAdj, toAdj: adj, message: null };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') {
      return {
        outcome: 'denied',
        fromAdj,
        toAdj: adj,
        message:
          `cannot protect the oomwatch agent itself: lowering its oom_score_adj from ${fromAdj} to ${adj} needs CAP_SYS_RESOURCE, ` +
          `so under memory pressure the agent may be killed before it records the kill. ${GRANT_CAP_SYS_RESOURCE} ` +
          'The shipped unit sets OOMScoreAdjust= for the same reason.',
      };
    }
    return { outcome: 'failed', fromAdj, toAdj: adj, message: `writing ${adj} to ${path} failed: ${(err as Error).message}` };
  }
}
