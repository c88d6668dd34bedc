/**
 * Alert state in SQLite (migrations/0003_alerts.sql): instances, transitions, silences, notification
 * groups and the plan log. The write methods do not open transactions: the engine calls them inside
 * its one per-tick transaction, together with enqueueNotifications (store/outbox-repo.ts).
 */
import type { Database } from 'better-sqlite3';
import { NotFoundError } from '../errors.js';
import type { AlertView, LabelMatcher, Silence } from '../model/alert.js';
import type { GroupState, NotificationDraft } from '../model/notification.js';
import type { Incident } from '../model/incident.js';
import type { InstanceState, Transition } from '../model/rule-state.js';

export interface StoredInstance {
  fingerprint: string;
  ruleId: string;
  status: 'pending' | 'firing';
  severity: string;
  summary: string;
  activeSinceMs: number;
  firedAtMs: number | null;
  mutedBy: string | null;
  updatedAtMs: number;
  alert: AlertView;
}

interface SilenceRow {
  id: number;
  matchers_json: string;
  comment: string;
  created_by: string;
  created_at_ms: number;
  starts_at_ms: number;
  ends_at_ms: number;
  expired_at_ms: number | null;
}

const toSilence = (r: SilenceRow): Silence & { expiredAtMs: number | null } => ({
  id: r.id,
  matchers: JSON.parse(r.matchers_json) as LabelMatcher[],
  comment: r.comment,
  createdBy: r.created_by,
  createdAtMs: r.created_at_ms,
  startsAtMs: r.starts_at_ms,
  endsAtMs: r.ends_at_ms,
  expiredAtMs: r.expired_at_ms,
});

