import { cpSync, chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CgroupFs } from '../../src/sample/cgroupfs.js';
import { createSampler } from '../../src/sample/host.js';
import { ProcFs } from '../../src/sample/procfs.js';
import { Sampler } from '../../src/sample/sampler.js';
import { OTHER_USER, packageRootForOtherUser } from '../helpers/other-user.js';
import { makeTempDir } from '../helpers/tmp.js';

const FX = join(import.meta.dirname, '../fixtures');
const snapshotOf = (proc: string, cgroup: string) =>
  createSampler({ procRoot: join(FX, 'proc', proc), cgroupRoot: join(FX, 'cgroup', cgroup), refreshEveryMs: 300_000 }).sampler.takeSnapshot(
    1_700_000_000_000,
  );

describe('sampler on a new-kernel, cgroup v2 fixture tree', () => {
  const s = snapshotOf('busy-host', 'v2');

  it('counts a vanished process and a kernel thread instead of failing', () => {
    expect(s.counts).toMatchObject({ listed: 11, sampled: 9, gone: 1, kernelThreads: 1, denied: 0 });
  });

  it('detects the new scale and normalises risk', () => {
    expect(s.scale).toBe('new');
    const firefox = s.processes.find((p) => p.comm === 'Web Content')!;
    expect(firefox.oomScore).toBe(895);
    expect(firefox.risk).toBe(343); // adj 300 + 800 MiB of 18 GiB (43 ‰)
    expect(s.processes.find((p) => p.comm === 'sshd')).toMatchObject({ oomScoreAdj: -1000, immune: true });
  });

  it('keeps identity, cgroup, unit and a redacted command line', () => {
    const pg = s.processes.find((p) => p.pid === 900)!;
    expect(pg).toMatchObject({
      bootId: '6c1a3f52-9b7e-4d1e-8a47-2f0c5d9e1b33',
      startTimeTicks: 1900,
      uid: 105,
      cgroup: '/system.slice/postgresql.service',
      unit: 'postgresql.service',
      exe: '/usr/lib/postgresql/15/bin/postgres',
      swapBytes: 256 * 1024 ** 2,
    });
    const mysql = s.processes.find((p) => p.pid === 2100)!;
    expect(mysql.cmdline).toBe('mysql -uroot -p*** --password=*** postgres://admin:***@db.example/x token=***');
    expect(s.processes.find((p) => p.pid === 1600)!.comm).toBe('a) b');
  });

  it('reads v2 memory cgroups with limits only, and their kill counters', () => {
    expect(s.cgroupVersion).toBe(2);
    expect(s.cgroups.map((c) => c.path)).toEqual(['/system.slice/app.service', '/system.slice/postgresql.service']);
    expect(s.cgroups[0]).toMatchObject({
      limitBytes: 512 * 1024 ** 2,
      usageBytes: 511 * 1024 ** 2,
      swapLimitBytes: 0,
      oomKillCount: 2,
      oomCount: 3,
    });
  });

  it('ranks the host domain by badness and each cgroup against its own limit', () => {
    const host = s.domains.find((d) => d.kind === 'host')!;
    expect(host.ranking.map((r) => r.pid)).toEqual([1500, 900, 1700, 901, 1600, 2100, 1701]);
    const app = s.domains.find((d) => d.id === '/system.slice/app.service')!;
    expect(app.totalBytes).toBe(512 * 1024 ** 2); // swap.max 0: no usable swap
    expect(app.ranking.map((r) => [r.pid, r.risk])).toEqual([
      [1700, 978],
      [1701, 10],
    ]);
    // postgres: limit 2 GiB + usable swap (swap.max is max → the host's 2 GiB)
    expect(s.domains.find((d) => d.id === '/system.slice/postgresql.service')!.totalBytes).toBe(4 * 1024 ** 3);
  });
});

describe('sampler on an old-kernel, cgroup v1 fixture tree', () => {
  const s = snapshotOf('old-kernel', 'v1');
  it('detects the old scale and keeps risk equal to the score', () => {
    expect(s.scale).toBe('old');
    expect(s.processes.find((p) => p.comm === 'mysqld')).toMatchObject({ oomScore: 733, risk: 733 });
    expect(s.psi).toBeNull();
    expect(s.vmstatOomKill).toBeNull();
  });
  it('uses the v1 memory path and memsw for the cgroup domain', () => {
    expect(s.cgroupVersion).toBe(1);
    const leaker = s.cgroups.find((c) => c.path === '/leaker')!;
    expect(leaker).toMatchObject({ version: 1, limitBytes: 512 * 1024 ** 2, swapLimitBytes: 0, oomKillCount: 4 });
    expect(s.domains.find((d) => d.id === '/leaker')!.ranking[0]).toMatchObject({ pid: 720, oomScoreAdj: 500 });
    expect(s.domains.find((d) => d.kind === 'host')!.ranking.map((r) => r.pid)).not.toContain(1); // init is never chosen
  });
});

