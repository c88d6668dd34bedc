/**
 * The agent-health `store` check (pure). A database that cannot be written cannot carry its own alert:
 * an outbox row about a full disk would wait in that full disk. So this check does not go through the
 * engine's state and outbox; the store alarm (src/notify/store-alarm.ts) sends these notifications
 * straight through the channels' senders while the fault lasts, and through the outbox once the
 * database takes writes again.
 */
import type { AlertingConfig } from './config.js';
import type { AlertView } from '../model/alert.js';
import type { StoreFault } from '../model/rule-state.js';
import type { NotificationDraft } from '../model/notification.js';
import { formatDurationMs } from '../util/duration.js';
import { fingerprintOf } from './lifecycle.js';
import type { CompiledRule } from './types.js';

/** One stretch of time during which the database refused writes. */
export const STORE_SUBJECT = 'health:store';

/**
 * The store-fault notifications for every agent-health rule that watches the store, one per routed
 * channel: 'firing' while the fault lasts, 'resolved' once it ended. dedupKeys are fixed by the fault's
 * start, so writing one to the outbox twice cannot send it twice.
 */
export function storeFaultDrafts(
  fault: StoreFault,
  ctx: {
    rules: readonly CompiledRule[];
    route: (a: AlertView) => string[];
    alerting: Pick<AlertingConfig, 'groupBy'>;
    host: string;
    nowMs: number;
  },
): NotificationDraft[] {
  const drafts: NotificationDraft[] = [];
  const state = fault.endedMs === undefined ? 'firing' : 'resolved';
  for (const rule of ctx.rules) {
    if (rule.kind !== 'agent-health' || !rule.checks.includes('store')) continue;
    const alert: AlertView = {
      fingerprint: fingerprintOf(rule.id, ctx.host, STORE_SUBJECT),
      ruleId: rule.id,
      ruleKind: rule.kind,
      severity: rule.severity,
      host: ctx.host,
      state,
      startsAtMs: fault.sinceMs,
      summary:
        state === 'firing'
          ? `database error: ${fault.message}`
          : `the database takes writes again after ${formatDurationMs(fault.endedMs! - fault.sinceMs)}; the samples missed are recorded as a gap`,
      details: [{ label: 'error', value: fault.message }],
      labels: { scope: 'agent', check: 'store', alertname: rule.id, host: ctx.host, severity: rule.severity, kind: rule.kind },
      ...(state === 'resolved' ? { resolution: 'cleared' as const, endsAtMs: fault.endedMs } : {}),
    };
    const groupKey = ctx.alerting.groupBy.map((l) => alert.labels[l] ?? '').join('|');
    for (const channel of ctx.route(alert)) {
      drafts.push({
        channel,
        kind: 'alerts',
        groupKey,
        host: ctx.host,
        createdAtMs: ctx.nowMs,
        dedupKey: `${channel}|${groupKey}|store-fault@${fault.sinceMs}|${state}`,
        alerts: [alert],
      });
    }
  }
  return drafts;
}
