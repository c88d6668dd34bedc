/**
 * The rules engine's public entry (STYLE.md §3.1). Pure parts: evaluateRules, planNotifications,
 * silences. The engine (createAlertEngine) is the I/O adapter that persists their results.
 */
export { createAlertEngine, channelRoutes, type AlertEngine, type AlertEngineDeps } from './engine.js';
export { createAlertsModule, incidentFromView, type AlertsModule, type AlertsModuleSources } from './module.js';
export { compileRules, evaluateRules, historyWindows } from './evaluate.js';
export { createHistory, updateHistory, type RuleHistory } from './history.js';
export { planNotifications, muteReasons, type ChannelRoute, type GroupState, type Plan, type PlanInput } from './plan.js';
export { ALERT_LABELS, parseMatcher, matchesLabels, formatMatcher, type LabelMatcher, type Silence } from './silences.js';
export { DEFAULT_RULES } from './defaults.js';
export { rulesCrossChecks } from './config-checks.js';
export * from './types.js';
