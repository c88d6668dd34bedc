import { describe, expect, it } from 'vitest';
import { evaluateRules } from '../../src/rules/evaluate.js';
import { at, compact, driver, healthy, incident, proc, rule, snapshot } from './factories.js';

const risky = (risk: number, overrides = {}) => proc({ pid: 812, comm: 'postgres', risk, ...overrides });
const riskRule = (extra: Record<string, unknown> = {}) =>
  rule({ id: 'risk', kind: 'process-risk', above: 600, clearBelow: 500, domain: 'host', ...extra });
const SUBJECT = `risk|proc:${proc().bootId}:812:5812`;

describe('lifecycle: for, hysteresis, keep_firing_for', () => {
  it('stays pending until the condition held for `for`, then fires once', () => {
    const d = driver([riskRule({ for: '1m' })]);
    const steps: [number, number, string[]][] = [
      [0, 700, [`pending:${SUBJECT}`]],
      [30, 700, []],
      [59, 700, []],
      [60, 700, [`firing:${SUBJECT}`]],
      [70, 700, []],
    ];
    for (const [s, risk, expected] of steps)
      expect(compact(d.tick(snapshot({ atMs: at(s), processes: [risky(risk)] }))), `t=${s}s`).toEqual(expected);
    expect(d.state.instances.get(`risk|db1|proc:${proc().bootId}:812:5812`)?.status).toBe('firing');
  });

  it('a pending alert whose value drops below the raise threshold is cancelled without firing', () => {
    const d = driver([riskRule({ for: '1m' })]);
    d.tick(snapshot({ atMs: at(0), processes: [risky(700)] }));
    expect(compact(d.tick(snapshot({ atMs: at(30), processes: [risky(550)] })))).toEqual([`cancelled:${SUBJECT}`]);
    expect(compact(d.tick(snapshot({ atMs: at(90), processes: [risky(700)] })))).toEqual([`pending:${SUBJECT}`]);
    expect(d.all.some((t) => t.kind === 'firing')).toBe(false);
  });

  it('hysteresis: a firing alert holds between the clear and the raise threshold and resolves below the clear one', () => {
    const d = driver([riskRule()]);
    const table: [number, string[]][] = [
      [700, [`firing:${SUBJECT}`]],
      [590, []], // below raise, above clear: still firing
      [510, []],
      [620, []],
      [499, [`resolved(cleared):${SUBJECT}`]],
      [550, []], // between thresholds, not firing: does not raise
      [600, [`firing:${SUBJECT}`]],
    ];
    table.forEach(([risk, expected], i) =>
      expect(compact(d.tick(snapshot({ atMs: at(i * 10), processes: [risky(risk)] }))), `risk=${risk}`).toEqual(expected),
    );
  });

  it('keep_firing_for keeps a cleared alert firing, and a relapse cancels the countdown', () => {
    const d = driver([riskRule({ keepFiringFor: '30s' })]);
    expect(compact(d.tick(snapshot({ atMs: at(0), processes: [risky(700)] })))).toEqual([`firing:${SUBJECT}`]);
    expect(d.tick(snapshot({ atMs: at(10), processes: [risky(100)] }))).toEqual([]);
    expect(d.tick(snapshot({ atMs: at(30), processes: [risky(100)] }))).toEqual([]);
    expect(d.tick(snapshot({ atMs: at(35), processes: [risky(650)] }))).toEqual([]); // relapse
    expect(d.tick(snapshot({ atMs: at(40), processes: [risky(100)] }))).toEqual([]);
    expect(d.tick(snapshot({ atMs: at(60), processes: [risky(100)] }))).toEqual([]);
    const last = d.tick(snapshot({ atMs: at(70), processes: [risky(100)] }));
    expect(compact(last)).toEqual([`resolved(cleared):${SUBJECT}`]);
    expect(last[0].alert).toMatchObject({ state: 'resolved', resolution: 'cleared', endsAtMs: at(70), startsAtMs: at(0) });
  });

  it('the resolved view keeps identity and says when it started and ended', () => {
    const d = driver([riskRule()]);
    d.tick(snapshot({ atMs: at(0), processes: [risky(700)] }));
    const [t] = d.tick(snapshot({ atMs: at(10), processes: [risky(10)] }));
    expect(t.alert.process).toMatchObject({ pid: 812, startTimeTicks: 5812, comm: 'postgres' });
    expect(t.alert.labels).toMatchObject({ alertname: 'risk', host: 'db1', severity: 'warning', comm: 'postgres', scope: 'process' });
  });
});

