/**
 * Incidents (OOM kills) and the /dev/kmsg cursor. Each write is one short transaction: a kill reaches
 * the disk within the same event-loop turn it was parsed in, together with the cursor that says it
 * was read, so a restart neither loses nor repeats it (the dedupe key makes a replay a no-op).
 */
import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import type { IncidentSource, IncidentView, VanishedProcess } from '../model/incident.js';
import type { OomReport, OomTaskRow, ReaperOutcome } from '../model/kernel-report.js';
import { linkVictim, sampledCgroupOf } from './incidents-history.js';
import { createWorkloadsRepo } from './workloads-repo.js';
import { createIncidentVictimsRepo } from './incident-victims.js';
import { kib, viewFromRow, type IncidentRow, type TaskRowDb } from './incident-rows.js';

export interface KmsgCursor {
  bootId: string;
  nextSeq: number;
}

export interface InsertContext {
  source: Exclude<IncidentSource, 'counter'>;
  hostname: string;
  /** Boot the report belongs to (kmsg: this boot; import: from the log when it says, else null). */
  bootId: string | null;
  nowMs: number;
  /** Link the victim to sampled history: the identity alive within this many ms before the kill. */
  linkSlackMs?: number;
  /** Advance the kmsg cursor in the same transaction. */
  cursor?: KmsgCursor;
}

export interface CounterIncident {
  hostname: string;
  bootId: string;
  /** 'host' or the cgroup path whose counter rose. */
  bucket: string;
  cgroup: string | null;
  windowStartMs: number;
  windowEndMs: number;
  killCount: number;
  vanished: VanishedProcess[];
}

function dedupeKey(r: OomReport, ctx: InsertContext): string {
  if (ctx.source === 'kmsg') return `kmsg|${ctx.bootId}|${r.killSeq ?? `t${r.firstSeq}`}`;
  // A user-space killer's incident, read live (journal, syslog) or imported: the same lines give the same key.
  if (r.killer && r.killer !== 'kernel') {
    const lines = createHash('sha1').update(r.rawLines.join('\n')).digest('hex').slice(0, 16);
    return ['killer', r.killer, r.hostname ?? ctx.hostname, ctx.bootId ?? r.bootId ?? '', r.wallMs ?? '', r.victim?.pid ?? '', lines].join(
      '|',
    );
  }
  // A log without the kernel's timestamps (prefix stripped) leaves little to tell two kills apart: the
  // report's own lines do (the same log imported twice still gives the same key).
  // Logs with timestamps keep the key format of earlier versions, so a re-import after an upgrade still matches.
  const key = ['import', ctx.hostname, ctx.bootId ?? '', r.monotonicUs ?? '', r.wallMs ?? '', r.victim?.pid ?? '', r.killSeq ?? ''];
  if (r.monotonicUs === null) key.push(createHash('sha1').update(r.rawLines.join('\n')).digest('hex').slice(0, 16));
  return key.join('|');
}

