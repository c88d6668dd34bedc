import { describe, expect, it } from 'vitest';
import { alertingSection } from '../../src/rules/config.js';
import type { AlertView, Silence } from '../../src/model/alert.js';
import { planNotifications, type ChannelRoute } from '../../src/rules/plan.js';
import type { GroupState } from '../../src/model/notification.js';
import { parseMatcher } from '../../src/rules/silences.js';
import type { CompiledRule } from '../../src/rules/types.js';
import { at, HOST, rule } from './factories.js';

function alert(ruleId: string, subject: string, all: Partial<AlertView> = {}): AlertView {
  const { labels, ...overrides } = all;
  const severity = overrides.severity ?? 'warning';
  const scope = subject === 'host' ? 'host' : 'process';
  return {
    fingerprint: `${ruleId}|${HOST}|${subject}`,
    ruleId,
    ruleKind: overrides.ruleKind ?? 'process-risk',
    severity,
    host: HOST,
    state: 'firing',
    startsAtMs: at(0),
    summary: `${ruleId} ${subject}`,
    details: [],
    labels: { alertname: ruleId, host: HOST, severity, scope, ...(scope === 'process' ? { comm: subject } : {}), ...labels },
    ...overrides,
  };
}
const resolved = (a: AlertView, atS: number): AlertView => ({ ...a, state: 'resolved', resolution: 'cleared', endsAtMs: at(atS) });

const RULES: CompiledRule[] = [
  rule({ id: 'risk', kind: 'process-risk', above: 600 }),
  rule({ id: 'mem', kind: 'host-memory-available', belowPercent: 5, severity: 'critical' }),
  rule({ id: 'kill', kind: 'oom-kill', groupWait: '0s' }),
  rule({ id: 'kill-now', kind: 'oom-kill', groupWait: '0s', groupInterval: '0s' }),
  rule({ id: 'only-mail', kind: 'swap-used', abovePercent: 50, channels: ['mail'] }),
];
const CHANNELS: ChannelRoute[] = [
  { name: 'slack', sendResolved: true },
  { name: 'mail', sendResolved: false },
];

/** Calls the planner step by step, carrying the group state as the engine does. */
function planner(opts: { alerting?: Record<string, unknown>; channels?: ChannelRoute[]; silences?: Silence[] } = {}) {
  const alerting = alertingSection.parse({ groupWait: '30s', groupInterval: '5m', repeatInterval: '4h', ...opts.alerting });
  let groups = new Map<string, GroupState>();
  return {
    silences: opts.silences ?? [],
    step(atS: number, firing: AlertView[], justResolved: AlertView[] = []) {
      const plan = planNotifications({
        firing,
        resolved: justResolved,
        groups,
        silences: this.silences,
        rules: RULES,
        channels: opts.channels ?? CHANNELS,
        alerting,
        host: HOST,
        nowMs: at(atS),
      });
      groups = plan.groups;
      return plan;
    },
    get groups() {
      return groups;
    },
  };
}
const sent = (p: ReturnType<ReturnType<typeof planner>['step']>) =>
  p.drafts.map(
    (d) =>
      `${d.channel}:${d.groupKey}:${d.alerts.map((a) => `${a.labels.comm ?? a.ruleId}${a.state === 'resolved' ? '(r)' : ''}`).join(',')}`,
  );

