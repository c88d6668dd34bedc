/** The protection policy: plan (pure), apply and enforce (write oom_score_adj), systemd drop-ins. docs/protection.md. */
export { LEVELS, LEVEL_NAMES, translateLegacyOomAdj, looksLegacy, legacyValueMessage, describeAdj, type LevelName } from './levels.js';
export { compilePolicy, ruleFor, type CompiledPolicy, type CompiledRule } from './compile.js';
export { planAdjustments, unmatchedRules, type PlanEntry, type PlanHostFacts } from './plan.js';
export { describeEffect, ordinal, type Effect } from './effect.js';
export { applyAdjustments, countOutcomes, type ApplyResult, type ApplyOutcome, type ApplyOptions } from './apply.js';
export { applyAgentSelfProtection, type SelfProtectResult } from './self-protect.js';
export { createPolicyEnforcer, type PolicyEnforcer, type PolicyEnforcerDeps, type EnforceTickResult } from './enforcer.js';
export { readCapSysResource, parseCapEff, hasCapability, CAP_SYS_RESOURCE, GRANT_CAP_SYS_RESOURCE, cannotProtectMessage } from './capability.js';
export { readUidLookup, parsePasswd } from './users.js';
export { writeDropIn, type DropInResult } from './dropin-write.js';
export { normalizeUnitName, parseAdjArgument, parseOomPolicyArgument, renderDropIn, reloadInstructions, OOM_POLICIES, type OomPolicy } from './systemd-dropin.js';
export { checkProtection, type ProtectionHealth } from './health.js';
export { createPolicyModule, type PolicyModule, type PolicyHealth } from './module.js';
