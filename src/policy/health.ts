import type { PolicyConfig } from './config.js';
import { GRANT_CAP_SYS_RESOURCE } from './capability.js';

export interface ProtectionHealth {
  /** false when the policy asks for values below 0 and oomwatch cannot write them. */
  ok: boolean;
  capSysResource: boolean | null;
  /** Rule ids (and 'agent-self') that need CAP_SYS_RESOURCE. */
  needing: string[];
  message: string;
}

/**
 * What `doctor` says about the protection policy, before any write is tried. Pure: the caller reads the capability
 * (readCapSysResource). Lowering below 0 needs CAP_SYS_RESOURCE; raising does not, so a policy of preferred victims
 * only is fine without it.
 */
export function checkProtection(policy: PolicyConfig, capSysResource: boolean | null): ProtectionHealth {
  const needing = [
    ...(policy.enforce ? policy.rules.filter((r) => r.oomScoreAdj < 0).map((r) => r.id) : []),
    ...(policy.agentOomScoreAdj !== null && policy.agentOomScoreAdj < 0 ? ['agent-self'] : []),
  ];
  if (needing.length === 0) {
    return { ok: true, capSysResource, needing, message: 'the policy lowers no oom_score_adj below 0, so it needs no CAP_SYS_RESOURCE' };
  }
  if (capSysResource === true) {
    return {
      ok: true,
      capSysResource,
      needing,
      message: `CAP_SYS_RESOURCE is held: protective values can be applied (${needing.join(', ')})`,
    };
  }
  const what =
    capSysResource === null
      ? 'oomwatch could not read its capabilities (/proc/self/status), so it may lack CAP_SYS_RESOURCE'
      : 'oomwatch lacks CAP_SYS_RESOURCE';
  return {
    ok: false,
    capSysResource,
    needing,
    message: `${what}: ${needing.join(', ')} ${needing.length === 1 ? 'asks' : 'ask'} for oom_score_adj below 0 and will stay unprotected. ${GRANT_CAP_SYS_RESOURCE}`,
  };
}