export function createIncidentsRepo(db: Database) {
  const workloads = createWorkloadsRepo(db);
  const insertIncident = db.prepare(`INSERT OR IGNORE INTO incident (
    source, dedupe_key, hostname, boot_id, kmsg_seq, ts_ms, wall_exact, monotonic_us, window_start_ms, kill_count,
    constraint_kind, constraint_raw, oom_memcg, task_memcg, cpuset, mems_allowed,
    trigger_comm, trigger_pid, gfp_mask, gfp_flags, alloc_order, trigger_oom_score_adj,
    victim_pid, victim_comm, victim_uid, victim_total_vm_kib, victim_anon_rss_kib, victim_file_rss_kib,
    victim_shmem_rss_kib, victim_pgtables_kib, victim_oom_score_adj, selected_pid, selected_score,
    reaped, reaped_ts_ms, reaped_anon_rss_kib, reaped_file_rss_kib, reaped_shmem_rss_kib,
    memcg_counters_json, task_columns, flags, vanished_json, raw_text, created_ms, killer, reason, group_cgroup)
    VALUES (@source, @dedupeKey, @hostname, @bootId, @kmsgSeq, @tsMs, @wallExact, @monotonicUs, @windowStartMs, @killCount,
    @constraint, @constraintRaw, @oomMemcg, @taskMemcg, @cpuset, @memsAllowed,
    @triggerComm, @triggerPid, @gfpMask, @gfpFlags, @order, @triggerAdj,
    @victimPid, @victimComm, @victimUid, @totalVmKib, @anonKib, @fileKib,
    @shmemKib, @pgtablesKib, @victimAdj, @selectedPid, @selectedScore,
    @reaped, @reapedTsMs, @reapedAnonKib, @reapedFileKib, @reapedShmemKib,
    @memcgJson, @taskColumns, @flags, @vanishedJson, @rawText, @createdMs, @killer, @reason, @groupCgroup)`);
  const insertTask = db.prepare(`INSERT INTO incident_task (incident_id, row_no, pid, uid, tgid, total_vm_pages, rss_pages,
    rss_anon_pages, rss_file_pages, rss_shmem_pages, pgtables_bytes, nr_ptes, swapents, oom_score_adj, name)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const setLink = db.prepare('UPDATE incident SET victim_process_id = ?, victim_start_time_ticks = ? WHERE id = ?');
  const setCgroups = db.prepare('UPDATE incident SET constraint_kind = ?, oom_memcg = ?, task_memcg = ?, flags = ? WHERE id = ?');
  const upsertCursor = db.prepare(`INSERT INTO kmsg_cursor (id, boot_id, next_seq, updated_ms) VALUES (1, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET boot_id = excluded.boot_id, next_seq = excluded.next_seq, updated_ms = excluded.updated_ms`);
  const findReapable = db.prepare(`SELECT id FROM incident WHERE victim_pid = ? AND reaped = 0 AND source <> 'counter'
    AND (boot_id IS ? OR ? IS NULL) AND (? IS NULL OR monotonic_us IS NULL OR monotonic_us <= ?) ORDER BY id DESC LIMIT 1`);
  const setReaped = db.prepare(`UPDATE incident SET reaped = 1, reaped_ts_ms = ?, reaped_anon_rss_kib = ?, reaped_file_rss_kib = ?,
    reaped_shmem_rss_kib = ? WHERE id = ?`);

  const base = {
    dedupeKey: '',
    hostname: '',
    bootId: null,
    kmsgSeq: null,
    tsMs: null,
    wallExact: 1,
    monotonicUs: null,
    windowStartMs: null,
    killCount: 1,
    constraint: null,
    constraintRaw: null,
    oomMemcg: null,
    taskMemcg: null,
    cpuset: null,
    memsAllowed: null,
    triggerComm: null,
    triggerPid: null,
    gfpMask: null,
    gfpFlags: null,
    order: null,
    triggerAdj: null,
    victimPid: null,
    victimComm: null,
    victimUid: null,
    totalVmKib: null,
    anonKib: null,
    fileKib: null,
    shmemKib: null,
    pgtablesKib: null,
    victimAdj: null,
    selectedPid: null,
    selectedScore: null,
    reaped: 0,
    reapedTsMs: null,
    reapedAnonKib: null,
    reapedFileKib: null,
    reapedShmemKib: null,
    memcgJson: null,
    taskColumns: null,
    flags: '',
    vanishedJson: null,
    rawText: null,
    killer: 'kernel',
    reason: null,
    groupCgroup: null,
  };
  const victims = createIncidentVictimsRepo(db);

  /** Stores one report (and its task table). Returns its id, and whether it was new (false: already stored). */
  const insertReport = db.transaction((r: OomReport, ctx: InsertContext): { id: number; inserted: boolean } => {
    const v = r.victim;
    const key = dedupeKey(r, ctx);
    const res = insertIncident.run({
      ...base,
      source: ctx.source,
      dedupeKey: key,
      hostname: r.hostname ?? ctx.hostname,
      bootId: ctx.bootId ?? r.bootId,
      kmsgSeq: r.killSeq,
      tsMs: r.wallMs,
      wallExact: r.wallExact ? 1 : 0,
      monotonicUs: r.monotonicUs,
      constraint: r.constraint,
      constraintRaw: r.constraintRaw,
      oomMemcg: r.oomMemcg,
      taskMemcg: r.taskMemcg,
      cpuset: r.cpuset,
      memsAllowed: r.memsAllowed,
      triggerComm: r.trigger?.comm ?? null,
      triggerPid: r.trigger?.pid ?? null,
      gfpMask: r.trigger?.gfpMask ?? null,
      gfpFlags: r.trigger?.gfpFlags ?? null,
      order: r.trigger?.order ?? null,
      triggerAdj: r.trigger?.oomScoreAdj ?? null,
      victimPid: v?.pid ?? null,
      victimComm: v?.comm ?? null,
      victimUid: v?.uid ?? null,
      totalVmKib: kib(v?.totalVmBytes),
      anonKib: kib(v?.anonRssBytes),
      fileKib: kib(v?.fileRssBytes),
      shmemKib: kib(v?.shmemRssBytes),
      pgtablesKib: kib(v?.pageTablesBytes),
      victimAdj: v?.oomScoreAdj ?? null,
      selectedPid: v?.selectedPid ?? null,
      selectedScore: v?.selectedScore ?? null,
      reaped: r.reaper ? 1 : 0,
      reapedTsMs: r.reaper?.wallMs ?? null,
      reapedAnonKib: kib(r.reaper?.anonRssBytes),
      reapedFileKib: kib(r.reaper?.fileRssBytes),
      reapedShmemKib: kib(r.reaper?.shmemRssBytes),
      memcgJson: r.memcgCounters.length ? JSON.stringify(r.memcgCounters) : null,
      taskColumns: r.taskColumns.length ? r.taskColumns.join(' ') : null,
      flags: r.flags.join(','),
      rawText: r.rawLines.join('\n'),
      createdMs: ctx.nowMs,
      killer: r.killer ?? 'kernel',
      reason: r.reason ?? null,
    });
    if (ctx.cursor) upsertCursor.run(ctx.cursor.bootId, ctx.cursor.nextSeq, ctx.nowMs);
    if (res.changes === 0) {
      const row = db.prepare('SELECT id FROM incident WHERE dedupe_key = ?').get(key) as { id: number };
      return { id: row.id, inserted: false };
    }
    const id = Number(res.lastInsertRowid);
    r.tasks.forEach((t, i) => insertTaskRow(id, i, t));
    if (r.groupCgroup) victims.writeGroup(id, r);
    const bootId = ctx.bootId ?? r.bootId;
    if (v && bootId && r.wallMs !== null) {
      const link = linkVictim(db, { bootId, pid: v.pid, killMs: r.wallMs, slackMs: ctx.linkSlackMs ?? 60_000 });
      if (link) {
        setLink.run(link.processId, link.startTimeTicks, id);
        attachSampledCgroup(r, id, link.processId);
      }
    }
    workloads.stampIncident(id);
    return { id, inserted: true };
  });

  /**
   * A kill line whose header was rate-limited names no cgroup. A memory-cgroup kill ("Memory cgroup out of
   * memory: Killed process …") is placed in the victim's sampled cgroup, so it is ranked, reported and
   * cross-checked against the counters in its own domain, not the host's. A bare "Killed process" (before
   * 5.1) gets the victim's cgroup only (the domain is unknown).
   */
  function attachSampledCgroup(r: OomReport, id: number, processId: number): void {
    if (r.oomMemcg !== null || r.taskMemcg !== null || (r.constraint !== null && r.constraint !== 'memcg')) return;
    const at = sampledCgroupOf(db, processId, r.wallMs!);
    if (!at) return;
    const flags = [...r.flags, 'cgroup-from-samples'].join(',');
    setCgroups.run(r.constraint, r.constraint === 'memcg' ? at.oomMemcg : null, at.taskMemcg, flags, id);
  }

  function insertTaskRow(id: number, rowNo: number, t: OomTaskRow): void {
    insertTask.run(
      id,
      rowNo,
      t.pid,
      t.uid,
      t.tgid,
      t.totalVmPages,
      t.rssPages,
      t.rssAnonPages,
      t.rssFilePages,
      t.rssShmemPages,
      t.pgtablesBytes,
      t.nrPtes,
      t.swapents,
      t.oomScoreAdj,
      t.name,
    );
  }

  /** Records a reaper outcome on the latest unreaped incident of that victim. Returns its id, or null. */
  const markReaped = db.transaction((reaper: ReaperOutcome, bootId: string | null, cursor?: KmsgCursor, nowMs = 0): number | null => {
    const row = findReapable.get(reaper.pid, bootId, bootId, reaper.monotonicUs, reaper.monotonicUs) as { id: number } | undefined;
    if (row) setReaped.run(reaper.wallMs, kib(reaper.anonRssBytes), kib(reaper.fileRssBytes), kib(reaper.shmemRssBytes), row.id);
    if (cursor) upsertCursor.run(cursor.bootId, cursor.nextSeq, nowMs);
    return row?.id ?? null;
  });

  /** Stores a kill seen only in the counters ("no kernel report"). */
  const insertCounterIncident = db.transaction((c: CounterIncident, nowMs: number): { id: number; inserted: boolean } => {
    const res = insertIncident.run({
      ...base,
      source: 'counter',
      dedupeKey: `counter|${c.bootId}|${c.bucket}|${c.windowEndMs}`,
      hostname: c.hostname,
      bootId: c.bootId,
      tsMs: c.windowEndMs,
      wallExact: 0,
      windowStartMs: c.windowStartMs,
      killCount: c.killCount,
      constraint: c.cgroup ? 'memcg' : null,
      oomMemcg: c.cgroup,
      vanishedJson: JSON.stringify(c.vanished),
      createdMs: nowMs,
    });
    if (res.changes > 0) workloads.stampIncident(Number(res.lastInsertRowid));
    return { id: Number(res.lastInsertRowid), inserted: res.changes > 0 };
  });

  return {
    /** Stores a report (and the kmsg cursor) in one transaction; `inserted` is false for a report stored before. */
    insertReport: (r: OomReport, ctx: InsertContext): { id: number; inserted: boolean } => insertReport(r, ctx),
    markReaped,
    /** Stores a kill the counters saw without a kernel report. */
    insertCounterIncident: (c: CounterIncident, nowMs: number): { id: number; inserted: boolean } => insertCounterIncident(c, nowMs),
    /** More of a memory.oom.group kill's victims were read after its incident was stored. */
    updateGroup: (id: number, r: OomReport): void => victims.updateGroup(id, r),
    getCursor(): KmsgCursor | null {
      const row = db.prepare('SELECT boot_id, next_seq FROM kmsg_cursor WHERE id = 1').get() as
        { boot_id: string; next_seq: number } | undefined;
      return row ? { bootId: row.boot_id, nextSeq: row.next_seq } : null;
    },
    saveCursor(cursor: KmsgCursor, nowMs: number): void {
      upsertCursor.run(cursor.bootId, cursor.nextSeq, nowMs);
    },
    /** Newest first; an incident whose time is unknown (a boot-relative log) counts from when it was stored. */
    /** Newest first. Times are the kill's, or the storing time when the kill's is unknown. */
    list(opts: { sinceMs?: number; untilMs?: number; hostname?: string; limit?: number } = {}): IncidentView[] {
      const since = opts.sinceMs ?? null;
      const until = opts.untilMs ?? null;
      const host = opts.hostname ?? null;
      const rows = db
        .prepare(
          `SELECT * FROM incident WHERE (? IS NULL OR COALESCE(ts_ms, created_ms) >= ?) AND (? IS NULL OR COALESCE(ts_ms, created_ms) <= ?) AND (? IS NULL OR hostname = ?)
           ORDER BY COALESCE(ts_ms, created_ms) DESC, id DESC LIMIT ?`,
        )
        .all(since, since, until, until, host, host, opts.limit ?? 1000) as IncidentRow[];
      return rows.map((r) => viewFromRow(r, (id) => victims.list(id)));
    },
    get(id: number): IncidentView | null {
      const row = db.prepare('SELECT * FROM incident WHERE id = ?').get(id) as IncidentRow | undefined;
      return row ? viewFromRow(row, (id) => victims.list(id)) : null;
    },
    tasks(id: number): OomTaskRow[] {
      const rows = db.prepare('SELECT * FROM incident_task WHERE incident_id = ? ORDER BY row_no').all(id) as TaskRowDb[];
      return rows.map((t) => ({
        pid: t.pid,
        uid: t.uid,
        tgid: t.tgid,
        totalVmPages: t.total_vm_pages,
        rssPages: t.rss_pages,
        rssAnonPages: t.rss_anon_pages,
        rssFilePages: t.rss_file_pages,
        rssShmemPages: t.rss_shmem_pages,
        pgtablesBytes: t.pgtables_bytes,
        nrPtes: t.nr_ptes,
        swapents: t.swapents,
        oomScoreAdj: t.oom_score_adj,
        name: t.name,
      }));
    },
    /** The newest incident's id (0 when there is none): ids grow with each recorded kill. */
    maxId(): number {
      return (db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM incident').get() as { id: number }).id;
    },
    /** Incidents recorded after `id`, oldest first, without imported logs (those are not kills on this host now). */
    /** Kills recorded after `id` (not imported ones), with the workload kind and namespace the metrics count them by. */
    recordedAfter(
      id: number,
    ): { id: number; source: string; constraint: string; workload: { kind: string; namespace: string | null } | null }[] {
      // workload_json: migration 0010 (model/workload.ts Workload), null without a cgroup.
      return db
        .prepare(
          "SELECT id, source, COALESCE(constraint_kind, 'unknown') AS constraint_kind, workload_json FROM incident WHERE id > ? AND source <> 'import' ORDER BY id",
        )
        .all(id)
        .map((r) => {
          const row = r as { id: number; source: string; constraint_kind: string; workload_json: string | null };
          const w = row.workload_json ? (JSON.parse(row.workload_json) as { kind?: string; namespace?: string | null }) : null;
          return {
            id: row.id,
            source: row.source,
            constraint: row.constraint_kind,
            workload: w?.kind ? { kind: w.kind, namespace: w.namespace ?? null } : null,
          };
        });
    },
    rawText(id: number): string | null {
      const row = db.prepare('SELECT raw_text FROM incident WHERE id = ?').get(id) as { raw_text: string | null } | undefined;
      return row?.raw_text ?? null;
    },
  };
}

export type IncidentsRepo = ReturnType<typeof createIncidentsRepo>;
