import type { CrossCheck } from '../config/cross-checks.js';

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
  // comm comes from the executable's file name (and prctl PR_SET_NAME), and cmdline is argv: any local user controls
  // both. A protective rule selecting on them alone hands protection to whoever names a process "sshd".
  function policyProtectionNotByNameAlone({ config, warnings }) {
    for (const r of config.policy.rules) {
      if (r.oomScoreAdj >= 0) continue;
      const m = r.match;
      if (m.exe === undefined && m.user === undefined && m.unit === undefined && m.cgroup === undefined) {
        warnings.push(
          `policy.rules[${r.index}] (${r.id}): protects (${r.oomScoreAdj}) by name or command line only; any local user can start a process ` +
            'with that name and gain the protection. Add unit (e.g. ssh.service), cgroup or user to its match (exe works only where the agent may read /proc/PID/exe).',
        );
      }
    }
  },
  function policyAgentNotImmune({ config, warnings }) {
    if (config.policy.agentOomScoreAdj === -1000) {
      warnings.push('policy.agentOomScoreAdj: -1000 makes the agent immune, so a leak in it would make the kernel kill everything else first. Use -900 (protect).');
    }
  },
];
