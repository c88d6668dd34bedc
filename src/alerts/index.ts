/**
 * Alerts' public entry (STYLE.md §3.1): the stateful side of the rules. The engine runs the pure steps
 * of src/rules/ and writes their results (alert state, notification log, outbox) in one transaction;
 * the module runs it in the agent; seed refills the trend history from the store.
 */
export { createAlertEngine, channelRoutes, type AlertEngine, type AlertEngineDeps } from './engine.js';
export { createAlertsModule, incidentFromView, HISTORY_GRACE_MS, type AlertsModule, type AlertsModuleSources } from './module.js';
export { historyFromStore, type SeedResult } from './seed.js';
