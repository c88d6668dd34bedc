import { describe, expect, it } from 'vitest';
import { normaliseLogText } from '../../src/kernel/normalise-log.js';
import { readFixture } from './fixtures.js';

const NOW = Date.UTC(2026, 5, 1);

describe('normaliseLogText', () => {
  it('reads raw /dev/kmsg records, skipping dictionary lines and unescaping', () => {
    const { records, formats } = normaliseLogText(readFixture('synthetic/5.1-memcg-constraint-none-kmsg.txt'));
    expect(formats).toEqual({ kmsg: 19 });
    expect(records[0]).toEqual({
      text: 'usb 1-1: new high-speed USB device number 3 using xhci_hcd',
      seq: 1180,
      monotonicUs: 4100112233,
      wallMs: null,
    });
    expect(records[1].text).toBe('my wörker invoked oom-killer: gfp_mask=0x6000c0(GFP_KERNEL), order=0, oom_score_adj=0');
  });

  it('reads dmesg with monotonic seconds', () => {
    const { records } = normaliseLogText('[  917.197581] hello\n[    0.000001] x');
    expect(records).toEqual([
      { text: 'hello', seq: null, monotonicUs: 917197581, wallMs: null },
      { text: 'x', seq: null, monotonicUs: 1, wallMs: null },
    ]);
  });

  it('reads dmesg with the printk caller (CONFIG_PRINTK_CALLER: task or CPU) after the time', () => {
    const { records } = normaliseLogText(
      '[   37.128158][ T9185] Memory cgroup out of memory: Killed process 9188\n[   37.132833][    C3] oom_reaper: x',
    );
    expect(records).toEqual([
      { text: 'Memory cgroup out of memory: Killed process 9188', seq: null, monotonicUs: 37128158, wallMs: null },
      { text: 'oom_reaper: x', seq: null, monotonicUs: 37132833, wallMs: null },
    ]);
  });

  it('reads dmesg -T with a German weekday and joins indented continuation lines', () => {
    const { records, formats } = normaliseLogText(readFixture('5.15.158-memcg-1.txt'));
    expect(formats).toEqual({ 'dmesg-T': 120 });
    expect(records[0]).toMatchObject({ wallMs: Date.UTC(2025, 7, 12, 3, 54, 3), wallExact: false });
    const stats = records.find((r) => r.text.startsWith('anon 31154200576'));
    expect(stats?.text.split('\n')).toHaveLength(40);
    expect(stats?.text.split('\n')[1]).toBe('file 688283648');
  });

  it('reads non-English month names in dmesg -T', () => {
    const { records } = normaliseLogText('[Mi Mär  4 10:00:00 2026] a\n[mar. déc. 1 01:02:03 2026] b\n[Foo Bar 1 01:02:03 2026] c');
    expect(records.map((r) => r.wallMs)).toEqual([Date.UTC(2026, 2, 4, 10), Date.UTC(2026, 11, 1, 1, 2, 3), null]);
    expect(records[2].text).toBe('c');
  });

  it('reads dmesg --time-format=iso with its zone', () => {
    const { records } = normaliseLogText('2025-08-12T03:54:03,123456+02:00 hello');
    expect(records[0]).toMatchObject({ text: 'hello', wallMs: Date.UTC(2025, 7, 12, 1, 54, 3, 123), wallExact: true });
  });

  it('reads journalctl -k short lines, skipping other programs and the journal banner', () => {
    const { records, formats } = normaliseLogText(readFixture('synthetic/5.10-global-journal-short.txt'), { nowMs: NOW });
    expect(formats).toEqual({ plain: 1, syslog: 18, other: 2 });
    const kernel = records.filter((r) => r.hostname === 'web1');
    expect(kernel).toHaveLength(18);
    expect(kernel[0]).toMatchObject({ wallMs: Date.UTC(2026, 2, 3, 10, 0, 1), hostname: 'web1', monotonicUs: null });
    expect(records.some((r) => r.text.includes('Started Session') || r.text.includes('has been killed by the OOM killer'))).toBe(false);
  });

  it('puts a syslog date without year in the past year when it would be in the future', () => {
    const { records } = normaliseLogText('Dec 31 23:59:59 h kernel: x', { nowMs: Date.UTC(2026, 0, 2) });
    expect(records[0].wallMs).toBe(Date.UTC(2025, 11, 31, 23, 59, 59));
  });

  it('reads kern.log with the kernel timestamp inside and #012 escapes', () => {
    const { records } = normaliseLogText(readFixture('synthetic/6.1-memcg-v2-kern-log.txt'), { nowMs: NOW });
    expect(records[0]).toMatchObject({ monotonicUs: 8812345601, hostname: 'db1', text: expect.stringMatching(/^postgres invoked/) });
    expect(
      records
        .find((r) => r.text.startsWith('anon '))
        ?.text.split('\n')
        .slice(0, 2),
    ).toEqual(['anon 1071644672', 'file 0']);
  });

  it('reads journalctl -o json, keeping kernel entries only', () => {
    const { records, formats } = normaliseLogText(readFixture('synthetic/6.8-global-journal-json.txt'));
    expect(formats).toEqual({ 'journal-json': 11 });
    expect(records).toHaveLength(10);
    expect(records[0]).toMatchObject({
      monotonicUs: 7301000100,
      wallMs: 1772532001000,
      bootId: '0f3c2a1b9d8e4f7a8b6c5d4e3f2a1b0c',
      hostname: 'gpu2',
    });
  });

  it('decodes a journal MESSAGE stored as a byte array', () => {
    const line = JSON.stringify({ _TRANSPORT: 'kernel', MESSAGE: [...Buffer.from('caf\u00e9 invoked')] });
    expect(normaliseLogText(line).records[0].text).toBe('café invoked');
  });

  it('keeps lines of an unprefixed log as they are', () => {
    const { records, formats } = normaliseLogText(readFixture('4.18.0-memcg-1.txt'));
    expect(formats).toEqual({ plain: 35 });
    expect(records[0].text).toBe(
      ' leaker invoked oom-killer: gfp_mask=0x6200ca(GFP_HIGHUSER_MOVABLE), nodemask=(null), order=0, oom_score_adj=0',
    );
  });
});