describe('a process moved to another cgroup', () => {
  it('is seen in its new cgroup once its memory moves', () => {
    const t = makeTempDir();
    try {
      const root = join(t.dir, 'proc');
      cpSync(join(FX, 'proc/busy-host'), root, { recursive: true, verbatimSymlinks: true });
      const { sampler } = createSampler({ procRoot: root, cgroupRoot: join(FX, 'cgroup/v2'), refreshEveryMs: 3_600_000 });
      expect(sampler.takeSnapshot(0).processes.find((p) => p.pid === 1701)!.cgroup).toBe('/system.slice/app.service');
      writeFileSync(join(root, '1701/cgroup'), '0::/system.slice/postgresql.service\n');
      // unchanged memory: the cached cgroup stands until the periodic refresh
      expect(sampler.takeSnapshot(10_000).processes.find((p) => p.pid === 1701)!.cgroup).toBe('/system.slice/app.service');
      const stat = readFileSync(join(root, '1701/stat'), 'utf8').split(' ');
      stat[23] = String(Number(stat[23]) + 5000); // RSS grows by about 20 MiB
      writeFileSync(join(root, '1701/stat'), stat.join(' '));
      const s = sampler.takeSnapshot(20_000);
      expect(s.processes.find((p) => p.pid === 1701)).toMatchObject({
        cgroup: '/system.slice/postgresql.service',
        unit: 'postgresql.service',
      });
      expect(s.domains.find((d) => d.id === '/system.slice/postgresql.service')!.ranking.map((r) => r.pid)).toContain(1701);
    } finally {
      t.cleanup();
    }
  });
});