describe('grouping timers', () => {
  it('a rule with groupInterval 0 sends each new alert of an already notified group at once', () => {
    const p = planner({ channels: [CHANNELS[0]] });
    const k1 = alert('kill-now', 'incident-1', { ruleKind: 'oom-kill', severity: 'critical' });
    const k2 = alert('kill-now', 'incident-2', { ruleKind: 'oom-kill', severity: 'critical' });
    expect(sent(p.step(0, [k1]))).toHaveLength(1);
    // only the new kill: the first one was told already (it is counted, not repeated)
    expect(sent(p.step(10, [k1, k2]))).toEqual([`slack:${HOST}|kill-now:incident-2`]);
    // the plain rule keeps the group's interval: its second kill waits
    const q = planner({ channels: [CHANNELS[0]] });
    const a1 = alert('kill', 'incident-1', { ruleKind: 'oom-kill' });
    const a2 = alert('kill', 'incident-2', { ruleKind: 'oom-kill' });
    q.step(0, [a1]);
    expect(sent(q.step(10, [a1, a2]))).toEqual([]);
  });

  it('group_wait collects alerts, group_interval spaces changes, repeat_interval repeats an unchanged group', () => {
    const p = planner({ channels: [CHANNELS[0]] });
    const a = alert('risk', 'a');
    const b = alert('risk', 'b');
    const table: [number, AlertView[], AlertView[], string[]][] = [
      [0, [a], [], []], // group wait starts
      [20, [a, b], [], []], // b joins while waiting
      [30, [a, b], [], [`slack:${HOST}|risk:a,b`]],
      [40, [a, b], [], []],
      [100, [b], [resolved(a, 100)], []], // a change, but inside group_interval
      [330, [b], [], [`slack:${HOST}|risk:b,a(r)`]], // 5 min after the last send
      [3600, [b], [], []],
      [330 + 4 * 3600, [b], [], [`slack:${HOST}|risk:b`]], // repeat
      [330 + 4 * 3600 + 400, [], [resolved(b, 0)], [`slack:${HOST}|risk:b(r)`]],
    ];
    for (const [s, firing, res, expected] of table) expect(sent(p.step(s, firing, res)), `t=${s}`).toEqual(expected);
    expect(p.groups.size).toBe(0); // nothing left to say: the group is gone
  });

  it('a warning predicting the OOM sooner than its group wait is sent at once; one with time to spare waits', () => {
    const p = planner({ channels: [CHANNELS[0]], alerting: { groupWait: '10s' } });
    // the fast case: a leaker 6.5 s from the kill must not wait 10 s
    expect(sent(p.step(0, [alert('risk', 'leaker', { etaMs: 6_500 })]))).toEqual([`slack:${HOST}|risk:leaker`]);
    const q = planner({ channels: [CHANNELS[0]], alerting: { groupWait: '10s' } });
    const slow = alert('risk', 'slow', { etaMs: 60_000 });
    expect(sent(q.step(0, [slow]))).toEqual([]);
    // it joins a group already waiting: the whole group goes at once
    expect(sent(q.step(2, [slow, alert('risk', 'fast', { etaMs: 3_000 })]))).toEqual([`slack:${HOST}|risk:fast,slow`]);
  });

  it("a new alert predicting the OOM sooner than the group interval does not wait for the group's next slot", () => {
    const p = planner({ channels: [CHANNELS[0]], alerting: { groupWait: '0s', groupInterval: '5m' } });
    const a = alert('risk', 'a');
    p.step(0, [a]);
    expect(sent(p.step(30, [a, alert('risk', 'b', { etaMs: 600_000 })]))).toEqual([]);
    expect(sent(p.step(40, [a, alert('risk', 'b', { etaMs: 600_000 }), alert('risk', 'c', { etaMs: 45_000 })]))).toEqual([
      `slack:${HOST}|risk:a,b,c`,
    ]);
  });

  it('a rule with groupWait 0 (OOM kills) is sent in the same evaluation', () => {
    const p = planner();
    expect(sent(p.step(0, [alert('kill', 'incident:1', { ruleKind: 'oom-kill' })]))).toEqual([
      `mail:${HOST}|kill:incident:1`,
      `slack:${HOST}|kill:incident:1`,
    ]);
  });

  it('dedupKeys are deterministic: the same state replayed gives the same keys, and each send has its own', () => {
    const run = () => {
      const p = planner({ channels: [CHANNELS[0]] });
      return [
        p.step(0, [alert('risk', 'a')]),
        p.step(30, [alert('risk', 'a')]),
        p.step(400, [alert('risk', 'a'), alert('risk', 'b')]),
      ].flatMap((x) => x.drafts.map((d) => d.dedupKey));
    };
    const keys = run();
    expect(keys).toEqual(run());
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(2);
    expect(keys[0]).toMatch(new RegExp(`^slack\\|${HOST}\\|risk\\|1@\\d+\\|[0-9a-f]{8}$`));
  });

  it('a condition that ends and fires again later is a new message with a new key (the outbox drops a key it has seen)', () => {
    const p = planner({ channels: [CHANNELS[0]], alerting: { groupWait: '0s', groupInterval: '0s' } });
    const host = alert('mem', 'host', { ruleKind: 'host-memory-available' });
    const first = p.step(0, [host]).drafts.map((d) => d.dedupKey);
    const resolvedKeys = p.step(120, [], [resolved(host, 120)]).drafts.map((d) => d.dedupKey);
    expect(p.groups.size).toBe(0);
    const again = p.step(3600, [host]).drafts;
    expect(again.map((d) => d.alerts.map((a) => a.state))).toEqual([['firing']]);
    expect(new Set([...first, ...resolvedKeys, again[0].dedupKey]).size).toBe(3);
  });

  it('an alert that resolved and fired again while its group waited is sent once, as firing', () => {
    const p = planner({ channels: [CHANNELS[0]], alerting: { groupWait: '0s', groupInterval: '5m' } });
    const a = alert('risk', 'a');
    const b = alert('risk', 'b');
    p.step(0, [a, b]);
    p.step(60, [b], [resolved(a, 60)]); // waits for the group interval
    const d = p.step(400, [a, b]).drafts;
    expect(d.map((x) => x.alerts.map((y) => `${y.fingerprint}:${y.state}`))).toEqual([
      [`${a.fingerprint}:firing`, `${b.fingerprint}:firing`],
    ]);
  });
});