export function createAlertsRepo(db: Database) {
  const upsertInstance = db.prepare(
    `INSERT INTO alert_instance (fingerprint, rule_id, status, severity, summary, active_since_ms, fired_at_ms, muted_by, state_json, updated_at_ms)
     VALUES (@fingerprint, @ruleId, @status, @severity, @summary, @activeSinceMs, @firedAtMs, @mutedBy, @stateJson, @nowMs)
     ON CONFLICT (fingerprint) DO UPDATE SET status = excluded.status, severity = excluded.severity, summary = excluded.summary,
       active_since_ms = excluded.active_since_ms, fired_at_ms = excluded.fired_at_ms, muted_by = excluded.muted_by,
       state_json = excluded.state_json, updated_at_ms = excluded.updated_at_ms`,
  );
  const deleteInstance = db.prepare('DELETE FROM alert_instance WHERE fingerprint = ?');
  const insertEvent = db.prepare(
    `INSERT INTO alert_event (at_ms, fingerprint, rule_id, kind, severity, resolution, incident_id, summary, alert_json)
     VALUES (@atMs, @fingerprint, @ruleId, @kind, @severity, @resolution, @incidentId, @summary, @alertJson)`,
  );
  const upsertGroup = db.prepare(
    `INSERT INTO alert_group (channel, group_key, state_json, updated_at_ms) VALUES (@channel, @groupKey, @stateJson, @nowMs)
     ON CONFLICT (channel, group_key) DO UPDATE SET state_json = excluded.state_json, updated_at_ms = excluded.updated_at_ms`,
  );
  const deleteGroup = db.prepare('DELETE FROM alert_group WHERE channel = ? AND group_key = ?');
  const insertPlan = db.prepare(
    `INSERT OR IGNORE INTO alert_notification (channel, group_key, dedup_key, created_at_ms, n_firing, n_resolved, fingerprints)
     VALUES (@channel, @groupKey, @dedupKey, @createdAtMs, @nFiring, @nResolved, @fingerprints)`,
  );
  const setMeta = db.prepare(
    'INSERT INTO alert_engine_meta (key, value_json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json',
  );
  const getMeta = db.prepare('SELECT value_json FROM alert_engine_meta WHERE key = ?');
  const activeSilences = db.prepare('SELECT * FROM silence WHERE starts_at_ms <= ? AND ends_at_ms > ? ORDER BY id');

  return {
    /** The engine's state as last committed. */
    loadState(): {
      instances: Map<string, InstanceState>;
      groups: Map<string, GroupState>;
      recentIncidents: Incident[];
      written: Map<string, string>;
    } {
      const instances = new Map<string, InstanceState>();
      const written = new Map<string, string>();
      for (const r of db.prepare('SELECT fingerprint, muted_by, state_json FROM alert_instance').all() as {
        fingerprint: string;
        muted_by: string | null;
        state_json: string;
      }[]) {
        instances.set(r.fingerprint, JSON.parse(r.state_json) as InstanceState);
        written.set(r.fingerprint, `${r.muted_by ?? ''}\u0000${r.state_json}`);
      }
      const groups = new Map<string, GroupState>();
      for (const r of db.prepare('SELECT state_json FROM alert_group').all() as { state_json: string }[]) {
        const g = JSON.parse(r.state_json) as GroupState;
        groups.set(`${g.channel}\u0000${g.groupKey}`, g);
      }
      const meta = getMeta.get('recentIncidents') as { value_json: string } | undefined;
      return { instances, groups, recentIncidents: meta ? (JSON.parse(meta.value_json) as Incident[]) : [], written };
    },

    /**
     * Writes instances that changed since `written` (fingerprint → last written key) and deletes those
     * that ended; returns the new `written` map. Call inside the tick's transaction.
     */
    writeInstances(
      instances: ReadonlyMap<string, InstanceState>,
      written: ReadonlyMap<string, string>,
      muted: ReadonlyMap<string, string>,
      nowMs: number,
    ): Map<string, string> {
      const next = new Map<string, string>();
      for (const inst of instances.values()) {
        const stateJson = JSON.stringify(inst);
        const mutedBy = muted.get(inst.fingerprint) ?? null;
        const key = `${mutedBy ?? ''}\u0000${stateJson}`;
        next.set(inst.fingerprint, key);
        if (written.get(inst.fingerprint) === key) continue;
        upsertInstance.run({
          fingerprint: inst.fingerprint,
          ruleId: inst.ruleId,
          status: inst.status,
          severity: inst.alert.severity,
          summary: inst.alert.summary,
          activeSinceMs: inst.activeSinceMs,
          firedAtMs: inst.firedAtMs ?? null,
          mutedBy,
          stateJson,
          nowMs,
        });
      }
      for (const fp of written.keys()) if (!instances.has(fp)) deleteInstance.run(fp);
      return next;
    },

    recordTransitions(transitions: readonly Transition[]): void {
      for (const t of transitions) {
        insertEvent.run({
          atMs: t.atMs,
          fingerprint: t.fingerprint,
          ruleId: t.ruleId,
          kind: t.kind,
          severity: t.alert.severity,
          resolution: t.alert.resolution ?? null,
          incidentId: t.alert.incidentId ?? null,
          summary: t.alert.summary,
          alertJson: JSON.stringify(t.alert),
        });
      }
    },

    writeGroups(groups: ReadonlyMap<string, GroupState>, previous: ReadonlyMap<string, GroupState>, nowMs: number): void {
      for (const g of groups.values()) {
        const json = JSON.stringify(g);
        const before = previous.get(`${g.channel}\u0000${g.groupKey}`);
        if (before && JSON.stringify(before) === json) continue;
        upsertGroup.run({ channel: g.channel, groupKey: g.groupKey, stateJson: json, nowMs });
      }
      for (const [key, g] of previous) if (!groups.has(key)) deleteGroup.run(g.channel, g.groupKey);
    },

    logDrafts(drafts: readonly NotificationDraft[]): void {
      for (const d of drafts) {
        insertPlan.run({
          channel: d.channel,
          groupKey: d.groupKey,
          dedupKey: d.dedupKey,
          createdAtMs: d.createdAtMs,
          nFiring: d.alerts.filter((a) => a.state === 'firing').length,
          nResolved: d.alerts.filter((a) => a.state === 'resolved').length,
          fingerprints: d.alerts.map((a) => a.fingerprint).join(','),
        });
      }
    },

    saveRecentIncidents(incidents: readonly Incident[]): void {
      setMeta.run('recentIncidents', JSON.stringify(incidents));
    },

    /** A small engine fact (e.g. the last incident id handed to the rules). */
    getMeta<T>(key: string): T | undefined {
      const row = getMeta.get(key) as { value_json: string } | undefined;
      return row ? (JSON.parse(row.value_json) as T) : undefined;
    },
    setMeta(key: string, value: unknown): void {
      setMeta.run(key, JSON.stringify(value));
    },

    activeSilences(nowMs: number): Silence[] {
      return (activeSilences.all(nowMs, nowMs) as SilenceRow[]).map(toSilence);
    },

    /** Silences, newest first; expired ones (ended before `nowMs`) only with includeExpired. */
    listSilences(nowMs: number, opts: { includeExpired?: boolean } = {}): (Silence & { expiredAtMs: number | null })[] {
      const rows = (
        opts.includeExpired
          ? db.prepare('SELECT * FROM silence ORDER BY id DESC').all()
          : db.prepare('SELECT * FROM silence WHERE ends_at_ms > ? ORDER BY id DESC').all(nowMs)
      ) as SilenceRow[];
      return rows.map(toSilence);
    },

    addSilence(s: Omit<Silence, 'id'>): number {
      const r = db
        .prepare(
          `INSERT INTO silence (matchers_json, comment, created_by, created_at_ms, starts_at_ms, ends_at_ms)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(JSON.stringify(s.matchers), s.comment, s.createdBy, s.createdAtMs, s.startsAtMs, s.endsAtMs);
      return Number(r.lastInsertRowid);
    },

    /** Ends a silence now. Throws NotFoundError when there is no such silence. Returns false when it had already ended. */
    expireSilence(id: number, nowMs: number): boolean {
      const row = db.prepare('SELECT * FROM silence WHERE id = ?').get(id) as SilenceRow | undefined;
      if (!row) throw new NotFoundError(`There is no silence #${id}. List them with: oomwatch silence list --all`);
      if (row.ends_at_ms <= nowMs) return false;
      db.prepare('UPDATE silence SET ends_at_ms = ?, expired_at_ms = ? WHERE id = ?').run(nowMs, nowMs, id);
      return true;
    },

    /** Pending and firing instances, firing first, most severe first. */
    listInstances(): StoredInstance[] {
      const rows = db
        .prepare(
          `SELECT fingerprint, rule_id, status, severity, summary, active_since_ms, fired_at_ms, muted_by, updated_at_ms, state_json FROM alert_instance
           ORDER BY status = 'firing' DESC, CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, active_since_ms`,
        )
        .all() as {
        fingerprint: string;
        rule_id: string;
        status: 'pending' | 'firing';
        severity: string;
        summary: string;
        active_since_ms: number;
        fired_at_ms: number | null;
        muted_by: string | null;
        updated_at_ms: number;
        state_json: string;
      }[];
      return rows.map((r) => ({
        fingerprint: r.fingerprint,
        ruleId: r.rule_id,
        status: r.status,
        severity: r.severity,
        summary: r.summary,
        activeSinceMs: r.active_since_ms,
        firedAtMs: r.fired_at_ms,
        mutedBy: r.muted_by,
        updatedAtMs: r.updated_at_ms,
        alert: (JSON.parse(r.state_json) as InstanceState).alert,
      }));
    },

    /** Deletes alert history, plan log and silences that ended before `beforeMs` (retention). Returns rows deleted. */
    prune(beforeMs: number): number {
      let n = 0;
      n += db.prepare('DELETE FROM alert_event WHERE at_ms < ?').run(beforeMs).changes;
      n += db.prepare('DELETE FROM alert_notification WHERE created_at_ms < ?').run(beforeMs).changes;
      n += db.prepare('DELETE FROM silence WHERE ends_at_ms < ?').run(beforeMs).changes;
      return n;
    },
  };
}

export type AlertsRepo = ReturnType<typeof createAlertsRepo>;
