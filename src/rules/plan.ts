/**
 * Notification planning (pure), modelled on Alertmanager's dispatcher without its timers: called once
 * per evaluation with the firing alerts and those resolved just now, it decides which groups speak.
 * - routing: a rule's `channels`, else alerting.defaultChannels, else every channel; an agent-health
 *   alert about a broken channel goes to the others;
 * - muting: silences (matchers + expiry) and inhibition (a firing host-level critical alert mutes
 *   per-process warnings on the same host);
 * - grouping by alerting.groupBy labels per channel, with group wait, group interval and repeat
 *   interval; "resolved" only for alerts that were announced, and only where the channel's
 *   sendResolved allows it. OOM kills are events: each is told by one message (later messages of the
 *   group count it as an earlier kill), never repeated, and never "resolved".
 * - urgency: an alert whose predicted time left (etaMs) is shorter than its group's wait, or than the
 *   group interval it would wait for, goes out at once: a warning that arrives after the kill is no warning.
 * dedupKeys are `<channel>|<groupKey>|<seq>@<group created at>|<content hash>`; seq is persisted with the group state in
 * the same transaction as the outbox row, so a replay after a crash yields the same key.
 */
import type { AlertingConfig, InhibitRule } from './config.js';
import { isKill } from '../notify/message.js';
import type { AlertView, LabelMatcher, Silence } from '../model/alert.js';
import type { GroupState, NotificationDraft } from '../model/notification.js';
import { matchesLabels, silenceFor } from './silences.js';
import type { CompiledRule } from './types.js';

export interface ChannelRoute {
  name: string;
  sendResolved: boolean;
}

export interface PlanInput {
  firing: readonly AlertView[];
  resolved: readonly AlertView[];
  groups: ReadonlyMap<string, GroupState>;
  silences: readonly Silence[];
  rules: readonly CompiledRule[];
  channels: readonly ChannelRoute[];
  alerting: AlertingConfig;
  host: string;
  nowMs: number;
}

export interface Plan {
  drafts: NotificationDraft[];
  groups: Map<string, GroupState>;
  /** Firing alerts not sent, and why: `silence #3` or `inhibited by <fingerprint>`. */
  muted: Map<string, string>;
}

export const groupStateKey = (channel: string, groupKey: string): string => `${channel}\u0000${groupKey}`;

const toMatchers = (m: Record<string, string>): LabelMatcher[] => Object.entries(m).map(([name, value]) => ({ name, op: '=', value }));

/** Why each firing alert is muted (silence first, then inhibition). */
export function muteReasons(
  firing: readonly AlertView[],
  silences: readonly Silence[],
  inhibit: readonly InhibitRule[],
  nowMs: number,
): Map<string, string> {
  const muted = new Map<string, string>();
  const rules = inhibit.map((r) => ({ source: toMatchers(r.source), target: toMatchers(r.target), equal: r.equal }));
  const sources = rules.map((r) => firing.filter((a) => matchesLabels(r.source, a)));
  for (const a of firing) {
    const s = silenceFor(a, silences, nowMs);
    if (s) {
      muted.set(a.fingerprint, `silence #${s.id}`);
      continue;
    }
    rules.forEach((r, i) => {
      if (muted.has(a.fingerprint) || !matchesLabels(r.target, a)) return;
      const src = sources[i].find(
        (x) => x.fingerprint !== a.fingerprint && r.equal.every((l) => (x.labels[l] ?? '') === (a.labels[l] ?? '')),
      );
      if (src) muted.set(a.fingerprint, `inhibited by ${src.fingerprint}`);
    });
  }
  return muted;
}

/** 32-bit FNV-1a, hex: a short, stable content hash for dedupKeys. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * The channels an alert goes to: its rule's `channels`, else alerting.defaultChannels, else every
 * channel; never the channel an agent-health alert is about.
 */
export function createRouter(
  rules: readonly CompiledRule[],
  alerting: Pick<AlertingConfig, 'defaultChannels'>,
  channels: readonly ChannelRoute[],
): (a: AlertView) => string[] {
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  const all = channels.map((c) => c.name);
  const known = new Set(all);
  return (a) => {
    const wanted = ruleById.get(a.ruleId)?.channels ?? (alerting.defaultChannels.length ? alerting.defaultChannels : all);
    return wanted.filter((c) => known.has(c) && c !== a.labels.channel);
  };
}

/** The alert predicts the OOM (etaMs) sooner than `waitMs`: waiting would deliver it too late. */
const dueSooner = (a: AlertView, waitMs: number): boolean => a.etaMs !== undefined && a.etaMs < waitMs;