describe('routing and send_resolved', () => {
  it('routes by the rule channels, else to every channel; resolved only where sendResolved and only if announced', () => {
    const p = planner({ alerting: { groupWait: '0s', groupInterval: '0s' } });
    const a = alert('risk', 'a');
    const s = alert('only-mail', 'host', { ruleKind: 'swap-used' });
    expect(sent(p.step(0, [a, s])).sort()).toEqual([`mail:${HOST}|only-mail:only-mail`, `mail:${HOST}|risk:a`, `slack:${HOST}|risk:a`]);
    // a resolves: slack says so, mail (sendResolved false) does not
    expect(sent(p.step(10, [s], [resolved(a, 10)]))).toEqual([`slack:${HOST}|risk:a(r)`]);
    // an alert resolved before it was ever announced is not "resolved" anywhere
    const p2 = planner();
    p2.step(0, [a]);
    expect(p2.step(10, [], [resolved(a, 10)]).drafts).toEqual([]);
  });

  it('an OOM kill ending never produces a "resolved" message', () => {
    const p = planner({ alerting: { groupInterval: '0s' } });
    const k = alert('kill', 'incident:1', { ruleKind: 'oom-kill' });
    expect(p.step(0, [k]).drafts).toHaveLength(2);
    expect(p.step(600, [], [resolved(k, 600)]).drafts).toEqual([]);
  });

  it('a broken channel is told about on the other channels, not on itself', () => {
    const p = planner({ alerting: { groupWait: '0s' } });
    const h = alert('health', 'health:channel:slack', { ruleKind: 'agent-health', labels: { scope: 'agent', channel: 'slack' } });
    expect(p.step(0, [h]).drafts.map((d) => d.channel)).toEqual(['mail']);
  });
});