describe('lifecycle: a firing process that disappears', () => {
  it('is resolved as oom-killed when an incident names it (pid + start time), linking the incident', () => {
    const d = driver([riskRule()], { vanishWaitTicks: 3 });
    d.tick(snapshot({ atMs: at(0), processes: [risky(700)] }));
    const kill = incident({ id: 42, atMs: at(5), victim: { pid: 812, startTimeTicks: 5812, comm: 'postgres' } });
    const ts = d.tick(snapshot({ atMs: at(10), processes: [] }), { incidents: [kill] });
    expect(compact(ts)).toEqual([`resolved(oom-killed):${SUBJECT}`]);
    expect(ts[0].alert.incidentId).toBe(42);
  });

  it('waits for kill evidence that arrives after the disappearance, between ticks', () => {
    const d = driver([riskRule()], { vanishWaitTicks: 3 });
    d.tick(snapshot({ atMs: at(0), processes: [risky(700)] }));
    expect(d.tick(snapshot({ atMs: at(10), processes: [] }))).toEqual([]);
    expect(d.tick(snapshot({ atMs: at(20), processes: [] }))).toEqual([]);
    // the kernel module reports the kill; the engine is called without a snapshot
    const ts = d.tick(null, { nowMs: at(21), incidents: [incident({ id: 7, atMs: at(9), victim: { pid: 812, comm: 'postgres' } })] });
    expect(compact(ts)).toEqual([`resolved(oom-killed):${SUBJECT}`]);
  });

  it('uses kill evidence reported before the process was seen gone', () => {
    const d = driver([riskRule()]);
    d.tick(snapshot({ atMs: at(0), processes: [risky(700)] }));
    d.tick(snapshot({ atMs: at(10), processes: [risky(700)] }), {
      incidents: [incident({ id: 9, atMs: at(10), victim: { pid: 812, startTimeTicks: 5812, comm: 'postgres' } })],
    });
    expect(compact(d.tick(snapshot({ atMs: at(20), processes: [] })))).toEqual([`resolved(oom-killed):${SUBJECT}`]);
  });

  it('is resolved as exited after the bounded wait when no incident names it', () => {
    const d = driver([riskRule()], { vanishWaitTicks: 2 });
    d.tick(snapshot({ atMs: at(0), processes: [risky(700)] }));
    expect(d.tick(snapshot({ atMs: at(10), processes: [] }))).toEqual([]);
    expect(d.tick(snapshot({ atMs: at(20), processes: [] }))).toEqual([]);
    const ts = d.tick(snapshot({ atMs: at(30), processes: [] }));
    expect(compact(ts)).toEqual([`resolved(exited):${SUBJECT}`]);
    expect(ts[0].alert.incidentId).toBeUndefined();
  });

  it('a zombie (state Z, oom_score 0) is not "risk −1000, cleared": it waits for kill evidence like a vanished process', () => {
    const d = driver([riskRule()], { vanishWaitTicks: 3 });
    expect(compact(d.tick(snapshot({ atMs: at(0), processes: [risky(700)] })))).toEqual([`firing:${SUBJECT}`]);
    // Sampled while its parent has not reaped it: what the kernel shows of a zombie.
    const zombie = risky(-1000, { state: 'Z', oomScore: 0, immune: true, rssBytes: 0, cgroup: '/' });
    expect(d.tick(snapshot({ atMs: at(10), processes: [zombie] }))).toEqual([]);
    const kill = incident({ id: 5, atMs: at(9), victim: { pid: 812, startTimeTicks: 5812, comm: 'postgres' } });
    const ts = d.tick(snapshot({ atMs: at(20), processes: [zombie] }), { incidents: [kill] });
    expect(compact(ts)).toEqual([`resolved(oom-killed):${SUBJECT}`]);
    expect(ts[0].alert.summary).not.toContain('−1000');
  });

  it('does not take a kill of a reused pid (other start time) as evidence', () => {
    const d = driver([riskRule()], { vanishWaitTicks: 0 });
    d.tick(snapshot({ atMs: at(0), processes: [risky(700)] }));
    const other = incident({ id: 3, atMs: at(5), victim: { pid: 812, startTimeTicks: 99, comm: 'postgres' } });
    expect(compact(d.tick(snapshot({ atMs: at(10), processes: [] }), { incidents: [other] }))).toEqual([`resolved(exited):${SUBJECT}`]);
  });

  it('a pid reused by a new process is a new instance, and the old one still vanishes', () => {
    const d = driver([riskRule()], { vanishWaitTicks: 0 });
    d.tick(snapshot({ atMs: at(0), processes: [risky(700)] }));
    const ts = d.tick(snapshot({ atMs: at(10), processes: [risky(800, { startTimeTicks: 9999 })] }));
    expect(compact(ts).sort()).toEqual([`firing:risk|proc:${proc().bootId}:812:9999`, `resolved(exited):${SUBJECT}`].sort());
  });

  it('a pending process that disappears is cancelled, not resolved', () => {
    const d = driver([riskRule({ for: '1m' })]);
    d.tick(snapshot({ atMs: at(0), processes: [risky(700)] }));
    expect(compact(d.tick(snapshot({ atMs: at(10), processes: [] })))).toEqual([`cancelled:${SUBJECT}`]);
  });
});

