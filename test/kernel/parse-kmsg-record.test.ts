import { describe, expect, it } from 'vitest';
import { isKmsgContinuation, parseKmsgRecord, unescapeKmsg } from '../../src/kernel/parse-kmsg-record.js';

describe('parseKmsgRecord', () => {
  it('splits prio, seq, timestamp and flags from the text', () => {
    const r = parseKmsgRecord('3,674,917197581,-;Memory cgroup out of memory: Killed process 25443 (python3)');
    expect(r).toEqual({
      facility: 0,
      level: 3,
      seq: 674,
      tsUsec: 917197581,
      flags: '-',
      text: 'Memory cgroup out of memory: Killed process 25443 (python3)',
    });
  });

  it('accepts extra header fields after the flags (caller id on newer kernels) and facility > 0', () => {
    const r = parseKmsgRecord('30,12,5000,c,caller=T1;systemd[1]: hello\n');
    expect(r).toMatchObject({ facility: 3, level: 6, seq: 12, tsUsec: 5000, flags: 'c', text: 'systemd[1]: hello' });
  });

  it('keeps a text that itself contains semicolons and commas', () => {
    expect(parseKmsgRecord('6,1,2,-;a;b,c')?.text).toBe('a;b,c');
  });

  it('returns null for dictionary continuation lines and garbage', () => {
    expect(parseKmsgRecord(' SUBSYSTEM=usb')).toBeNull();
    expect(isKmsgContinuation(' DEVICE=c189:2')).toBe(true);
    expect(parseKmsgRecord('hello')).toBeNull();
    expect(parseKmsgRecord('6,x,1,-;a')).toBeNull();
  });
});

describe('unescapeKmsg', () => {
  it('undoes \\xHH escapes byte by byte and decodes UTF-8', () => {
    expect(unescapeKmsg('my w\\xc3\\xb6rker')).toBe('my wörker');
    expect(unescapeKmsg('line1\\x0aline2')).toBe('line1\nline2');
    expect(unescapeKmsg('back\\x5cslash')).toBe('back\\slash');
  });

  it('leaves a backslash that is not a complete escape alone', () => {
    expect(unescapeKmsg('a\\xZZ b\\x4')).toBe('a\\xZZ b\\x4');
    expect(unescapeKmsg('plain')).toBe('plain');
  });
});
