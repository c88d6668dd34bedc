import type { CrossCheck } from '../config/cross-checks.js';
import { ownerPin, spoofableMessage } from './spoofable.js';

/**
 * Cross-checks of the policy section (pure; registered in config/cross-checks.ts).
 * Messages name the key, what is wrong and the fix.
 */
export const policyCrossChecks: CrossCheck[] = [
  function policyRuleIdsUnique({ config, errors }) {
    const seen = new Map<string, number>();
    for (const r of config.policy.rules) {
      const first = seen.get(r.id);
      if (first !== undefined) {
        errors.push(`policy.rules[${r.index}].id: "${r.id}" is already the id of policy.rules[${first}]. Give each rule its own id: audits and plans name rules by id.`);
      } else seen.set(r.id, r.index);
    }
  },
  // A protective rule that any local user can satisfy hands immunity to whoever names a process "sshd" or starts
  // `systemd-run --user --unit=postgresql`: refused, not warned about (policy/spoofable.ts says what pins the owner).
  function policyProtectionPinsOwner({ config, errors }) {
    for (const r of config.policy.rules) {
      if (r.oomScoreAdj < 0 && ownerPin(r) === null) errors.push(spoofableMessage(r));
    }
  },
  function policyAgentNotImmune({ config, warnings }) {
    if (config.policy.agentOomScoreAdj === -1000) {
      warnings.push('policy.agentOomScoreAdj: -1000 makes the agent immune, so a leak in it would make the kernel kill everything else first. Use -900 (protect).');
    }
  },
];