describe('inhibition and silences', () => {
  it('a firing host-level critical alert mutes per-process warnings on the same host, and they return when it clears', () => {
    const p = planner({ channels: [CHANNELS[0]], alerting: { groupWait: '0s', groupInterval: '0s' } });
    const crit = alert('mem', 'host', { severity: 'critical', ruleKind: 'host-memory-available' });
    const warn = alert('risk', 'a');
    const otherHost = alert('risk', 'b', { fingerprint: 'risk|db2|b', labels: { host: 'db2' } });
    const first = p.step(0, [crit, warn, otherHost]);
    expect(sent(first).sort()).toEqual([`slack:${HOST}|mem:mem`, `slack:db2|risk:b`]);
    expect(first.muted.get(warn.fingerprint)).toBe(`inhibited by ${crit.fingerprint}`);
    expect(sent(p.step(60, [warn, otherHost], [resolved(crit, 60)])).sort()).toEqual([`slack:${HOST}|mem:mem(r)`, `slack:${HOST}|risk:a`]);
  });

  it('a silence holds while active and the alert is sent once it expires', () => {
    const m = parseMatcher('comm=~post.*');
    if (!m.ok) throw new Error(m.error);
    const silence: Silence = {
      id: 3,
      matchers: [m.matcher],
      createdAtMs: at(0),
      startsAtMs: at(0),
      endsAtMs: at(3600),
      comment: 'maintenance',
      createdBy: 'ops',
    };
    const p = planner({ channels: [CHANNELS[0]], alerting: { groupWait: '0s' }, silences: [silence] });
    const pg = alert('risk', 'postgres');
    const other = alert('risk', 'java');
    const first = p.step(0, [pg, other]);
    expect(sent(first)).toEqual([`slack:${HOST}|risk:java`]);
    expect(first.muted.get(pg.fingerprint)).toBe('silence #3');
    expect(sent(p.step(1800, [pg, other]))).toEqual([]);
    // expired: postgres is new to the group, and group_interval (5m) has passed
    expect(sent(p.step(3600, [pg, other]))).toEqual([`slack:${HOST}|risk:java,postgres`]);
  });

  it('an expired silence (endsAt moved to now) stops muting at once', () => {
    const m = parseMatcher('alertname=risk');
    if (!m.ok) throw new Error(m.error);
    const p = planner({
      channels: [CHANNELS[0]],
      alerting: { groupWait: '0s' },
      silences: [{ id: 1, matchers: [m.matcher], createdAtMs: at(0), startsAtMs: at(0), endsAtMs: at(10), comment: '', createdBy: '' }],
    });
    expect(p.step(5, [alert('risk', 'a')]).drafts).toEqual([]);
    expect(p.step(10, [alert('risk', 'a')]).drafts).toHaveLength(1);
  });

  it('parseMatcher explains bad input', () => {
    expect(parseMatcher('comm')).toEqual({
      ok: false,
      error: expect.stringMatching(/^cannot read the matcher "comm": expected NAME=VALUE/),
    });
    expect(parseMatcher('comm=~(')).toEqual({ ok: false, error: expect.stringMatching(/is not a valid regular expression/) });
    expect(parseMatcher('host!=db2')).toEqual({ ok: true, matcher: { name: 'host', op: '!=', value: 'db2' } });
    expect(parseMatcher('comm="my app"')).toEqual({ ok: true, matcher: { name: 'comm', op: '=', value: 'my app' } });
  });
});

describe('storm', () => {
  it('sixty alerts of three rules at once become one draft per group and channel, not sixty', () => {
    const p = planner({ channels: [CHANNELS[0]] });
    const firing = [
      ...Array.from({ length: 40 }, (_, i) => alert('risk', `w${String(i).padStart(2, '0')}`)),
      ...Array.from({ length: 20 }, (_, i) =>
        alert('kill', `incident:${i}`, { ruleKind: 'oom-kill', labels: { scope: 'incident', comm: `k${i}` } }),
      ),
      alert('mem', 'host', { severity: 'critical', ruleKind: 'host-memory-available' }),
    ];
    const d0 = p.step(0, firing).drafts; // kills page at once (groupWait 0)
    const d30 = p.step(30, firing).drafts;
    expect(d0.map((d) => [d.groupKey, d.alerts.length])).toEqual([[`${HOST}|kill`, 20]]);
    // the per-process warnings are inhibited by the critical host alert
    expect(d30.map((d) => [d.groupKey, d.alerts.length])).toEqual([[`${HOST}|mem`, 1]]);
  });
});
