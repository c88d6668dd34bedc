/**
 * The other victims of a memory.oom.group kill (migration 0011): the incident keeps its chosen victim, this table
 * the tasks killed with it. Rewritten whole when more of the group's kill lines arrive after the incident was stored.
 */
import type { Database } from 'better-sqlite3';
import type { OomReport, OomVictim } from '../model/kernel-report.js';

const KIB = 1024;
const kib = (b: number | null): number | null => (b === null ? null : Math.round(b / KIB));
const bytes = (k: number | null): number | null => (k === null ? null : k * KIB);

interface VictimRow {
  pid: number;
  comm: string;
  uid: number | null;
  total_vm_kib: number | null;
  anon_rss_kib: number | null;
  file_rss_kib: number | null;
  shmem_rss_kib: number | null;
  pgtables_kib: number | null;
  oom_score_adj: number | null;
}

export function createIncidentVictimsRepo(db: Database) {
  const del = db.prepare('DELETE FROM incident_group_victim WHERE incident_id = ?');
  const ins =
    db.prepare(`INSERT INTO incident_group_victim (incident_id, victim_no, pid, comm, uid, total_vm_kib, anon_rss_kib, file_rss_kib,
    shmem_rss_kib, pgtables_kib, oom_score_adj) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const sel = db.prepare('SELECT * FROM incident_group_victim WHERE incident_id = ? ORDER BY victim_no');
  const setGroup = db.prepare('UPDATE incident SET group_cgroup = ?, kill_count = ?, flags = ? WHERE id = ?');

  /** Writes the report's group (cgroup, victims, count, flags) onto incident `id`; inside the caller's transaction or alone. */
  function writeGroup(id: number, r: OomReport): void {
    const others = r.groupVictims ?? [];
    del.run(id);
    others.forEach((v, i) =>
      ins.run(
        id,
        i,
        v.pid,
        v.comm,
        v.uid,
        kib(v.totalVmBytes),
        kib(v.anonRssBytes),
        kib(v.fileRssBytes),
        kib(v.shmemRssBytes),
        kib(v.pageTablesBytes),
        v.oomScoreAdj,
      ),
    );
    setGroup.run(r.groupCgroup ?? null, 1 + others.length, r.flags.join(','), id);
  }

  return {
    writeGroup,
    /** The same, in its own transaction: more of a group's kill lines arrived after its incident was stored. */
    updateGroup: db.transaction((id: number, r: OomReport) => writeGroup(id, r)),
    list(id: number): OomVictim[] {
      return (sel.all(id) as VictimRow[]).map((v) => ({
        pid: v.pid,
        comm: v.comm,
        uid: v.uid,
        totalVmBytes: bytes(v.total_vm_kib),
        anonRssBytes: bytes(v.anon_rss_kib),
        fileRssBytes: bytes(v.file_rss_kib),
        shmemRssBytes: bytes(v.shmem_rss_kib),
        pageTablesBytes: bytes(v.pgtables_kib),
        oomScoreAdj: v.oom_score_adj,
        selectedPid: null,
        selectedScore: null,
      }));
    },
  };
}
