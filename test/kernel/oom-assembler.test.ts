import { describe, expect, it } from 'vitest';
import { normaliseLogText } from '../../src/kernel/normalise-log.js';
import { OomReportAssembler, assembleReports } from '../../src/kernel/oom-assembler.js';
import { classifyOomLine } from '../../src/kernel/oom-lines.js';
import type { KernelRecord, OomReport } from '../../src/model/kernel-report.js';
import { listFixtures, readFixture } from './fixtures.js';

const NOW = Date.UTC(2026, 5, 1);
const MiB = 1024 * 1024;
const parse = (name: string): OomReport[] => assembleReports(normaliseLogText(readFixture(name), { nowMs: NOW }).records);

describe('OOM reports from real kernels', () => {
  it('3.10 (RHEL 7) global: pre-5.1 "Kill process … or sacrifice child" + "Killed process", nr_ptes task table', () => {
    const [r, ...rest] = parse('3.10.0-514.6.1.el7-global-1.txt');
    expect(rest).toHaveLength(0);
    expect(r).toMatchObject({
      constraint: 'global',
      constraintRaw: null,
      trigger: { comm: 'sed', pid: 29481, gfpMask: '0x201da', gfpFlags: null, order: 0, oomScoreAdj: 0 },
      cpuset: '/',
      memsAllowed: '0-1',
      victim: {
        pid: 6576,
        comm: 'mysqld',
        uid: 12345,
        anonRssBytes: 20629004 * 1024,
        totalVmBytes: 33914892 * 1024,
        fileRssBytes: 0,
        shmemRssBytes: 0,
        oomScoreAdj: 0,
        selectedPid: 6576,
        selectedScore: 651,
      },
      reaper: null,
      flags: [],
    });
    expect(r.taskColumns).toEqual(['pid', 'uid', 'tgid', 'total_vm', 'rss', 'nr_ptes', 'swapents', 'oom_score_adj', 'name']);
    expect(r.tasks).toHaveLength(85);
    expect(r.tasks.find((t) => t.pid === 6576)).toEqual({
      pid: 6576,
      uid: 12345,
      tgid: 6576,
      totalVmPages: 8478546,
      rssPages: 5157063,
      rssAnonPages: null,
      rssFilePages: null,
      rssShmemPages: null,
      pgtablesBytes: null,
      nrPtes: 15483,
      swapents: 1527848,
      oomScoreAdj: 0,
      name: 'mysqld',
    });
  });

  it('4.18 memcg v1: "Task in … killed as a result of limit of …", usage lines, reaper, no task table', () => {
    const [r, ...rest] = parse('4.18.0-memcg-1.txt');
    expect(rest).toHaveLength(0);
    expect(r).toMatchObject({
      constraint: 'memcg',
      oomMemcg: '/leaker',
      taskMemcg: '/leaker',
      trigger: { comm: 'leaker', pid: 2746, gfpFlags: 'GFP_HIGHUSER_MOVABLE' },
      victim: { pid: 2746, comm: 'leaker', uid: null, anonRssBytes: 521176 * 1024, selectedScore: 998 },
      reaper: { pid: 2746, anonRssBytes: 0, fileRssBytes: 0, shmemRssBytes: 0 },
      flags: ['no-task-table'],
    });
    expect(r.memcgCounters).toEqual([
      { kind: 'memory', usageBytes: 512 * MiB, limitBytes: 512 * MiB, failcnt: 158965 },
      { kind: 'memory+swap', usageBytes: 0, limitBytes: null, failcnt: 0 },
      { kind: 'kmem', usageBytes: 2016 * 1024, limitBytes: null, failcnt: 0 },
    ]);
  });

  it('5.15 memcg v2 (dmesg -T, German weekday): oom-kill summary, nested task memcg, 73-row table', () => {
    const [r, ...rest] = parse('5.15.158-memcg-1.txt');
    expect(rest).toHaveLength(0);
    expect(r).toMatchObject({
      constraint: 'memcg',
      constraintRaw: 'CONSTRAINT_MEMCG',
      oomMemcg: '/lxc/39004',
      taskMemcg: '/lxc/39004/ns/system.slice/docker-a59e4e7d3090c04c6ce5a4b7a8bc85228eb9b96ac00b1284643a8c7c11dda661.scope',
      cpuset: 'docker-a59e4e7d3090c04c6ce5a4b7a8bc85228eb9b96ac00b1284643a8c7c11dda661.scope',
      victim: {
        pid: 3902942,
        comm: 'php-fpm',
        uid: 1000,
        anonRssBytes: 12625252 * 1024,
        shmemRssBytes: 156088 * 1024,
        pageTablesBytes: 26388 * 1024,
        oomScoreAdj: 0,
      },
      wallMs: Date.UTC(2025, 7, 12, 3, 54, 3),
      wallExact: false,
    });
    expect(r.memcgCounters.map((c) => c.kind)).toEqual(['memory', 'swap']);
    expect(r.tasks).toHaveLength(73);
    expect(r.tasks.at(-1)).toMatchObject({ pid: 1083565, oomScoreAdj: -1000, name: 'sshd', pgtablesBytes: 69632 });
  });

  for (const name of ['6.18.44-memcg-2.txt', '6.18.44-memcg-kmsg-3.txt']) {
    it(`6.18 memcg v1 (${name}): rss_anon/rss_file/rss_shmem table, reaper 2 s later`, () => {
      const [r, ...rest] = parse(name);
      expect(rest).toHaveLength(0);
      expect(r).toMatchObject({
        constraint: 'memcg',
        oomMemcg: '/oomprobe',
        taskMemcg: '/oomprobe',
        trigger: { comm: 'python3', pid: 25443, gfpMask: '0xcc0', gfpFlags: 'GFP_KERNEL' },
        victim: {
          pid: 25443,
          comm: 'python3',
          uid: 0,
          anonRssBytes: 63616 * 1024,
          fileRssBytes: 5292 * 1024,
          shmemRssBytes: 1024 * 1024,
          pageTablesBytes: 200 * 1024,
          oomScoreAdj: 0,
        },
        reaper: { pid: 25443, anonRssBytes: 0, fileRssBytes: 64 * 1024, monotonicUs: 919230925 },
        monotonicUs: 917197581,
        flags: [],
      });
      expect(r.tasks.map((t) => [t.pid, t.oomScoreAdj, t.rssAnonPages, t.rssFilePages, t.rssShmemPages])).toEqual([
        [25264, 0, 0, 410, 0],
        [25266, 500, 0, 412, 0],
        [25265, 300, 0, 407, 0],
        [25443, 0, 15904, 1323, 256],
      ]);
      if (name.includes('kmsg')) expect(r).toMatchObject({ firstSeq: 593, killSeq: 674, reaper: { seq: 675 } });
    });
  }
});

