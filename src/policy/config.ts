import { z } from 'zod';
import type { CrossCheck } from '../model/config-check.js';
import { processMatchSchema } from '../sample/match.js';
import { LEVELS, LEVEL_NAMES, describeAdj, legacyValueMessage, looksLegacy, type LevelName } from './levels.js';
import { ownerPin, spoofableMessage } from './spoofable.js';

/**
 * The protection policy (docs/protection.md, config/policy.example.yaml): ordered rules, first match wins,
 * each giving matching processes an oom_score_adj, either as a number or as a named level.
 */

const adjNumber = z
  .number()
  .int()
  .min(-1000, 'oom_score_adj is at least -1000 (immune)')
  .max(1000, 'oom_score_adj is at most 1000 (kill first)');
const levelName = z.enum(LEVEL_NAMES as [LevelName, ...LevelName[]], {
  error: () => `expected one of the levels ${LEVEL_NAMES.join(', ')}`,
});

/** The agent's own value: on the oom_score_adj scale, or a level name; legacy oom_adj values (-17..15, not 0) are refused. */
const agentAdjOrLevel = z.union([adjNumber, levelName]).superRefine((v, ctx) => {
  if (typeof v === 'number' && looksLegacy(v)) ctx.addIssue({ code: 'custom', message: legacyValueMessage(v, 'agentOomScoreAdj') });
});

const ruleSchema = z
  .object({
    /** Names the rule in plans, audits and reports; default `rules[N]`. */
    id: z
      .string()
      .regex(/^[A-Za-z0-9][\w.@-]*$/, 'use letters, digits, ".", "_", "@" and "-" (e.g. sshd, databases)')
      .optional(),
    match: processMatchSchema,
    /**
     * Whose units `match.unit` names: 'system' (default), units of PID 1's manager; 'user', units in user slices and
     * under `user@UID.service`, which their user creates and names (so they never grant protection on their own).
     */
    scope: z
      .enum(['system', 'user'], { error: () => 'expected system (units of the system manager) or user (units in user slices)' })
      .optional(),
    level: levelName.optional(),
    oomScoreAdj: adjNumber.optional(),
    /** Always refused, with the translation: see legacyValueMessage. */
    oomAdj: z.unknown().optional(),
    /** Why this value: shown in plans. */
    why: z.string().optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.oomAdj !== undefined) {
      const n = typeof r.oomAdj === 'number' ? r.oomAdj : Number.NaN;
      ctx.addIssue({
        code: 'custom',
        path: ['oomAdj'],
        message:
          Number.isInteger(n) && n >= -17 && n <= 15
            ? legacyValueMessage(n, 'oomAdj')
            : 'oomAdj is the legacy oom_adj scale (-17..15) and is not accepted. Use oomScoreAdj (-1000..1000) or level.',
      });
    }
    if (r.oomScoreAdj !== undefined && looksLegacy(r.oomScoreAdj)) {
      ctx.addIssue({ code: 'custom', path: ['oomScoreAdj'], message: legacyValueMessage(r.oomScoreAdj, 'oomScoreAdj') });
    }
    if ((r.level === undefined) === (r.oomScoreAdj === undefined) && r.oomAdj === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `give exactly one of level (${LEVEL_NAMES.join(', ')}) or oomScoreAdj (-1000..1000), found ${r.level === undefined ? 'neither' : 'both'}.`,
      });
    }
    if (r.scope !== undefined && r.match.unit === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['scope'],
        message: 'scope says whose units match.unit names; add unit to the match or remove scope.',
      });
    }
    if (Object.keys(r.match).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['match'],
        message: 'an empty match selects every process. Name at least one of name, exe, cmdline, user, cgroup, unit.',
      });
    }
  })
  .transform((r) => ({
    id: r.id,
    match: r.match,
    scope: r.scope ?? 'system',
    level: r.level ?? null,
    oomScoreAdj: r.level !== undefined ? LEVELS[r.level] : (r.oomScoreAdj as number),
    why: r.why ?? null,
  }));

export const policySection = z
  .object({
    /** true: the agent writes the values every tick and corrects drift. false: plan and report only. */
    enforce: z.boolean().default(true),
    /**
     * The agent's own oom_score_adj, set at start (it must outlive the processes it watches to record their kill).
     * -900 ("protect"), not immune: a leaking agent must still be killable. null leaves it alone.
     */
    agentOomScoreAdj: agentAdjOrLevel
      .nullable()
      .default(-900)
      .transform((v) => (typeof v === 'string' ? LEVELS[v] : v)),
    /** Ordered; the first rule whose match selects a process decides its value. */
    rules: z
      .array(ruleSchema)
      .default([])
      .transform((rules) => rules.map((r, i) => ({ ...r, id: r.id ?? `rules[${i}]`, index: i }))),
  })
  .strict()
  .default({ enforce: true, agentOomScoreAdj: -900, rules: [] });

export type PolicyConfig = z.output<typeof policySection>;
export type PolicyRule = PolicyConfig['rules'][number];

/** For error messages and docs: what a rule's value does. */
export const describeRuleValue = (r: Pick<PolicyRule, 'oomScoreAdj' | 'level'>): string =>
  `${r.oomScoreAdj}${r.level ? ` (${r.level})` : ''}: ${describeAdj(r.oomScoreAdj)}`;

/**
 * Cross-checks of the policy section (pure; run by config/cross-checks.ts).
 * Messages name the key, what is wrong and the fix.
 */
export const policyCrossChecks: CrossCheck<{ policy: PolicyConfig }>[] = [
  function policyRuleIdsUnique({ config, errors }) {
    const seen = new Map<string, number>();
    for (const r of config.policy.rules) {
      const first = seen.get(r.id);
      if (first !== undefined) {
        errors.push(
          `policy.rules[${r.index}].id: "${r.id}" is already the id of policy.rules[${first}]. Give each rule its own id: audits and plans name rules by id.`,
        );
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
      warnings.push(
        'policy.agentOomScoreAdj: -1000 makes the agent immune, so a leak in it would make the kernel kill everything else first. Use -900 (protect).',
      );
    }
  },
];
