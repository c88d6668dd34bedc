/**
 * The rules' public entry (STYLE.md §3.1). All pure: evaluateRules, planNotifications, silences, the
 * trend history and the rule kinds. The stateful side that persists their results and feeds delivery
 * (the alert engine and the agent's alerts module) is src/alerts/.
 */
export { compileRules, evaluateRules, historyWindows } from './evaluate.js';
export { createHistory, updateHistory, type RuleHistory } from './history.js';
export { planNotifications, muteReasons, type ChannelRoute, type GroupState, type Plan, type PlanInput } from './plan.js';
export { ALERT_LABELS, parseMatcher, matchesLabels, formatMatcher, type LabelMatcher, type Silence } from './silences.js';
export { DEFAULT_RULES } from './defaults.js';
export { rulesCrossChecks } from './config-checks.js';
export { RULE_KIND_SPECS, RULE_KINDS, type RuleConfig, type RuleKind } from './kinds/index.js';
export * from './types.js';