describe('OOM reports written from the kernel sources', () => {
  it('4.14 global: the victim is a child of the selected process; nodemask header with two spaces', () => {
    const [r] = parse('synthetic/4.14-global-child-dmesg.txt');
    expect(r).toMatchObject({
      constraint: 'global',
      trigger: { comm: 'stress', pid: 814, gfpFlags: 'GFP_HIGHUSER_MOVABLE|__GFP_ZERO' },
      victim: { pid: 813, selectedPid: 812, selectedScore: 912, uid: 1000, anonRssBytes: 1903784 * 1024 },
      reaper: { pid: 813 },
      flags: ['child-sacrificed'],
    });
    expect(r.taskColumns).toContain('nr_pmds');
    expect(r.tasks).toHaveLength(5);
  });

  it('5.1 memcg: CONSTRAINT_NONE classified by oom_memcg=, escaped UTF-8 comm, adj from the table', () => {
    const [r] = parse('synthetic/5.1-memcg-constraint-none-kmsg.txt');
    expect(r).toMatchObject({
      constraint: 'memcg',
      constraintRaw: 'CONSTRAINT_NONE',
      oomMemcg: '/app.slice/app.service',
      victim: { pid: 2001, comm: 'my wörker', uid: 1000, oomScoreAdj: 200, pageTablesBytes: 585728 },
      trigger: { comm: 'my wörker', pid: 2001 },
      reaper: { pid: 2001 },
      firstSeq: 1181,
      killSeq: 1197,
    });
  });

  it('5.10 global with the oom-kill summary (global_oom), journalctl short', () => {
    const [r] = parse('synthetic/5.10-global-journal-short.txt');
    expect(r).toMatchObject({
      constraint: 'global',
      constraintRaw: 'CONSTRAINT_NONE',
      oomMemcg: null,
      taskMemcg: '/system.slice/app.service',
      victim: { pid: 3001, comm: 'java', uid: 998, anonRssBytes: 7000000 * 1024 },
      reaper: { pid: 3001, wallMs: Date.UTC(2026, 2, 3, 10, 0, 2) },
      hostname: 'web1',
    });
  });

  it('6.1 cgroup v2 memcg with "swap: usage" (kern.log)', () => {
    const [r] = parse('synthetic/6.1-memcg-v2-kern-log.txt');
    expect(r).toMatchObject({
      constraint: 'memcg',
      oomMemcg: '/system.slice/postgresql.service',
      victim: { pid: 4410, uid: 105 },
      reaper: null,
    });
    expect(r.memcgCounters[1]).toEqual({ kind: 'swap', usageBytes: 256 * MiB, limitBytes: 256 * MiB, failcnt: 17 });
  });

  it('6.8 global with rss_anon/rss_file/rss_shmem columns (journal JSON)', () => {
    const reports = parse('synthetic/6.8-global-journal-json.txt');
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      constraint: 'global',
      victim: { pid: 9100, oomScoreAdj: 300 },
      wallExact: true,
      bootId: '0f3c2a1b9d8e4f7a8b6c5d4e3f2a1b0c',
    });
    expect(reports[0].tasks[1]).toMatchObject({
      pid: 9100,
      rssAnonPages: 3890000,
      rssFilePages: 10000,
      rssShmemPages: 0,
      pgtablesBytes: 31457280,
    });
  });

  it('interleaved records, back-to-back kills, a late reaper, a lone kill line, a cut report, a trailing header', () => {
    const reports = parse('synthetic/6.6-situations-dmesg.txt');
    expect(reports.map((r) => [r.victim?.pid ?? null, r.constraint, r.oomMemcg, r.flags, r.reaper !== null])).toEqual([
      [501, 'memcg', '/jobs/a', [], true],
      [611, 'memcg', '/jobs/b', [], false],
      [712, 'memcg', null, ['no-header'], false],
      [null, 'memcg', null, ['truncated'], false],
      [801, 'memcg', '/jobs/c', ['no-task-table'], false],
      [null, 'global', null, ['truncated'], false],
    ]);
    // Foreign records inside the task table do not break it.
    expect(reports[0].tasks.map((t) => t.pid)).toEqual([500, 501]);
    expect(reports[1].taskMemcg).toBe('/jobs/b/step1');
    expect(reports[0].reaper?.monotonicUs).toBe(302040000);
  });
});

