import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { viewFromReport } from '../../src/kernel/incident-view.js';
import { normaliseLogText } from '../../src/kernel/normalise-log.js';
import { assembleReports, OomReportAssembler } from '../../src/kernel/oom-assembler.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'killers', 'kernel');
const reportsOf = (name: string) => assembleReports(normaliseLogText(readFileSync(join(DIR, name), 'utf8')).records);

describe('memory.oom.group: one incident, several victims', () => {
  it('a Kubernetes container (containerd, systemd driver): the victim once, listed again by the kernel, and 8 others', () => {
    const reports = reportsOf('k8s-containerd-group-dmesg-T.txt');
    expect(reports).toHaveLength(1);
    const r = reports[0];
    expect(r.victim).toMatchObject({ pid: 3804874, comm: 'stress', oomScoreAdj: -997 });
    expect(r.groupCgroup).toBe(
      '/kubepods.slice/kubepods-podf9411888_a753_41f4_9520_afc45712f5b5.slice/cri-containerd-85d3a7f5db9b92df4f5930b5bf062cff540084aacfc05310acc6c5cc963023ad.scope',
    );
    // "OOM victim N is already exiting. Skip killing the task" lines are not kills; the victim's second kill line is not another victim.
    expect(r.groupVictims!.map((v) => v.pid)).toEqual([3803554, 3803846, 3804873, 3804875, 3804876, 3804879, 3804880, 3804881, 3804883]);
    expect(r.groupVictims![0]).toMatchObject({ comm: 'sleep', anonRssBytes: 4 * 1024, pageTablesBytes: 32 * 1024, uid: 0 });
    expect(r.flags).toContain('group-kill');
    const view = viewFromReport(r, { source: 'import', hostname: 'h' });
    expect(view.killCount).toBe(10);
    expect(view.killer).toBe('kernel');
  });

  it("5.0: oom_reaper lines interleaved with the group's kill lines; each reaper outcome still goes to the victim", () => {
    const reports = reportsOf('5.0-rc4-memcg-group-dmesg.txt');
    expect(reports).toHaveLength(1);
    const r = reports[0];
    expect(r).toMatchObject({ constraint: 'memcg', oomMemcg: '/test1', groupCgroup: '/test1', victim: { pid: 9188 } });
    expect(r.groupVictims!.map((v) => v.pid)).toEqual([1, 9182, 9183, 9184, 9185, 9186, 9187, 9189, 9190, 9191, 9192]);
    expect(r.reaper?.pid).toBe(9188);
  });

  it('a kill line after the group burst, or after another report begins, is not part of the group', () => {
    const asm = new OomReportAssembler();
    const rec = (text: string, sec: number) => ({ text, seq: null, monotonicUs: sec * 1_000_000, wallMs: null });
    const kill = (pid: number) =>
      `Memory cgroup out of memory: Killed process ${pid} (w) total-vm:100kB, anon-rss:50kB, file-rss:0kB, shmem-rss:0kB`;
    const events = [
      ...asm.push(rec(kill(7), 1)),
      ...asm.push(rec('Tasks in /svc are going to be killed due to memory.oom.group set', 1)),
      ...asm.push(rec(kill(8), 1)),
      ...asm.push(rec(kill(9), 30)), // long after the burst: a kill of its own (rate-limited header)
    ];
    const reports = events.filter((e) => e.kind === 'report').map((e) => (e as { report: { victim: { pid: number } | null } }).report);
    expect(reports.map((r) => r.victim?.pid)).toEqual([7, 9]);
    expect(events.filter((e) => e.kind === 'group')).toHaveLength(2);
  });
});