describe('stale data', () => {
  it('nothing fires or resolves while data is stale; it resumes on fresh data', () => {
    const d = driver([riskRule()], { vanishWaitTicks: 0 });
    d.tick(snapshot({ atMs: at(0), processes: [risky(700)] }));
    // value clears, process vanishes, and a new one crosses the threshold: all on stale data
    expect(d.tick(snapshot({ atMs: at(10), processes: [risky(100)] }), { dataFresh: false })).toEqual([]);
    expect(d.tick(snapshot({ atMs: at(20), processes: [risky(900, { pid: 9, comm: 'x' })] }), { dataFresh: false })).toEqual([]);
    expect(d.state.instances.size).toBe(1);
    expect(compact(d.tick(snapshot({ atMs: at(30), processes: [risky(100)] })))).toEqual([`resolved(cleared):${SUBJECT}`]);
  });

  it('time without data does not count towards `for`: a pending alert restarts its wait after stale data, not after a call between ticks', () => {
    const d = driver([riskRule({ for: '60s' })]);
    expect(compact(d.tick(snapshot({ atMs: at(0), processes: [risky(700)] })))).toEqual([`pending:${SUBJECT}`]);
    d.tick(null, { nowMs: at(20) }); // an OOM kill evaluated between ticks: not a gap
    expect(d.state.instances.values().next().value?.activeSinceMs).toBe(at(0));
    d.tick(snapshot({ atMs: at(600), processes: [risky(700)] }), { dataFresh: false }); // a 10-minute stall
    expect(d.tick(snapshot({ atMs: at(610), processes: [risky(700)] }))).toEqual([]); // watched for 10 s only
    expect(compact(d.tick(snapshot({ atMs: at(660), processes: [risky(700)] })))).toEqual([`firing:${SUBJECT}`]);
  });

  it('a call without a snapshot neither fires nor resolves sample rules', () => {
    const d = driver([riskRule({ for: '10s' })]);
    d.tick(snapshot({ atMs: at(0), processes: [risky(700)] }));
    expect(d.tick(null, { nowMs: at(60) })).toEqual([]);
    expect(d.state.instances.values().next().value?.status).toBe('pending');
  });

  it('agent-health fires on stale data (a stalled sampler is exactly when it must speak)', () => {
    const d = driver([rule({ id: 'health', kind: 'agent-health' })]);
    const ts = d.tick(snapshot({ atMs: at(0) }), { dataFresh: false, health: { samplerStalled: true, brokenChannels: [] } });
    expect(compact(ts)).toEqual(['firing:health|health:sampler-stalled']);
    expect(compact(d.tick(snapshot({ atMs: at(10) })))).toEqual(['resolved(cleared):health|health:sampler-stalled']);
  });

  it('resets trend history after stale data, so a gap is never read as a trend', () => {
    const d = driver([rule({ id: 'up', kind: 'risk-rising', increase: 100, within: '10m' })]);
    d.tick(snapshot({ atMs: at(0), processes: [risky(100)] }));
    d.tick(snapshot({ atMs: at(600), processes: [risky(400)] }), { dataFresh: false });
    expect(d.tick(snapshot({ atMs: at(610), processes: [risky(400)] }))).toEqual([]);
  });

  it('removing a rule from the config ends its instances with a cancelled transition', () => {
    const d = driver([riskRule()]);
    d.tick(snapshot({ atMs: at(0), processes: [risky(700)] }));
    const r = evaluateRules(
      [],
      {
        snapshot: snapshot({ atMs: at(10) }),
        history: d.history,
        incidents: [],
        health: healthy(),
        dataFresh: true,
        isProtected: () => false,
      },
      d.state,
      at(10),
      { host: 'db1', vanishWaitTicks: 0 },
    );
    expect(compact(r.transitions)).toEqual([`cancelled:${SUBJECT}`]);
    expect(r.next.instances.size).toBe(0);
  });
});