describe('OomReportAssembler (streaming)', () => {
  const rec = (seq: number, text: string): KernelRecord => ({ text, seq, monotonicUs: seq * 1000, wallMs: null });

  it('emits the report on its kill line and the reaper later as its own event', () => {
    const asm = new OomReportAssembler();
    expect(asm.push(rec(1, 'a invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0'))).toEqual([]);
    expect(asm.pendingSinceSeq).toBe(1);
    const ev = asm.push(
      rec(
        2,
        'Memory cgroup out of memory: Killed process 7 (a) total-vm:10kB, anon-rss:8kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4kB oom_score_adj:0',
      ),
    );
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ kind: 'report', report: { killSeq: 2, firstSeq: 1, victim: { pid: 7 } } });
    expect(asm.pendingSinceSeq).toBeNull();
    expect(asm.push(rec(3, 'oom_reaper: reaped process 7 (a), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB'))).toEqual([
      {
        kind: 'reaped',
        reaper: { pid: 7, comm: 'a', anonRssBytes: 0, fileRssBytes: 0, shmemRssBytes: 0, monotonicUs: 3000, wallMs: null, seq: 3 },
      },
    ]);
  });

  it('ignores CPU/memory lines of other splats when no report is open', () => {
    const asm = new OomReportAssembler();
    expect(asm.push(rec(1, 'CPU: 0 PID: 1 Comm: x Not tainted 6.1 #1'))).toEqual([]);
    expect(asm.push(rec(2, 'memory: usage 1kB, limit 2kB, failcnt 0'))).toEqual([]);
    expect(asm.flush()).toEqual([]);
  });

  it('parses every fixture into at least one report with a victim or a truncation flag', () => {
    for (const name of listFixtures()) {
      const reports = parse(name);
      expect(reports.length, name).toBeGreaterThan(0);
      for (const r of reports) expect(r.victim !== null || r.flags.includes('truncated'), name).toBe(true);
    }
  });
});

describe('the oom-kill summary line', () => {
  it('reads a mems_allowed node list with commas (non-contiguous NUMA nodes) and keeps oom_memcg', () => {
    const l = classifyOomLine(
      'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,2-3,oom_memcg=/ctr,task_memcg=/ctr/app,task=python3,pid=4242,uid=0',
    );
    expect(l).toMatchObject({
      kind: 'summary',
      constraintRaw: 'CONSTRAINT_MEMCG',
      cpuset: '/',
      memsAllowed: '0,2-3',
      oomMemcg: '/ctr',
      taskMemcg: '/ctr/app',
      comm: 'python3',
      pid: 4242,
    });
    const none = classifyOomLine(
      'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,8,oom_memcg=/ctr,task_memcg=/ctr,task=a,pid=1,uid=0',
    );
    expect(none).toMatchObject({ memsAllowed: '0,8', oomMemcg: '/ctr' });
    expect(
      classifyOomLine(
        'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=a,pid=1,uid=0',
      ),
    ).toMatchObject({ memsAllowed: '0', oomMemcg: null });
  });
});
