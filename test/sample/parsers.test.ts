import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isKernelThread, parsePidStat } from '../../src/sample/parse/pid-stat.js';
import { parsePidStatus } from '../../src/sample/parse/pid-status.js';
import { isUserCgroupPath, parsePidCgroup, unitFromCgroupPath, unitOfCgroupPath } from '../../src/sample/parse/pid-cgroup.js';
import { parseMeminfo } from '../../src/sample/parse/meminfo.js';
import { parsePsi } from '../../src/sample/parse/psi.js';
import { parseVmstatOomKill } from '../../src/sample/parse/vmstat.js';
import { parseBootId, parseCmdline } from '../../src/sample/parse/simple.js';
import { ParseError } from '../../src/errors.js';

const PROC = join(import.meta.dirname, '../fixtures/proc');
const read = (...p: string[]) => readFileSync(join(PROC, ...p), 'utf8');

describe('parsePidStat', () => {
  it('takes the fields after the LAST ")" so a comm with spaces and ") " parses', () => {
    const s = parsePidStat(read('busy-host/1600/stat'));
    expect(s.comm).toBe('a) b');
    expect(s.ppid).toBe(1);
    expect(s.startTimeTicks).toBe(2600);
    expect(s.rssPages).toBe((64 * 1024 * 1024) / 4096);
    expect(isKernelThread(s)).toBe(false);
  });

  it('parses a comm with a space', () => {
    expect(parsePidStat(read('busy-host/1500/stat')).comm).toBe('Web Content');
  });

  it('recognises a kernel thread by PF_KTHREAD', () => {
    const s = parsePidStat(read('busy-host/2/stat'));
    expect(s.comm).toBe('kthreadd');
    expect(isKernelThread(s)).toBe(true);
  });

  it('parses a line captured from a real kernel', () => {
    const real =
      '1080 (bash) S 1079 1080 1080 0 -1 4194560 1403 4318 0 1 2 1 8 3 20 0 1 0 4195 6946816 1102 18446744073709551615 1 1 0 0 0 0 65536 4 65538 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n';
    expect(parsePidStat(real)).toEqual({
      comm: 'bash',
      state: 'S',
      ppid: 1079,
      flags: 4194560,
      startTimeTicks: 4195,
      vsizeBytes: 6946816,
      rssPages: 1102,
    });
  });

  it('rejects text that is not a stat line, quoting it', () => {
    expect(() => parsePidStat('garbage')).toThrow(ParseError);
    expect(() => parsePidStat('12 (x) S 1')).toThrow(/expected at least 24 fields/);
  });
});

describe('parsePidStatus', () => {
  it('reads uid, swap and page tables', () => {
    const s = parsePidStatus(read('busy-host/900/status'));
    expect(s).toMatchObject({ name: 'postgres', uid: 105, swapBytes: 256 * 1024 * 1024, pageTablesBytes: 3072 * 1024 });
  });
  it('gives zeros for a kernel thread without Vm lines', () => {
    expect(parsePidStatus(read('busy-host/2/status'))).toMatchObject({ uid: 0, swapBytes: 0, pageTablesBytes: 0 });
  });
});

describe('parsePidCgroup and units', () => {
  it('reads the v2 path', () => {
    expect(parsePidCgroup('0::/system.slice/ssh.service\n')).toEqual({ unified: '/system.slice/ssh.service', v1: {} });
  });
  it('reads v1 controllers, including comma lists and name=systemd', () => {
    const c = parsePidCgroup('9:name=systemd:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/x\n0::/\n');
    expect(c.v1).toEqual({ 'name=systemd': '/', memory: '/process_api/abc', cpu: '/x', cpuacct: '/x' });
    expect(c.unified).toBe('/');
  });
  it('finds the deepest service or scope', () => {
    expect(unitFromCgroupPath('/system.slice/postgresql.service')).toBe('postgresql.service');
    expect(unitFromCgroupPath('/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox.scope')).toBe('app-firefox.scope');
    expect(unitFromCgroupPath('/lxc/39004')).toBeNull();
  });
  it('tells system units from units a user created and named', () => {
    expect(unitOfCgroupPath('/system.slice/postgresql.service')).toEqual({ unit: 'postgresql.service', unitScope: 'system' });
    // what `systemd-run --user --unit=postgresql` makes
    expect(unitOfCgroupPath('/user.slice/user-1001.slice/user@1001.service/app.slice/postgresql.service')).toEqual({
      unit: 'postgresql.service',
      unitScope: 'user',
    });
    expect(unitOfCgroupPath('/user.slice/user-1001.slice/session-3.scope')).toEqual({ unit: 'session-3.scope', unitScope: 'user' });
    expect(unitOfCgroupPath('/user.slice/user-1001.slice/user@1001.service')).toEqual({ unit: 'user@1001.service', unitScope: 'user' });
    expect(unitOfCgroupPath('/system.slice/docker-0a1b.scope')).toEqual({ unit: 'docker-0a1b.scope', unitScope: 'system' });
    expect(unitOfCgroupPath('/lxc/39004')).toEqual({ unit: null, unitScope: null });
    expect(isUserCgroupPath('/user.slice')).toBe(true);
    expect(isUserCgroupPath('/system.slice/user-1001.service')).toBe(false);
  });
});

describe('host files', () => {
  it('parses meminfo into bytes', () => {
    expect(parseMeminfo(read('busy-host/meminfo'))).toEqual({
      memTotalBytes: 16 * 1024 ** 3,
      memAvailableBytes: 5 * 1024 ** 3,
      memFreeBytes: 2 * 1024 ** 3,
      swapTotalBytes: 2 * 1024 ** 3,
      swapFreeBytes: 1792 * 1024 ** 2,
    });
  });
  it('estimates MemAvailable on kernels before 3.14', () => {
    const m = parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 10 kB\nCached: 200 kB\n');
    expect(m.memAvailableBytes).toBe(310 * 1024);
  });
  it('parses memory PSI, with and without a full line', () => {
    expect(parsePsi(read('busy-host/pressure/memory'))).toEqual({
      some: { avg10: 1.5, avg60: 0.8, avg300: 0.2, totalUs: 123456 },
      full: { avg10: 0.4, avg60: 0.1, avg300: 0.02, totalUs: 23456 },
    });
    expect(parsePsi('some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n').full).toBeNull();
    expect(() => parsePsi('')).toThrow(ParseError);
  });
  it('reads the oom_kill counter, or null on kernels before 4.13', () => {
    expect(parseVmstatOomKill(read('busy-host/vmstat'))).toBe(3);
    expect(parseVmstatOomKill(read('old-kernel/vmstat'))).toBeNull();
  });
  it('parses the boot id and command lines', () => {
    expect(parseBootId('C3DC3576-444B-4FDD-B507-DF52F5C59FED\n')).toBe('c3dc3576-444b-4fdd-b507-df52f5c59fed');
    expect(() => parseBootId('nope')).toThrow(ParseError);
    expect(parseCmdline('a\0b c\0')).toEqual(['a', 'b c']);
    expect(parseCmdline('')).toEqual([]);
  });
});
