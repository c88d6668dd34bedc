-- The host's cgroup version at each tick (1 or 2; NULL when no memory hierarchy was found, and for ticks
-- written before this migration), so reports name the right limit knobs (MemoryMax= on v2,
-- MemoryLimit= on v1). And the tick at which a memory cgroup was no longer there (deleted, or its limit
-- removed): change-only rows alone cannot tell a flat cgroup from a gone one, so `top --at` would show a
-- cgroup deleted after the last keyframe.
ALTER TABLE tick ADD COLUMN cgroup_version INTEGER;

CREATE TABLE cgroup_end (
  tick_id    INTEGER NOT NULL,
  cgroup_id  INTEGER NOT NULL,
  PRIMARY KEY (tick_id, cgroup_id)
) WITHOUT ROWID;
