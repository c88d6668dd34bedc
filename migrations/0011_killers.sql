-- Every killer in one ledger: who killed (the kernel or a user-space OOM daemon), its own reason, the other
-- victims of a memory.oom.group kill, and where the user-space killers' log readers resume.
ALTER TABLE incident ADD COLUMN killer TEXT NOT NULL DEFAULT 'kernel'; -- 'kernel' | 'systemd-oomd' | 'earlyoom' | 'nohang' | 'kubelet-eviction'
ALTER TABLE incident ADD COLUMN reason TEXT;                            -- a user-space killer's reason (pressure/swap threshold, badness)
ALTER TABLE incident ADD COLUMN group_cgroup TEXT;                      -- memory.oom.group: the cgroup whose tasks were all killed

-- The other tasks a memory.oom.group kill took with the victim (the victim itself stays on incident). Sizes in KiB.
CREATE TABLE incident_group_victim (
  incident_id    INTEGER NOT NULL REFERENCES incident (id) ON DELETE CASCADE,
  victim_no      INTEGER NOT NULL,                   -- order as printed
  pid            INTEGER NOT NULL,
  comm           TEXT    NOT NULL,
  uid            INTEGER,
  total_vm_kib   INTEGER,
  anon_rss_kib   INTEGER,
  file_rss_kib   INTEGER,
  shmem_rss_kib  INTEGER,
  pgtables_kib   INTEGER,
  oom_score_adj  INTEGER,
  PRIMARY KEY (incident_id, victim_no)
) WITHOUT ROWID;

-- Where each user-space killer log reader resumes: 'journal' (a journalctl cursor) or 'syslog:<path>' (inode:offset).
CREATE TABLE killer_cursor (
  source      TEXT    PRIMARY KEY,
  cursor      TEXT    NOT NULL,
  updated_ms  INTEGER NOT NULL
);
