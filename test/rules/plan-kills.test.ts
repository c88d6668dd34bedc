/**
 * OOM kills are events: the planner tells each kill in exactly one message per channel, and later
 * messages of the group only count it. Fixed instant (T0) throughout.
 */
import { describe, expect, it } from 'vitest';
import { alertingSection } from '../../src/rules/config.js';
import type { AlertView, Silence } from '../../src/model/alert.js';
import type { GroupState, NotificationDraft } from '../../src/model/notification.js';
import { planNotifications, type ChannelRoute } from '../../src/rules/plan.js';
import type { CompiledRule } from '../../src/rules/types.js';
import { at, HOST, rule } from './factories.js';

const RULES: CompiledRule[] = [
  rule({ id: 'oom-kill', kind: 'oom-kill', severity: 'critical', keepFiringFor: '10m', groupWait: '0s', groupInterval: '0s' }),
  rule({ id: 'slow-kill', kind: 'oom-kill', severity: 'critical', keepFiringFor: '6h', groupWait: '0s' }),
  rule({ id: 'risk', kind: 'process-risk', above: 600, groupWait: '0s', groupInterval: '0s' }),
];
const SLACK: ChannelRoute[] = [{ name: 'slack', sendResolved: true }];

function kill(n: number, ruleId = 'oom-kill'): AlertView {
  return {
    fingerprint: `${ruleId}|${HOST}|incident:${n}`,
    ruleId,
    ruleKind: 'oom-kill',
    severity: 'critical',
    host: HOST,
    state: 'firing',
    startsAtMs: at(n),
    summary: `OOM kill: hog-${n} (pid ${1000 + n}) killed by the kernel (CONSTRAINT_MEMCG) in cgroup /box-${n}`,
    details: [],
    labels: { alertname: ruleId, host: HOST, severity: 'critical', scope: 'incident', comm: `hog-${n}` },
    process: { pid: 1000 + n, startTimeTicks: n, comm: `hog-${n}`, cmdline: '', uid: null, unit: null, cgroup: `/box-${n}` },
    cgroup: `/box-${n}`,
    incidentId: n,
  };
}
const risk = (comm: string): AlertView => ({
  fingerprint: `risk|${HOST}|${comm}`,
  ruleId: 'risk',
  ruleKind: 'process-risk',
  severity: 'warning',
  host: HOST,
  state: 'firing',
  startsAtMs: at(0),
  summary: `${comm} risk 700 ‰`,
  details: [],
  labels: { alertname: 'risk', host: HOST, severity: 'warning', scope: 'process', comm },
});

function planner(alertingRaw: Record<string, unknown> = {}) {
  const alerting = alertingSection.parse({ groupWait: '10s', groupInterval: '5m', repeatInterval: '4h', ...alertingRaw });
  let groups = new Map<string, GroupState>();
  let silences: Silence[] = [];
  return {
    mute(s: Silence[]) {
      silences = s;
    },
    step(atS: number, firing: AlertView[]): NotificationDraft[] {
      const plan = planNotifications({
        firing,
        resolved: [],
        groups,
        silences,
        rules: RULES,
        channels: SLACK,
        alerting,
        host: HOST,
        nowMs: at(atS),
      });
      groups = plan.groups;
      return plan.drafts;
    },
  };
}
const incidents = (drafts: NotificationDraft[]) =>
  drafts.flatMap((d) => d.alerts.filter((a) => a.ruleKind === 'oom-kill').map((a) => a.incidentId));

describe('OOM kills are told once', () => {
  it('a storm of 15 kills, one per evaluation, sends 15 entries (not 120): each message its new kill, earlier ones counted', () => {
    const p = planner();
    const firing: AlertView[] = [];
    const drafts: NotificationDraft[] = [];
    for (let n = 1; n <= 15; n++) {
      firing.push(kill(n));
      drafts.push(...p.step(n * 0.5, [...firing]));
    }
    expect(drafts).toHaveLength(15);
    expect(drafts.map((d) => d.alerts.map((a) => a.incidentId))).toEqual(Array.from({ length: 15 }, (_, i) => [i + 1]));
    expect(incidents(drafts)).toHaveLength(15);
    expect(drafts[0].earlierKills).toBeUndefined();
    expect(drafts.slice(1).map((d) => d.earlierKills)).toEqual(Array.from({ length: 14 }, (_, i) => ({ count: i + 1, withinMs: 600_000 })));
  });

  it('kills arriving together share one message, each once; the next message lists only the newer ones', () => {
    const p = planner();
    const first = p.step(0, [kill(1), kill(2), kill(3)]);
    expect(first.map((d) => d.alerts.map((a) => a.incidentId))).toEqual([[1, 2, 3]]);
    const second = p.step(1, [kill(1), kill(2), kill(3), kill(4), kill(5)]);
    expect(second.map((d) => d.alerts.map((a) => a.incidentId))).toEqual([[4, 5]]);
    expect(second[0].earlierKills).toEqual({ count: 3, withinMs: 600_000 });
    // nothing new: nothing sent
    expect(p.step(2, [kill(1), kill(2), kill(3), kill(4), kill(5)])).toEqual([]);
  });

  it('a kill is never repeated at repeatInterval, while a state alert still is', () => {
    const p = planner({ groupBy: ['host'] });
    expect(p.step(0, [kill(1, 'slow-kill'), risk('postgres')]).map((d) => d.alerts.map((a) => a.ruleId))).toEqual([['risk', 'slow-kill']]);
    const repeat = p.step(4 * 3600, [kill(1, 'slow-kill'), risk('postgres')]);
    expect(repeat.map((d) => d.alerts.map((a) => a.ruleId))).toEqual([['risk']]);
    expect(repeat[0].earlierKills).toEqual({ count: 1, withinMs: 6 * 3600_000 });
    // a group holding only kills already told has nothing to repeat
    const q = planner();
    expect(q.step(0, [kill(1, 'slow-kill')])).toHaveLength(1);
    expect(q.step(4 * 3600 + 1, [kill(1, 'slow-kill')])).toEqual([]);
  });

  it('a kill held back by the group interval goes out once, in the next message', () => {
    const p = planner();
    expect(incidents(p.step(0, [kill(1, 'slow-kill')]))).toEqual([1]);
    expect(p.step(60, [kill(1, 'slow-kill'), kill(2, 'slow-kill')])).toEqual([]); // inside the 5m group interval
    const later = p.step(300, [kill(1, 'slow-kill'), kill(2, 'slow-kill'), kill(3, 'slow-kill')]);
    expect(incidents(later)).toEqual([2, 3]);
    expect(later[0].earlierKills).toEqual({ count: 1, withinMs: 6 * 3600_000 });
  });

  it('a kill muted by a silence is told once when the silence ends', () => {
    const p = planner();
    expect(incidents(p.step(0, [kill(1)]))).toEqual([1]);
    p.mute([
      {
        id: 1,
        matchers: [{ name: 'comm', op: '=', value: 'hog-2' }],
        createdAtMs: at(0),
        startsAtMs: at(0),
        endsAtMs: at(30),
        createdBy: 'ops',
        comment: '',
      },
    ]);
    expect(p.step(1, [kill(1), kill(2)])).toEqual([]);
    p.mute([]);
    const after = p.step(31, [kill(1), kill(2)]);
    expect(incidents(after)).toEqual([2]);
    expect(p.step(32, [kill(1), kill(2)])).toEqual([]);
  });
});
