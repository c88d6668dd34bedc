import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { validateConfig } from '../../src/config/validate.js';
import { StoreError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import type { NotificationDraft } from '../../src/model/notification.js';
import { createAlertEngine } from '../../src/alerts/engine.js';
import type { HealthFacts } from '../../src/model/rule-state.js';
import { createAlertsRepo } from '../../src/store/alerts-repo.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { enqueueNotifications } from '../../src/store/outbox-repo.js';
import { at, HOST, incident, proc, snapshot } from '../rules/factories.js';
import { createStore } from '../../src/store/store.js';

let dir: string;
let path: string;
const open: Database[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oomwatch-rules-'));
  path = join(dir, 'oomwatch.db');
});
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});
const db = () => {
  const d = openDatabase(path);
  open.push(d);
  return d;
};

function config(raw: Record<string, unknown> = {}): Config {
  const r = validateConfig({
    channels: { ops: { type: 'console' } },
    alerting: { groupWait: '0s', groupInterval: '0s' },
    rules: {
      replaceDefaults: true,
      list: [
        { id: 'risk', kind: 'process-risk', above: 600, clearBelow: 500, domain: 'host' },
        { id: 'kill', kind: 'oom-kill' },
      ],
    },
    ...raw,
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config;
}
const healthy: HealthFacts = { samplerStalled: false, brokenChannels: [] };
const input = (risk: number, atS: number, extra: Partial<{ pid: number; incidents: ReturnType<typeof incident>[] }> = {}) => ({
  snapshot: snapshot({ atMs: at(atS), processes: risk >= 0 ? [proc({ pid: extra.pid ?? 812, comm: 'postgres', risk })] : [] }),
  incidents: extra.incidents ?? [],
  health: healthy,
  dataFresh: true,
  isProtected: () => false,
});
const outbox = (d: Database) =>
  d.prepare('SELECT channel, dedup_key, payload_json FROM outbox ORDER BY id').all() as {
    channel: string;
    dedup_key: string;
    payload_json: string;
  }[];
const count = (d: Database, table: string) => (d.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('alert engine on a real SQLite file', () => {
  it('writes state, history, plan log and outbox together, and continues after a restart without re-announcing', () => {
    const d1 = db();
    const e1 = createAlertEngine({ store: createStore(d1), log: silentLogger(), config: config(), hostname: HOST });
    expect(e1.onTick(input(700, 0), at(0))).toMatchObject({ firing: 1, pending: 0 });
    expect(outbox(d1)).toHaveLength(1);
    const draft = JSON.parse(outbox(d1)[0].payload_json) as NotificationDraft;
    expect(draft).toMatchObject({
      channel: 'ops',
      groupKey: `${HOST}|risk`,
      alerts: [{ state: 'firing', summary: 'postgres (pid 812) risk 700 ‰ ≥ 600 ‰' }],
    });
    expect(count(d1, 'alert_instance')).toBe(1);
    expect(count(d1, 'alert_notification')).toBe(1);
    d1.close();

    // restart: the firing alert is restored, it is not announced again, and its resolution is sent
    const d2 = db();
    const e2 = createAlertEngine({ store: createStore(d2), log: silentLogger(), config: config(), hostname: HOST });
    expect(e2.firingAlerts().map((a) => a.fingerprint)).toEqual([`risk|${HOST}|proc:${proc().bootId}:812:5812`]);
    expect(e2.onTick(input(700, 10), at(10))).toMatchObject({ firing: 1, pending: 0 });
    expect(outbox(d2)).toHaveLength(1);
    e2.onTick(input(100, 20), at(20));
    const rows = outbox(d2);
    expect(rows).toHaveLength(2);
    expect((JSON.parse(rows[1].payload_json) as NotificationDraft).alerts.map((a) => [a.state, a.resolution])).toEqual([
      ['resolved', 'cleared'],
    ]);
    expect(count(d2, 'alert_instance')).toBe(0);
    const events = d2.prepare('SELECT kind, resolution FROM alert_event ORDER BY id').all();
    expect(events).toEqual([
      { kind: 'firing', resolution: null },
      { kind: 'resolved', resolution: 'cleared' },
    ]);
  });

  it('is atomic: a failure after the state is written leaves nothing behind, and the next tick redoes the work', () => {
    const d = db();
    let fail = true;
    const enqueue = (drafts: NotificationDraft[]) => {
      enqueueNotifications(d, drafts);
      if (fail) throw Object.assign(new Error('disk full'), { code: 'SQLITE_FULL' });
    };
    const e = createAlertEngine({ store: createStore(d), log: silentLogger(), config: config(), hostname: HOST, enqueue });
    expect(() => e.onTick(input(700, 0), at(0))).toThrow(StoreError);
    expect(() => e.onTick(input(700, 0), at(0))).toThrow(/disk holding the database is full/);
    for (const table of ['alert_instance', 'alert_event', 'alert_group', 'alert_notification', 'outbox'])
      expect(count(d, table), table).toBe(0);
    expect(e.firingAlerts()).toEqual([]);

    fail = false;
    e.onTick(input(700, 10), at(10));
    expect(count(d, 'alert_instance')).toBe(1);
    expect(count(d, 'outbox')).toBe(1);
    expect(d.prepare('SELECT kind FROM alert_event').all()).toEqual([{ kind: 'firing' }]);
  });

  it('keeps a pending timer across a restart', () => {
    const cfg = config({
      rules: { replaceDefaults: true, list: [{ id: 'risk', kind: 'process-risk', above: 600, for: '1m', domain: 'host' }] },
    });
    const e1 = createAlertEngine({ store: createStore(db()), log: silentLogger(), config: cfg, hostname: HOST });
    expect(e1.onTick(input(700, 0), at(0))).toMatchObject({ firing: 0, pending: 1 });
    open[0].close();
    const e2 = createAlertEngine({ store: createStore(db()), log: silentLogger(), config: cfg, hostname: HOST });
    expect(e2.onTick(input(700, 30), at(30))).toMatchObject({ firing: 0, pending: 1 });
    expect(e2.onTick(input(700, 60), at(60))).toMatchObject({ firing: 1, pending: 0 });
  });

  it('a silence added in the store (by the CLI) mutes the alert and is recorded as why', () => {
    const d = db();
    const repo = createAlertsRepo(d);
    const id = repo.addSilence({
      matchers: [{ name: 'comm', op: '=', value: 'postgres' }],
      comment: 'maintenance',
      createdBy: 'ops',
      createdAtMs: at(0),
      startsAtMs: at(0),
      endsAtMs: at(60),
    });
    const e = createAlertEngine({ store: createStore(d), log: silentLogger(), config: config(), hostname: HOST });
    e.onTick(input(700, 0), at(0));
    expect(count(d, 'outbox')).toBe(0);
    expect(repo.listInstances()[0]).toMatchObject({ status: 'firing', mutedBy: `silence #${id}` });
    expect(e.firingAlerts()).toEqual([]); // what the channels were told

    expect(repo.expireSilence(id, at(30))).toBe(true);
    e.onTick(input(700, 31), at(31));
    expect(count(d, 'outbox')).toBe(1);
    expect(repo.listInstances()[0].mutedBy).toBeNull();
    expect(e.firingAlerts().map((a) => a.ruleId)).toEqual(['risk']);
  });

  it('a process killed by the OOM killer: the kill pages at once, its risk alert resolves as oom-killed with the incident', () => {
    const d = db();
    const e = createAlertEngine({ store: createStore(d), log: silentLogger(), config: config(), hostname: HOST });
    e.onTick(input(700, 0), at(0));
    const kill = incident({ id: 11, atMs: at(3), victim: { pid: 812, startTimeTicks: 5812, comm: 'postgres' } });
    e.onTick({ ...input(700, 0), snapshot: null, incidents: [kill] }, at(3));
    e.onTick(input(-1, 10), at(10));
    const drafts = outbox(d).map((r) => JSON.parse(r.payload_json) as NotificationDraft);
    expect(drafts.map((x) => x.alerts.map((a) => `${a.ruleId}:${a.state}:${a.resolution ?? ''}:${a.incidentId ?? ''}`))).toEqual([
      ['risk:firing::'],
      ['kill:firing::11'],
      ['risk:resolved:oom-killed:11'],
    ]);
  });

  it('prune removes alert history, plan log and ended silences older than the cutoff, never live state', () => {
    const d = db();
    const repo = createAlertsRepo(d);
    repo.addSilence({
      matchers: [{ name: 'host', op: '=', value: HOST }],
      comment: 'old',
      createdBy: 'ops',
      createdAtMs: at(0),
      startsAtMs: at(0),
      endsAtMs: at(60),
    });
    repo.addSilence({
      matchers: [{ name: 'host', op: '=', value: HOST }],
      comment: 'long',
      createdBy: 'ops',
      createdAtMs: at(0),
      startsAtMs: at(0),
      endsAtMs: at(100_000),
    });
    const e = createAlertEngine({ store: createStore(d), log: silentLogger(), config: config(), hostname: HOST });
    e.onTick(input(700, 0), at(0)); // muted by the silences: an event row, no plan row
    expect(count(d, 'alert_event')).toBe(1);
    expect(repo.prune(at(3600))).toBe(2); // the event and the ended silence
    expect(count(d, 'alert_event')).toBe(0);
    expect(repo.listSilences(at(3600), { includeExpired: true }).map((s) => s.comment)).toEqual(['long']);
    expect(count(d, 'alert_instance')).toBe(1);
  });

  it('expireSilence names the fix for an unknown id', () => {
    expect(() => createAlertsRepo(db()).expireSilence(99, at(0))).toThrow(
      'There is no silence #99. List them with: oomwatch silence list --all',
    );
  });
});
