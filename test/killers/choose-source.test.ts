import { describe, expect, it } from 'vitest';
import { chooseKillerSource } from '../../src/killers/choose-source.js';

describe('chooseKillerSource', () => {
  it('auto: the journal only when journald runs and journalctl exists; else off, saying why and what to set', () => {
    expect(chooseKillerSource('auto', { journalctl: true, journald: true }).source).toBe('journal');
    const noJournald = chooseKillerSource('auto', { journalctl: true, journald: false });
    expect(noJournald).toEqual({ source: 'off', why: expect.stringMatching(/^journald does not run: .*set killers.source to syslog/) });
    expect(chooseKillerSource('auto', { journalctl: false, journald: true }).why).toMatch(/^journalctl is not installed/);
  });

  it('an explicit choice is kept whatever the host has', () => {
    expect(chooseKillerSource('syslog', { journalctl: true, journald: true }).source).toBe('syslog');
    expect(chooseKillerSource('journal', { journalctl: false, journald: false }).source).toBe('journal');
    expect(chooseKillerSource('off', { journalctl: true, journald: true }).source).toBe('off');
  });
});