export function planNotifications(input: PlanInput): Plan {
  const { alerting, nowMs } = input;
  const ruleById = new Map(input.rules.map((r) => [r.id, r]));
  const sendResolved = new Map(input.channels.map((c) => [c.name, c.sendResolved]));
  const route = createRouter(input.rules, alerting, input.channels);
  const groupKeyOf = (a: AlertView): string => alerting.groupBy.map((l) => a.labels[l] ?? '').join('|');

  const muted = muteReasons(input.firing, input.silences, alerting.inhibit, nowMs);
  const groups = new Map<string, GroupState>();
  for (const [k, g] of input.groups) groups.set(k, { ...g, notified: [...g.notified], pendingResolved: [...g.pendingResolved] });
  const firingBy = new Map<string, AlertView[]>();

  for (const a of input.firing) {
    if (muted.has(a.fingerprint)) continue;
    const gk = groupKeyOf(a);
    for (const ch of route(a)) {
      const key = groupStateKey(ch, gk);
      let list = firingBy.get(key);
      if (!list) firingBy.set(key, (list = []));
      list.push(a);
      if (!groups.has(key)) {
        groups.set(key, {
          channel: ch,
          groupKey: gk,
          createdAtMs: nowMs,
          groupWaitMs: ruleById.get(a.ruleId)?.groupWait ?? alerting.groupWait,
          lastSentAtMs: null,
          seq: 0,
          notified: [],
          pendingResolved: [],
        });
      } else {
        const g = groups.get(key)!;
        const wait = ruleById.get(a.ruleId)?.groupWait;
        if (wait !== undefined && wait < g.groupWaitMs) g.groupWaitMs = wait;
      }
    }
  }
  for (const a of input.resolved) {
    for (const ch of route(a)) {
      const g = groups.get(groupStateKey(ch, groupKeyOf(a)));
      if (!g || !g.notified.includes(a.fingerprint)) continue; // never announced: nothing to take back
      g.notified = g.notified.filter((f) => f !== a.fingerprint);
      if (sendResolved.get(ch) && !isKill(a)) g.pendingResolved.push(a);
    }
  }

  const drafts: NotificationDraft[] = [];
  for (const [key, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const firing = (firingBy.get(key) ?? []).sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
    const announced = new Set(g.notified);
    // An OOM kill is an event: told once, then only counted while it stays in its rule's window. Without
    // this, every kill message re-listed every kill of the last 10 minutes (a storm of N kills sent
    // N(N+1)/2 entries). State alerts (risk, memory, …) are re-listed: a message shows the group's state.
    const told = firing.filter((a) => isKill(a) && announced.has(a.fingerprint));
    const toldSet = new Set(told.map((a) => a.fingerprint));
    const toTell = firing.filter((a) => !toldSet.has(a.fingerprint));
    const isNew = firing.some((a) => !announced.has(a.fingerprint));
    const changed = isNew || g.pendingResolved.length > 0;
    let due: boolean;
    if (g.lastSentAtMs === null)
      due = firing.length > 0 && (nowMs - g.createdAtMs >= g.groupWaitMs || firing.some((a) => dueSooner(a, g.groupWaitMs)));
    else {
      // a rule may shorten the interval for its new alerts (an OOM kill must not wait for the group's next slot),
      // and so does a new alert predicting the OOM sooner than the interval
      const interval = firing
        .filter((a) => !announced.has(a.fingerprint))
        .reduce(
          (min, a) => (dueSooner(a, alerting.groupInterval) ? 0 : Math.min(min, ruleById.get(a.ruleId)?.groupInterval ?? min)),
          alerting.groupInterval,
        );
      // a repeat re-states what still fires; a kill already told is never repeated
      due = (changed && nowMs - g.lastSentAtMs >= interval) || (toTell.length > 0 && nowMs - g.lastSentAtMs >= alerting.repeatInterval);
    }
    if (due) {
      // An alert that resolved and fired again before this message is only firing: its latest state.
      const live = new Set(firing.map((a) => a.fingerprint));
      const alerts = [...toTell, ...g.pendingResolved.filter((a) => !live.has(a.fingerprint))];
      g.seq += 1;
      const content = fnv1a(alerts.map((a) => `${a.fingerprint}:${a.state}`).join(','));
      // The group's creation time tells apart two lives of one group (a condition that ends, and fires
      // again later, starts a new group at seq 1): the outbox ignores a key it has seen.
      const dedupKey = `${g.channel}|${g.groupKey}|${g.seq}@${g.createdAtMs}|${content}`;
      const draft: NotificationDraft = {
        channel: g.channel,
        kind: 'alerts',
        groupKey: g.groupKey,
        host: input.host,
        createdAtMs: nowMs,
        dedupKey,
        alerts,
      };
      if (told.length)
        draft.earlierKills = { count: told.length, withinMs: Math.max(...told.map((a) => ruleById.get(a.ruleId)?.keepFiringFor ?? 0)) };
      drafts.push(draft);
      g.lastSentAtMs = nowMs;
      g.notified = firing.map((a) => a.fingerprint);
      g.pendingResolved = [];
    } else {
      // Announced alerts that are now muted (or ended without a resolve, e.g. their rule was removed) drop out silently.
      const live = new Set(firing.map((a) => a.fingerprint));
      g.notified = g.notified.filter((f) => live.has(f));
    }
    if (firing.length === 0 && g.pendingResolved.length === 0 && (due || g.notified.length === 0)) groups.delete(key);
  }
  return { drafts, groups, muted };
}