describe('denied files', () => {
  it.skipIf(process.getuid?.() !== 0)('counts a file denied to a non-root reader instead of failing (needs root to switch user)', () => {
    const t = makeTempDir();
    try {
      const root = join(t.dir, 'proc');
      cpSync(join(FX, 'proc/busy-host'), root, { recursive: true, verbatimSymlinks: true });
      chmodSync(join(root, '900/stat'), 0o000);
      chmodSync(t.dir, 0o755);
      const script = join(t.dir, 'sample.mjs');
      const host = join(packageRootForOtherUser(), 'dist/src/sample/host.js');
      writeFileSync(
        script,
        `import { createSampler } from ${JSON.stringify(host)};\nconst { sampler } = createSampler({ procRoot: ${JSON.stringify(root)}, cgroupRoot: '/nonexistent', refreshEveryMs: 1e6 });\nconsole.log(JSON.stringify(sampler.takeSnapshot(0).counts));\n`,
      );
      const r = spawnSync(process.execPath, [script], { ...OTHER_USER, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toMatchObject({ denied: 1, sampled: 8, gone: 1 });
    } finally {
      t.cleanup();
    }
  });
});

describe('a memory cgroup whose only processes were just killed', () => {
  it('is still read for a few ticks, so the rise of its kill counter is seen', () => {
    const t = makeTempDir('oomwatch-cg-linger-');
    try {
      cpSync(join(FX, 'proc', 'busy-host'), join(t.dir, 'proc'), { recursive: true });
      cpSync(join(FX, 'cgroup', 'v2'), join(t.dir, 'cg'), { recursive: true });
      const { sampler } = createSampler({ procRoot: join(t.dir, 'proc'), cgroupRoot: join(t.dir, 'cg'), refreshEveryMs: 300_000 });
      const app = (snap: ReturnType<typeof sampler.takeSnapshot>) => snap.cgroups.find((c) => c.path === '/system.slice/app.service');
      expect(app(sampler.takeSnapshot(1_700_000_000_000))?.oomKillCount).toBe(2);
      // the OOM killer takes app.service's processes; the kernel raises the counter
      for (const pid of ['1700', '1701']) rmSync(join(t.dir, 'proc', pid), { recursive: true });
      const events = join(t.dir, 'cg', 'system.slice/app.service/memory.events');
      writeFileSync(events, readFileSync(events, 'utf8').replace('oom_kill 2', 'oom_kill 3'));
      const after = sampler.takeSnapshot(1_700_000_010_000);
      expect(after.processes.some((p) => p.cgroup === '/system.slice/app.service')).toBe(false);
      expect(app(after)?.oomKillCount).toBe(3);
      for (let i = 2; i <= 4; i++) sampler.takeSnapshot(1_700_000_000_000 + i * 10_000);
      expect(app(sampler.takeSnapshot(1_700_000_050_000))).toBeUndefined(); // then it is let go
    } finally {
      t.cleanup();
    }
  });
});

describe('a process caught while it dies', () => {
  // What the kernel shows of a dying process (checked on 6.18): cgroup "/", no memory, oom_score 0.
  const dyingFiles = (root: string, pid: number, o: { state: string; flags: number; vsize: number; rssPages: number; status: string }) => {
    const stat = readFileSync(join(root, `${pid}/stat`), 'utf8').split(' ');
    stat[2] = o.state;
    stat[8] = String(o.flags);
    stat[22] = String(o.vsize);
    stat[23] = String(o.rssPages);
    writeFileSync(join(root, `${pid}/stat`), stat.join(' '));
    writeFileSync(join(root, `${pid}/cgroup`), '0::/\n');
    writeFileSync(join(root, `${pid}/oom_score`), '0\n');
    writeFileSync(join(root, `${pid}/status`), o.status);
  };
  const status = (state: string, extra = '') =>
    `Name:\tjava\nState:\t${state}\nPid:\t1700\nPPid:\t1\nUid:\t1001\t1001\t1001\t1001\n${extra}`;
  const cases = [
    {
      name: 'a zombie (state Z, memory gone)',
      state: 'Z',
      flags: 4194564,
      vsize: 0,
      rssPages: 0,
      status: status('Z (zombie)', 'ShdPnd:\t0000000000000000\n'),
    },
    {
      name: 'a tick a few ms after SIGKILL (PF_EXITING, memory still mapped)',
      state: 'R',
      flags: 4194564,
      vsize: 1572864000,
      rssPages: 64000,
      status: status('R (running)', 'VmRSS:\t256000 kB\n'),
    },
    {
      name: 'memory already gone (vsize 0, no VmRSS)',
      state: 'D',
      flags: 4194560,
      vsize: 0,
      rssPages: 0,
      status: status('D (disk sleep)'),
    },
    {
      name: 'an OOM victim stuck in the kernel, its memory taken by the oom_reaper (SIGKILL pending, score 0)',
      state: 'D',
      flags: 4194560,
      vsize: 1572864000,
      rssPages: 10,
      status: status('D (disk sleep)', 'VmRSS:\t40 kB\nShdPnd:\t0000000000000100\nSigPnd:\t0000000000000100\n'),
    },
  ];
  for (const c of cases) {
    it(`${c.name}: keeps its last live facts and is not sampled, ranked or called immune`, () => {
      const t = makeTempDir();
      try {
        const root = join(t.dir, 'proc');
        cpSync(join(FX, 'proc/busy-host'), root, { recursive: true, verbatimSymlinks: true });
        const { sampler } = createSampler({ procRoot: root, cgroupRoot: join(FX, 'cgroup/v2'), refreshEveryMs: 3_600_000 });
        const before = sampler.takeSnapshot(0);
        expect(before.processes.find((p) => p.pid === 1700)).toMatchObject({ cgroup: '/system.slice/app.service', immune: false });
        dyingFiles(root, 1700, c);
        const s = sampler.takeSnapshot(10_000);
        expect(s.processes.find((p) => p.pid === 1700)).toBeUndefined();
        expect(s.counts.gone).toBe(before.counts.gone + 1);
        for (const d of s.domains) expect(d.ranking.map((r) => r.pid)).not.toContain(1700);
        expect(s.domains.find((d) => d.id === '/system.slice/app.service')!.ranking.map((r) => r.pid)).toEqual([1701]);
      } finally {
        t.cleanup();
      }
    });
  }

  it('a process that starts to exit between its stat and its cgroup read is let go, not moved to "/"', () => {
    const t = makeTempDir();
    try {
      const root = join(t.dir, 'proc');
      cpSync(join(FX, 'proc/busy-host'), root, { recursive: true, verbatimSymlinks: true });
      // The kernel's order: the stat read sees it alive; by the next reads it is exiting (cgroup "/").
      class RacingProcFs extends ProcFs {
        exitAfterStat: number | null = null;
        override hotStat(pid: number) {
          const r = super.hotStat(pid);
          if (pid === this.exitAfterStat && r.kind === 'ok') {
            this.exitAfterStat = null;
            dyingFilesKeepStat(root, pid);
          }
          return r;
        }
      }
      const procfs = new RacingProcFs(root);
      const sampler = new Sampler({
        procfs,
        cgroupfs: new CgroupFs(join(FX, 'cgroup/v2')),
        bootId: 'b',
        hostname: 'h',
        kernelRelease: '6.18.0',
        pageSizeBytes: 4096,
        refreshEveryMs: 3_600_000,
      });
      sampler.takeSnapshot(0);
      // Its RSS fell by 4 MiB or more: the sampler re-reads its cgroup this tick.
      const stat = readFileSync(join(root, '1700/stat'), 'utf8').split(' ');
      stat[23] = String(Number(stat[23]) - 5000);
      writeFileSync(join(root, '1700/stat'), stat.join(' '));
      procfs.exitAfterStat = 1700;
      const s = sampler.takeSnapshot(10_000);
      expect(s.processes.find((p) => p.pid === 1700)).toBeUndefined();
      expect(s.processes.some((p) => p.cgroup === '/')).toBe(false);
    } finally {
      t.cleanup();
    }
  });
});

/** After the stat was read: the process is inside do_exit() (PF_EXITING), its cgroup reads "/" and its score 0. */
function dyingFilesKeepStat(root: string, pid: number): void {
  const stat = readFileSync(join(root, `${pid}/stat`), 'utf8').split(' ');
  stat[8] = String(Number(stat[8]) | 4);
  writeFileSync(join(root, `${pid}/stat`), stat.join(' '));
  writeFileSync(join(root, `${pid}/cgroup`), '0::/\n');
  writeFileSync(join(root, `${pid}/oom_score`), '0\n');
}
