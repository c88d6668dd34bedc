import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OomReport } from '../../src/model/kernel-report.js';
import { KillerLogParser } from '../../src/killers/parse.js';
import { parseProgramLine, type ProgramLine } from '../../src/killers/program-line.js';
import { programLine } from './program-lines.js';

const DIR = join(import.meta.dirname, '../fixtures/killers');
// One fixed instant anchors syslog dates without a year; nothing here reads the clock.
const NOW = Date.UTC(2026, 11, 7, 12);

/** A saved log (syslog or journal JSON) through the parser. */
function fromLog(name: string): OomReport[] {
  const p = new KillerLogParser();
  return readFileSync(join(DIR, name), 'utf8')
    .split('\n')
    .map((l) => parseProgramLine(l, NOW))
    .filter((l): l is ProgramLine => l !== null)
    .flatMap((l) => p.push(l));
}

/** Published messages without their syslog prefix, as one program's lines. */
function fromMessages(name: string, identifier: string): OomReport[] {
  const p = new KillerLogParser();
  const line = (text: string) => programLine(identifier, text);
  return readFileSync(join(DIR, name), 'utf8')
    .split('\n')
    .flatMap((t) => p.push(line(t)));
}

describe('user-space killers', () => {
  it('earlyoom 1.8.x (syslog, ISO time): the victim with uid and adj, the reason with the limits and the memory state', () => {
    const [r, ...rest] = fromLog('earlyoom-1.8-syslog-iso.txt');
    expect(rest).toEqual([]);
    expect(r).toMatchObject({
      killer: 'earlyoom',
      hostname: 'gw-ms-a2',
      wallMs: Date.parse('2026-09-10T21:54:23-04:00'),
      wallExact: true,
      victim: { pid: 2232050, comm: 'bun', uid: 1000, oomScoreAdj: 0 },
    });
    expect(r.reason).toBe(
      'SIGTERM; oom_score 712; VmRSS 4514 MiB; at or below SIGTERM limits: mem  8.00%, swap 30.42%; mem avail: 1200 of 17518 MiB ( 6.85%), swap free: 13345 of 47119 MiB (28.32%)',
    );
    expect(r.rawLines).toHaveLength(3);
  });

  it('earlyoom ≤ 1.7 badness lines, a comm with parentheses', () => {
    const rs = fromMessages('earlyoom-1.7-messages.txt', 'earlyoom');
    expect(rs.map((r) => [r.victim?.pid, r.victim?.comm, r.victim?.uid])).toEqual([
      [2677144, 'llama-server', 996],
      [1985588, '(sd-pam)', 1000],
    ]);
    expect(rs[0].reason).toMatch(
      /^SIGTERM; badness 1022; VmRSS 11791 MiB; at or below SIGTERM limits: mem 10.00%, swap 10.00%; mem avail: 11750/,
    );
  });

  it("earlyoom's SIGKILL after its SIGTERM to the same process is the same kill", () => {
    const p = new KillerLogParser();
    const at = (text: string, wallMs: number) => programLine('earlyoom', text, { pid: 9, wallMs, wallExact: true });
    const term = p.push(at('sending SIGTERM to process 42 uid 0 "x": badness 900, VmRSS 100 MiB', 1000));
    const kill = p.push(at('sending SIGKILL to process 42 uid 0 "x": badness 900, VmRSS 100 MiB', 1500));
    expect(term).toHaveLength(1);
    expect(kill).toEqual([]);
  });

  it('systemd-oomd: the killed cgroup, the monitored one, and the pressure as the reason', () => {
    const rs = fromLog('systemd-oomd-syslog.txt');
    expect(rs).toHaveLength(2);
    expect(rs[0]).toMatchObject({
      killer: 'systemd-oomd',
      victim: null,
      taskMemcg: '/user.slice/user-1000.slice/user@1000.service/app.slice/ptyxis-spawn-0b869d19-….scope',
      oomMemcg: '/user.slice/user-1000.slice/user@1000.service',
      reason: 'memory pressure on /user.slice/user-1000.slice/user@1000.service 86.80% > 50.00% for > 20s with reclaim activity',
      hostname: 'dvd-nas',
      wallExact: false,
    });
    expect(rs[1].taskMemcg).toBe('/user.slice/user-1000.slice/user@1000.service/app.slice/flatpak-session-helper.service');
  });

  it('systemd-oomd swap kills from the journal; a kill line of an unknown format is kept raw, flagged unparsed', () => {
    const rs = fromLog('synthetic/systemd-oomd-swap-journal.json');
    expect(rs).toHaveLength(2);
    expect(rs[0]).toMatchObject({
      killer: 'systemd-oomd',
      taskMemcg: '/system.slice/batch.service',
      bootId: '8d2f6a0c1b7e4e3f9a51c0d2e4b6a8c1',
      monotonicUs: 917197581,
      wallMs: 1765000000123,
      flags: [],
    });
    expect(rs[0].reason).toBe('swap used 7516192768 of 8589930496 bytes (87.50%) > 90.00%');
    expect(rs[1]).toMatchObject({ killer: 'systemd-oomd', flags: ['unparsed'], reason: null, taskMemcg: '/system.slice/batch.service' });
    expect(rs[1].rawLines[0]).toMatch(/a format this parser has not seen/);
  });

  it('kubelet: a memory eviction told once over its three lines; disk evictions are not OOM kills; an unknown eviction line is kept raw', () => {
    const rs = fromLog('synthetic/kubelet-memory-eviction.txt');
    expect(rs.map((r) => [r.killer, r.reason, r.flags])).toEqual([
      ['kubelet-eviction', 'pod shop/cart-6f7d9c-x2k4q evicted to reclaim memory', []],
      ['kubelet-eviction', null, ['unparsed']],
    ]);
    expect(rs[0]).toMatchObject({ hostname: 'node-3', victim: null });
  });

  it('kubelet: real structured and klog-era lines, the resource not logged', () => {
    expect(fromLog('kubelet-journal-short.txt').map((r) => r.reason)).toEqual([
      'pod default/nginx evicted (the resource to reclaim was not in the log)',
    ]);
    expect(fromMessages('kubelet-1.13-messages.txt', 'kubelet').map((r) => r.reason)).toEqual([
      'pod kube-proxy-kfs8p_kube-system(27fd6b4b-33cf-11e9-ae1d-00155d4b0144) evicted (the resource to reclaim was not in the log)',
    ]);
  });

  it('nohang 0.2 as a service (one journal entry per line) and nohang 0.1', () => {
    const [n2] = fromLog('synthetic/nohang-0.2-journal-short.txt');
    expect(n2).toMatchObject({ killer: 'nohang', victim: { pid: 12345, comm: 'stress', uid: 1000, oomScoreAdj: 0 } });
    expect(n2.reason).toBe(
      'SIGKILL; badness 912; MemAvailable [310 MiB, 4.0 %] <= hard_threshold_min_mem [310 MiB, 4.0 %]; SwapFree [0 MiB, 0.0 %] <= hard_threshold_min_swap [0 MiB, 0 %]',
    );
    const [n1, ...more] = fromMessages('nohang-0.1-messages.txt', 'nohang');
    expect(more).toEqual([]);
    expect(n1).toMatchObject({ killer: 'nohang', victim: { pid: 9841, comm: 'stress' } });
    expect(n1.reason).toBe(
      'SIGKILL; badness 87; VmRSS 513 MiB; MemAvailable (342 MiB, 5.8 %) < mem_min_sigkill (353 MiB, 6.0 %); SwapFree (0 MiB, 0.0 %) < swap_min_sigkill (0 MiB, - %)',
    );
  });

  it("lines of other programs, and a killer's status lines, tell nothing", () => {
    const p = new KillerLogParser();
    const l = programLine;
    expect(p.push(l('sshd', 'Killed /x due to memory pressure for /y being 90.00% > 50.00% for > 20s'))).toEqual([]);
    expect(p.push(l('earlyoom', 'mem avail: 5000 of 7836 MiB (63.81%), swap free: 0 of 0 MiB ( 0.00%)'))).toEqual([]);
    // earlyoom's configuration at start, not a kill (earlyoom 1.7).
    expect(p.push(l('earlyoom', 'sending SIGTERM when mem <= 10.00% and swap <= 10.00%,'))).toEqual([]);
    expect(p.push(l('earlyoom', 'sending SIGTERM to process 5 in a way not known yet'))).toMatchObject([
      { killer: 'earlyoom', flags: ['unparsed'] },
    ]);
    expect(p.push(l('kubelet', '"Eviction manager: pods ranked for eviction" pods=[a/b]'))).toEqual([]);
  });
});
