/**
 * A memory.oom.group kill read from a kmsg file by the watcher: one incident, told once with all its victims; the
 * group's kill lines read in a later poll are added to that incident; the counters cross-check counts every victim.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { createTestWatcher } from './test-watcher.js';
import type { IncidentView } from '../../src/model/incident.js';
import { openDatabase } from '../../src/store/db.js';
import { createIncidentsRepo } from '../../src/store/incidents-repo.js';
import { snapshot } from '../helpers/snapshots.js';
import { makeTempDir } from '../helpers/tmp.js';
import { until } from '../helpers/until.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const kill = (pid: number, comm: string) =>
  `Memory cgroup out of memory: Killed process ${pid} (${comm}) total-vm:13632272kB, anon-rss:1489488kB, file-rss:264kB, shmem-rss:0kB, UID:0 pgtables:2956kB oom_score_adj:-997`;
const CG = '/kubepods.slice/kubepods-podf9411888_a753_41f4_9520_afc45712f5b5.slice/cri-containerd-85d3a7f5db9b.scope';

function setup() {
  const t = makeTempDir();
  const kmsgPath = join(t.dir, 'kmsg');
  writeFileSync(kmsgPath, '');
  const db = openDatabase(join(t.dir, 'oomwatch.db'));
  const seen: IncidentView[] = [];
  const w = createTestWatcher(db, kmsgPath, seen);
  cleanups.push(
    () => t.cleanup(),
    () => void db.close(),
  );
  let seq = 100;
  const nowUs = () => Math.round(systemClock.monotonicMs() * 1000);
  const write = (texts: string[]) => appendFileSync(kmsgPath, texts.map((t) => `6,${seq++},${nowUs()},-;${t}\n`).join(''));
  return { db, w, seen, write };
}

describe('the watcher and memory.oom.group', () => {
  it('stores one incident with every victim and tells it once; victims read in a later poll are added to it', async () => {
    const { db, w, seen, write } = setup();
    w.start();
    cleanups.push(() => w.stop());
    write([
      `oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=x,mems_allowed=0,oom_memcg=${CG},task_memcg=${CG},task=stress,pid=4874,uid=0`,
      kill(4874, 'stress'),
      `Tasks in ${CG} are going to be killed due to memory.oom.group set`,
      kill(3554, 'sleep'),
      kill(3846, 'bash'),
      kill(4874, 'stress'),
    ]);
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ killCount: 3, groupCgroup: CG, victim: { pid: 4874 }, flags: expect.arrayContaining(['group-kill']) });
    expect(seen[0].groupVictims.map((v) => v.pid)).toEqual([3554, 3846]);
    const repo = createIncidentsRepo(db);
    write([kill(4875, 'stress')]);
    await until(() => repo.get(seen[0].id!)!.groupVictims.length === 3);
    expect(repo.get(seen[0].id!)!.killCount).toBe(4);
    expect((db.prepare('SELECT count(*) AS n FROM incident').get() as { n: number }).n).toBe(1);
    expect(seen).toHaveLength(1);
  });

  it('the kill counters rose once per victim: every rise is explained, no "no kernel report" incident', async () => {
    const { db, w, seen, write } = setup();
    w.start();
    cleanups.push(() => w.stop());
    // A kill logged in the same millisecond the watcher started may convert to a wall time just before its start,
    // and kills from before the start are in the counters' baseline: let a first record be read before the kill.
    write(['usb 1-1: new high-speed USB device number 3 using xhci_hcd']);
    await until(() => w.status().lastSeq === 100);
    write([
      kill(4874, 'stress'),
      `Tasks in ${CG} are going to be killed due to memory.oom.group set`,
      kill(3554, 'sleep'),
      kill(3846, 'bash'),
    ]);
    await until(() => seen.length === 1);
    const cg = (n: number) => ({
      path: CG,
      version: 2 as const,
      usageBytes: 1,
      limitBytes: 64 * 1024 ** 2,
      swapUsageBytes: null,
      swapLimitBytes: null,
      oomKillCount: n,
      oomCount: 1,
    });
    const t = Date.now();
    const s1 = { ...snapshot(t - 2000, [], [cg(0)]), vmstatOomKill: 0 };
    const s2 = { ...snapshot(t - 1000, [], [cg(3)]), vmstatOomKill: 3 };
    const s3 = { ...snapshot(t, [], [cg(3)]), vmstatOomKill: 3 };
    w.onTick(null, s1);
    w.onTick(s1, s2);
    w.onTick(s2, s3);
    expect(seen).toHaveLength(1);
    expect((db.prepare("SELECT count(*) AS n FROM incident WHERE source = 'counter'").get() as { n: number }).n).toBe(0);
  });
});
