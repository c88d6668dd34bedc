/**
 * The alert engine: the stateful side of the rules. Per call it runs the pure steps of rules/
 * (history → evaluateRules → planNotifications) and then writes the instance state, the transitions,
 * the group state, the plan log and the outbox rows in ONE transaction (DESIGN.md "Alert semantics").
 * In-memory state advances only after the commit: if the write fails, the next call recomputes the
 * same transitions from the last committed state, so nothing is lost and nothing is sent twice.
 */
import type { Config } from '../config/schema.js';
import type { Log } from '../log.js';
import type { AlertView } from '../model/alert.js';
import type { NotificationDraft, GroupState } from '../model/notification.js';
import { compileRules, evaluateRules, historyWindows } from '../rules/evaluate.js';
import { createHistory, updateHistory, type RuleHistory } from '../rules/history.js';
import { createRouter, planNotifications, type ChannelRoute } from '../rules/plan.js';
import type { StoreFault } from '../model/rule-state.js';
import { storeFaultDrafts } from '../rules/store-fault.js';
import type { TickInput } from '../rules/types.js';
import type { RuleState } from '../model/rule-state.js';
import { storeErrorFrom } from '../store/db.js';
import type { Store } from '../store/store.js';

export interface AlertEngineDeps {
  store: Pick<Store, 'alerts' | 'outbox' | 'transaction' | 'path'>;
  log: Log;
  config: Config;
  hostname: string;
  /** Resolves user names in rule scopes (from /etc/passwd); default: numeric uids only. */
  uidOf?: (name: string) => number | undefined;
  /** Trend history to start from (refilled from the store, or the previous engine's on a reload); default: empty. */
  history?: RuleHistory;
  /** Outbox writer; tests may wrap it. Must not open its own transaction. */
  enqueue?: (drafts: NotificationDraft[]) => void;
}

export interface AlertEngine {
  /** Evaluates once. Call after every sampler tick, and between ticks when an incident or a health fact arrives (snapshot: null). */
  onTick(input: Omit<TickInput, 'history'>, nowMs: number): { firing: number; pending: number; queued: number };
  /**
   * Firing alerts as of the last committed call, without the silenced and inhibited ones (what the
   * channels were told; the notify module re-posts these to Alertmanager).
   */
  firingAlerts(): AlertView[];
  /** The channels an alert is routed to (Alertmanager re-posts follow the same routing). */
  routeOf(alert: AlertView): string[];
  /** The trend history (owned by the engine; handed to the next engine on a reload). */
  history(): RuleHistory;
  /** The notifications that tell a store fault (or its end), routed as this engine routes agent-health alerts. */
  storeFaultDrafts(fault: StoreFault, nowMs: number): NotificationDraft[];
}

/** Channel names and their sendResolved setting (default true) from `channels:`. */
export function channelRoutes(config: Config): ChannelRoute[] {
  return Object.entries(config.channels as Record<string, unknown>).map(([name, c]) => {
    const sendResolved = c !== null && typeof c === 'object' ? (c as { sendResolved?: unknown }).sendResolved : undefined;
    return { name, sendResolved: typeof sendResolved === 'boolean' ? sendResolved : true };
  });
}

export function createAlertEngine(deps: AlertEngineDeps): AlertEngine {
  const { store, config, hostname } = deps;
  const log = deps.log.child({ mod: 'rules' });
  const enqueue = deps.enqueue ?? ((drafts: NotificationDraft[]) => store.outbox.enqueue(drafts));
  const rules = compileRules(config.rules, deps.uidOf);
  const channels = channelRoutes(config);
  const repo = store.alerts;
  const history = deps.history ?? createHistory(historyWindows(config.rules));

  const loaded = repo.loadState();
  let state: RuleState = { instances: loaded.instances, recentIncidents: loaded.recentIncidents };
  let groups: Map<string, GroupState> = loaded.groups;
  let written = loaded.written;
  let muted = new Map<string, string>();
  if (loaded.instances.size) log.info({ instances: loaded.instances.size, groups: groups.size }, 'alert state restored from the store');

  const commit = (fn: () => void) => store.transaction(fn);
  const routeOf = createRouter(rules, config.alerting, channels);

  return {
    onTick(input, nowMs) {
      updateHistory(history, input.snapshot, input.dataFresh);
      const ev = evaluateRules(rules, { ...input, history }, state, nowMs, {
        host: hostname,
        vanishWaitTicks: config.alerting.vanishWaitTicks,
      });
      const firing: AlertView[] = [];
      let pending = 0;
      for (const inst of ev.next.instances.values()) {
        if (inst.status === 'firing') firing.push(inst.alert);
        else pending++;
      }
      const resolved = ev.transitions.filter((t) => t.kind === 'resolved').map((t) => t.alert);
      const silences = repo.activeSilences(nowMs);
      const plan = planNotifications({
        firing,
        resolved,
        groups,
        silences,
        rules,
        channels,
        alerting: config.alerting,
        host: hostname,
        nowMs,
      });
      const incidentsChanged = input.incidents.length > 0 || ev.next.recentIncidents.length !== state.recentIncidents.length;

      let nextWritten = written;
      try {
        commit(() => {
          nextWritten = repo.writeInstances(ev.next.instances, written, plan.muted, nowMs);
          repo.recordTransitions(ev.transitions);
          repo.writeGroups(plan.groups, groups, nowMs);
          repo.logDrafts(plan.drafts);
          enqueue(plan.drafts);
          if (incidentsChanged) repo.saveRecentIncidents(ev.next.recentIncidents);
        });
      } catch (err) {
        throw storeErrorFrom(err, store.path, 'write alert state to');
      }
      state = ev.next;
      groups = plan.groups;
      written = nextWritten;
      muted = plan.muted;

      for (const t of ev.transitions) {
        if (t.kind === 'firing' || t.kind === 'resolved') {
          log.info(
            { fingerprint: t.fingerprint, transition: t.kind, resolution: t.alert.resolution, muted: plan.muted.get(t.fingerprint) },
            t.alert.summary,
          );
        } else {
          log.debug({ fingerprint: t.fingerprint, transition: t.kind }, t.alert.summary);
        }
      }
      if (plan.drafts.length) log.debug({ drafts: plan.drafts.map((d) => d.dedupKey) }, 'notifications queued');
      return { firing: firing.length, pending, queued: plan.drafts.length };
    },
    history: () => history,
    routeOf,
    storeFaultDrafts: (fault, nowMs) =>
      storeFaultDrafts(fault, { rules, route: routeOf, alerting: config.alerting, host: hostname, nowMs }),
    firingAlerts() {
      return [...state.instances.values()].filter((i) => i.status === 'firing' && !muted.has(i.fingerprint)).map((i) => i.alert);
    },
  };
}
